using System.Diagnostics;
using Blit.Errors;
using Blit.Execution;
using Blit.Planning;
using Blit.Platform;
using Blit.Scanning;

namespace Blit.Mirror;

/// <summary>One planned action, as shown to -WhatIf and -Confirm.</summary>
public sealed class PlannedAction
{
    private readonly Action _decline;

    internal PlannedAction(MirrorAction action, string relativePath, string destinationPath, EntryKind kind, long length,
        Action decline)
    {
        Action = action;
        RelativePath = relativePath;
        DestinationPath = destinationPath;
        Kind = kind;
        Length = length;
        _decline = decline;
    }

    public MirrorAction Action { get; }
    public string RelativePath { get; }
    public string DestinationPath { get; }
    public EntryKind Kind { get; }
    public long Length { get; }

    /// <summary>Leaves this action (and, for a directory, everything below it) undone.</summary>
    public void Decline() => _decline();

    public MirrorItem ToItem() => new(Action, RelativePath, DestinationPath, Kind, Length);
}

/// <summary>A scanned and planned mirror, ready to execute (or to report, for -WhatIf).</summary>
public sealed class MirrorSession : IDisposable
{
    private readonly MirrorOptions _options;
    private readonly IMirrorFileSystem _fs;
    private readonly ExcludeFilter _exclude;
    private readonly MirrorPlanner _planner;
    private readonly MirrorPlan _plan;
    private readonly ScanResult _source;
    private readonly ScanResult _dest;
    private readonly DirHandle _srcRoot;
    private DirHandle? _dstRoot;
    private readonly IMirrorListener? _listener;
    private readonly MirrorProgress _progress;
    private readonly Stopwatch _stopwatch;
    private readonly TimeSpan _scanDuration;
    private long _compareErrors;

    internal MirrorSession(MirrorOptions options, IMirrorFileSystem fs, ExcludeFilter exclude, MirrorPlanner planner,
        MirrorPlan plan, ScanResult source, ScanResult dest, DirHandle srcRoot, DirHandle? dstRoot,
        IMirrorListener? listener, MirrorProgress progress, Stopwatch stopwatch)
    {
        _options = options;
        _fs = fs;
        _exclude = exclude;
        _planner = planner;
        _plan = plan;
        _source = source;
        _dest = dest;
        _srcRoot = srcRoot;
        _dstRoot = dstRoot;
        _listener = listener;
        _progress = progress;
        _stopwatch = stopwatch;
        _scanDuration = stopwatch.Elapsed;
        WorkerCount = ChooseWorkers(options.ThrottleLimit, plan);
        long files = 0, bytes = 0;
        foreach (EntryOp op in plan.Entries)
        {
            files++;
            if (op.Action is MirrorAction.CopyFile or MirrorAction.UpdateFile)
            {
                bytes += op.Source.Size;
            }
        }
        Interlocked.Exchange(ref progress.FilesTotalField, files);
        Interlocked.Exchange(ref progress.BytesTotalField, bytes);
        foreach (string special in plan.SpecialPaths)
        {
            listener?.OnError(new BlitError(BlitErrorCode.SpecialFileSkipped,
                $"Skipped special file (FIFO, socket or device): '{special}'.",
                MirrorExecutor.Combine(options.Source, special), IsWarning: true));
        }
    }

    /// <summary>True when the source scan read every directory (deletions are allowed).</summary>
    public bool SourceScanComplete => _source.Complete;

    /// <summary>Copy workers the planner chose: more for many small files, one per large file.</summary>
    public int WorkerCount { get; }

    internal MirrorPlan Plan => _plan;

    internal static int ChooseWorkers(int throttleLimit, MirrorPlan plan)
    {
        if (throttleLimit > 0)
        {
            return throttleLimit;
        }
        int large = 0, small = 0;
        foreach (EntryOp op in plan.Entries)
        {
            if (op.Action is not (MirrorAction.CopyFile or MirrorAction.UpdateFile))
            {
                small++; // symlinks and metadata fixes: a few calls each, like a small file
            }
            else if (op.Source.Size >= MirrorExecutor.LargeFileBytes)
            {
                large++;
            }
            else
            {
                small++;
            }
        }
        int cpus = Environment.ProcessorCount;
        // Small files are bound by per-file syscalls: overlap them. Large files by the kernel copy.
        int forSmall = small > 256 ? Math.Clamp(cpus * 2, 2, 16) : Math.Clamp(small / 64 + 1, 1, cpus);
        int forLarge = Math.Min(large, Math.Max(1, cpus));
        return Math.Max(1, Math.Max(forSmall, forLarge + (small > 0 ? 1 : 0)));
    }

