using Blit.Errors;
using Blit.Mirror;
using Blit.Planning;
using Blit.Platform;
using Blit.Scanning;

namespace Blit.Execution;

/// <summary>
/// What the phases of one run share: the filesystem, the listener and counters, the two
/// make-writable policies, and the run's state of each directory, kept beside the plan.
/// </summary>
internal sealed class RunContext
{
    private readonly IMirrorListener? _listener;
    private readonly bool _emitItems;
    private readonly string _destinationRoot;
    private readonly DirState[] _dirs;
    private volatile bool _writeFailed;

    public RunContext(MirrorPlan plan, IMirrorFileSystem fs, ExcludeFilter exclude, IMirrorListener? listener, bool emitItems,
        MirrorCounters counters, MirrorProgress progress, string destinationRoot, TransientRetry? retry)
    {
        Fs = fs;
        Exclude = exclude;
        _listener = listener;
        _emitItems = emitItems;
        Counters = counters;
        Progress = progress;
        _destinationRoot = destinationRoot;
        Retry = retry;
        Writes = WritableRetry.ForWrites(fs);
        Removals = WritableRetry.ForRemovals(fs);
        _dirs = new DirState[plan.Directories.Count];
        for (int i = 0; i < _dirs.Length; i++)
        {
            _dirs[i] = new DirState();
        }
    }

    public IMirrorFileSystem Fs { get; }
    public ExcludeFilter Exclude { get; }
    public MirrorCounters Counters { get; }
    public MirrorProgress Progress { get; }
    /// <summary>Transient errors retried (robocopy /R /W), or null.</summary>
    public TransientRetry? Retry { get; }
    public WritableRetry Writes { get; }
    public WritableRetry Removals { get; }

    /// <summary>True when a write failed for lack of space: deletions are then skipped.</summary>
    public bool WriteFailed => _writeFailed;

    /// <summary>
    /// Why nothing of the user's is deleted in this run (-NoDelete, or a source that could not be read
    /// completely), or null when deletions are allowed. Then a directory makes way for an entry of another
    /// type only when it is empty (as rsync without --delete), and the reason is in the error for one that is not.
    /// </summary>
    public string? NothingDeletedBecause { get; init; }

    /// <summary>This run's state of <paramref name="dir"/>.</summary>
    public DirState this[DirOp dir] => _dirs[dir.Index];

    /// <summary>Where <paramref name="dir"/> is in the destination now (differs from its path while staged).</summary>
    public string DiskPath(DirOp dir) => _dirs[dir.Index].DiskPath ?? dir.RelativePath;

    /// <summary>True when <paramref name="dir"/> or a directory above it was declined, or failed in this run: nothing below it is done.</summary>
    public bool IsAbandoned(DirOp dir)
    {
        for (DirOp? d = dir; d is not null; d = d.Parent)
        {
            if (d.Declined || _dirs[d.Index].Failed)
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>The destination's full path of <paramref name="relative"/>, for messages and items.</summary>
    public string Display(string relative) => RelativePath.Display(_destinationRoot, relative);

    public DirHandle Open(DirHandle root, string relative) => RelativePath.Open(Fs, root, relative);

    /// <summary>What the destination directory of <paramref name="dirOp"/> forbids; asked once per directory.</summary>
    public DirectoryRestriction Restriction(DirHandle dir, DirOp dirOp) => _dirs[dirOp.Index].Restriction ??= Fs.GetRestriction(dir);

    public static bool IsDiskFull(Exception ex) => ex is NativeIOException { IsDiskFull: true };

    /// <summary>Notes a write that failed for lack of space when <paramref name="ex"/> is one (deletions are then skipped); returns whether it was.</summary>
    public bool NoteDiskFull(Exception ex)
    {
        bool full = IsDiskFull(ex);
        if (full)
        {
            _writeFailed = true;
        }
        return full;
    }

    public void Report(BlitErrorCode code, string message, string? path, Exception? ex = null, bool warning = false)
    {
        if (!warning)
        {
            Interlocked.Increment(ref Counters.Errors);
        }
        _listener?.OnError(new BlitError(code, message, path, warning, ex));
    }

    public void Emit(MirrorAction action, string relativePath, EntryKind kind, long length)
    {
        if (_emitItems)
        {
            _listener?.OnItem(new MirrorItem(action, NameEncoding.Display(relativePath), Display(relativePath), kind, length));
        }
    }

    public void Emit(EntryOp op)
    {
        if (_emitItems)
        {
            Emit(op.Action, op.RelativePath, op.Source.Kind, op.CopyBytes);
        }
    }
}