    /// <summary>Every action the mirror would take, in execution order (deletions only if allowed).</summary>
    public IReadOnlyList<PlannedAction> GetPlannedActions()
    {
        var list = new List<PlannedAction>();
        string dest = _options.Destination;
        foreach (DirOp d in _plan.Directories)
        {
            if (d.Parent is not null && d.NeedsCreate)
            {
                list.Add(new PlannedAction(MirrorAction.CreateDirectory, d.RelativePath,
                    MirrorExecutor.Combine(dest, d.RelativePath), EntryKind.Directory, 0, () => d.Declined = true));
            }
            else if (d.MetadataDiffers && d.Parent is not null)
            {
                list.Add(new PlannedAction(MirrorAction.UpdateMetadata, d.RelativePath,
                    MirrorExecutor.Combine(dest, d.RelativePath), EntryKind.Directory, 0, () => d.MetadataDeclined = true));
            }
        }
        foreach (EntryOp e in _plan.Entries)
        {
            list.Add(new PlannedAction(e.Action, e.RelativePath, MirrorExecutor.Combine(dest, e.RelativePath),
                e.Source.Kind, e.Action is MirrorAction.CopyFile or MirrorAction.UpdateFile ? e.Source.Size : 0,
                () => e.Declined = true));
        }
        foreach (DeleteOp del in _plan.Deletions)
        {
            if (_source.Complete || del.IsStaleTemp)
            {
                list.Add(new PlannedAction(MirrorAction.Delete, del.RelativePath, MirrorExecutor.Combine(dest, del.RelativePath),
                    del.Kind, 0, () => del.Declined = true));
            }
        }
        return list;
    }

    /// <summary>-Checksum: compares same-size files by content (read-only) and settles their actions.</summary>
    internal void CompareContents(CancellationToken cancellationToken)
    {
        var candidates = _plan.Entries.Where(e => e.CompareContent).ToList();
        if (candidates.Count == 0)
        {
            return;
        }
        var keep = new bool[candidates.Count];
        var indexes = Enumerable.Range(0, candidates.Count).ToList();
        MirrorExecutor.RunParallel(indexes, Math.Max(2, Environment.ProcessorCount), i =>
        {
            EntryOp op = candidates[i];
            try
            {
                using DirHandle src = MirrorExecutor.OpenPath(_fs, _srcRoot, op.Dir.RelativePath);
                using DirHandle dst = MirrorExecutor.OpenPath(_fs, _dstRoot!, op.Dir.RelativePath);
                keep[i] = _planner.ResolveCompared(op, _fs.ContentEquals(src, op.Name, dst, op.Name, cancellationToken));
            }
            catch (IOException ex)
            {
                keep[i] = true; // cannot compare: copy it (stays UpdateFile)
                op.CompareContent = false;
                _listener?.OnError(new BlitError(BlitErrorCode.SourceUnreadable,
                    $"Cannot compare contents of '{op.RelativePath}': {ex.Message}", MirrorExecutor.Combine(_options.Source, op.RelativePath),
                    Exception: ex));
                Interlocked.Increment(ref _compareErrors);
            }
        }, cancellationToken);
        var drop = new HashSet<EntryOp>(ReferenceEqualityComparer.Instance);
        for (int i = 0; i < candidates.Count; i++)
        {
            if (!keep[i])
            {
                drop.Add(candidates[i]);
                _plan.UnchangedFiles++;
            }
        }
        _plan.Entries.RemoveAll(drop.Contains);
    }

    /// <summary>Carries out the plan (minus declined actions) and returns the result.</summary>
    public MirrorResult Execute(CancellationToken cancellationToken = default)
    {
        var counters = new MirrorCounters();
        if (_dstRoot is null)
        {
            CreateDestinationRoot();
            counters.DirectoriesCreated = 1;
        }
        var executor = new MirrorExecutor(_fs, _exclude, _listener, _options.EmitItems, counters, _progress, _options.Destination);
        if (!_source.Complete && _plan.Deletions.Count > 0)
        {
            _listener?.OnError(new BlitError(BlitErrorCode.DeletionSkipped,
                "The source could not be read completely, so nothing was deleted from the destination.",
                _options.Destination, IsWarning: true));
        }
        executor.Execute(_plan, _srcRoot, _dstRoot!, _source.Complete, WorkerCount, cancellationToken);
        if (executor.WriteFailed && _plan.Deletions.Count > 0)
        {
            _listener?.OnError(new BlitError(BlitErrorCode.DeletionSkipped,
                "A write failed for lack of space, so nothing was deleted from the destination.",
                _options.Destination, IsWarning: true));
        }
        Volatile.Write(ref _progress.PhaseField, (int)MirrorPhase.Done);
        return BuildResult(counters, whatIf: false,
            deletionSkipped: (!_source.Complete || executor.WriteFailed) && _plan.Deletions.Any(d => !d.IsStaleTemp));
    }

    /// <summary>Creates the missing destination, parents too; its own metadata is set at the end.</summary>
    private void CreateDestinationRoot()
    {
        string destination = _options.Destination;
        try
        {
            Directory.CreateDirectory(destination);
            _dstRoot = _fs.OpenRoot(destination);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new BlitException(BlitErrorCode.DestinationUnusable,
                $"Cannot create the destination '{destination}': {ex.Message}", destination, ex);
        }
        _plan.Directories[0].Created = true;
    }

    /// <summary>The result -WhatIf reports: what would be done, nothing touched.</summary>
    public MirrorResult WhatIfResult()
    {
        var c = new MirrorCounters { DirectoriesCreated = _dstRoot is null ? 1 : 0 };
        foreach (DirOp d in _plan.Directories)
        {
            if (d.Parent is not null && d.NeedsCreate)
            {
                c.DirectoriesCreated++;
            }
            else if (d.MetadataDiffers && (d.Parent is not null || _dstRoot is not null))
            {
                c.MetadataUpdated++; // as the executor counts it: existing directories only
            }
        }
        foreach (DirOp d in _plan.Directories)
        {
            if (d.Parent is not null && d.DestKind is not (null or EntryKind.Directory))
            {
                c.FilesDeleted++; // the file, symlink or special file the new directory replaces
            }
        }
        foreach (EntryOp e in _plan.Entries)
        {
            if (e.DestKind == EntryKind.Directory && !CountTree(e.ReplacedDestTree, c))
            {
                c.Errors++; // the directory holds excluded entries: it stays, and the entry is not written
                continue;
            }
            switch (e.Action)
            {
                case MirrorAction.CopyFile: c.FilesCopied++; c.BytesCopied += e.Source.Size; break;
                case MirrorAction.UpdateFile: c.FilesUpdated++; c.BytesCopied += e.Source.Size; break;
                case MirrorAction.CreateSymlink or MirrorAction.ReplaceSymlink: c.SymlinksCopied++; break;
                case MirrorAction.UpdateMetadata: c.MetadataUpdated++; break;
            }
        }
        foreach (DeleteOp del in _plan.Deletions)
        {
            if (_source.Complete || del.IsStaleTemp)
            {
                if (del.Kind == EntryKind.Directory)
                {
                    _ = CountTree(del.Tree, c);
                }
                else
                {
                    c.FilesDeleted++;
                }
            }
        }
        return BuildResult(c, whatIf: true, deletionSkipped: !_source.Complete && _plan.Deletions.Count > 0);
    }

    /// <summary>
    /// Counts a directory to delete with everything in it (as scanned), as the executor deletes it:
    /// a directory that holds excluded entries stays, and so do the directories above it. Returns
    /// true when the directory itself would go.
    /// </summary>
    private static bool CountTree(DirListing? tree, MirrorCounters c)
    {
        bool gone = tree is null || !tree.HoldsExcluded;
        foreach (TreeEntry e in tree?.Entries ?? [])
        {
            if (e.Kind == EntryKind.Directory)
            {
                gone &= CountTree(e.Children, c);
            }
            else
            {
                c.FilesDeleted++;
            }
        }
        if (gone)
        {
            c.DirectoriesDeleted++;
        }
        return gone;
    }

    private MirrorResult BuildResult(MirrorCounters c, bool whatIf, bool deletionSkipped) => new()
    {
        Source = _options.Source,
        Destination = _options.Destination,
        WhatIf = whatIf,
        FilesScanned = _source.Counts.Files,
        DirectoriesScanned = _source.Counts.Directories + 1,
        SymlinksScanned = _source.Counts.Symlinks,
        BytesScanned = _source.Counts.Bytes,
        FilesCopied = c.FilesCopied,
        FilesUpdated = c.FilesUpdated,
        FilesUnchanged = _plan.UnchangedFiles,
        SymlinksCopied = c.SymlinksCopied,
        MetadataUpdated = c.MetadataUpdated,
        DirectoriesCreated = c.DirectoriesCreated,
        FilesDeleted = c.FilesDeleted,
        DirectoriesDeleted = c.DirectoriesDeleted,
        SpecialFilesSkipped = _plan.SpecialsSkipped,
        EntriesVanished = _source.Counts.Vanished,
        BytesCopied = c.BytesCopied,
        Errors = c.Errors + _source.Errors.Count + _dest.Errors.Count + Interlocked.Read(ref _compareErrors),
        DeletionSkipped = deletionSkipped,
        Duration = _stopwatch.Elapsed,
        ScanDuration = _scanDuration,
        WorkerCount = WorkerCount,
        FilesCloned = c.Cloned,
        FilesKernelCopied = c.KernelCopied,
        FilesStreamed = c.Streamed,
    };

    public void Dispose()
    {
        _srcRoot.Dispose();
        _dstRoot?.Dispose();
    }
}
