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
        RelativePath = NameEncoding.Display(relativePath);
        DestinationPath = destinationPath;
        Kind = kind;
        Length = length;
        _decline = decline;
    }

    /// <summary>What is done.</summary>
    public MirrorAction Action { get; }
    /// <summary>As <see cref="MirrorItem.RelativePath"/>: bytes that are not UTF-8 shown as <c>\xNN</c>.</summary>
    public string RelativePath { get; }
    /// <summary>The entry's full path in the destination.</summary>
    public string DestinationPath { get; }
    /// <summary>The entry's kind.</summary>
    public EntryKind Kind { get; }
    /// <summary>The file's size in bytes (0 for others).</summary>
    public long Length { get; }

    /// <summary>Leaves this action (and, for a directory, everything below it) undone.</summary>
    public void Decline() => _decline();

    /// <summary>The action as a result item.</summary>
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
    private readonly DestinationRules _rules;
    private bool _skipsReported;

    internal MirrorSession(MirrorOptions options, IMirrorFileSystem fs, ExcludeFilter exclude, MirrorPlanner planner,
        MirrorPlan plan, ScanResult source, ScanResult dest, DirHandle srcRoot, DirHandle? dstRoot,
        IMirrorListener? listener, MirrorProgress progress, Stopwatch stopwatch, DestinationRules rules,
        IReadOnlyDictionary<string, DestinationRules> mountRules)
    {
        _rules = rules;
        MountedFileSystems = mountRules.ToDictionary(p => p.Key, p => p.Value.Capabilities, StringComparer.Ordinal);
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
        WorkerCount = WorkerPlanner.ChooseWorkers(options.ThrottleLimit, plan);
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
        foreach ((string kept, string skipped) in plan.NameCollisions)
        {
            listener?.OnError(new BlitError(BlitErrorCode.NameCollision,
                $"'{skipped}' and '{kept}' are one name on the destination ({rules.Capabilities.FileSystemType}, " +
                $"{(rules.Capabilities.CaseSensitive ? "normalization-insensitive" : "case-insensitive")}): '{skipped}' was not mirrored.",
                RelativePath.Display(options.Source, skipped)));
        }
        if (plan.SymlinksSkipped > 0)
        {
            listener?.OnError(new BlitError(BlitErrorCode.SymlinksNotSupported,
                $"{plan.SymlinksSkipped} symlink(s) not copied: the destination filesystem ({rules.Capabilities.FileSystemType}) cannot hold symlinks.",
                options.Destination, IsWarning: true));
        }
        if (!rules.TimesKept)
        {
            listener?.OnError(new BlitError(BlitErrorCode.MetadataNotKept,
                $"The destination filesystem ({rules.Capabilities.FileSystemType}) does not keep modification times: files are compared by size only.",
                options.Destination, IsWarning: true));
        }
    }

    /// <summary>One warning per run for the special files that could not be created, with their count.</summary>
    private void ReportSkippedSpecials(MirrorCounters c)
    {
        long count = _plan.SpecialsSkipped + c.SpecialsSkipped;
        if (count == 0)
        {
            return;
        }
        string first = _plan.SpecialPaths.Count > 0
            ? RelativePath.Display(_options.Source, _plan.SpecialPaths[0])
            : c.FirstSkippedSpecial!;
        _listener?.OnError(new BlitError(BlitErrorCode.SpecialFileSkipped,
            $"{count} special file{(count == 1 ? "" : "s")} (FIFO, socket or device) skipped: not permitted " +
            $"(devices need root, and some filesystems hold no special files); the first is '{first}'.",
            first, IsWarning: true));
    }

    /// <summary>What the destination filesystem keeps, as measured before the scan.</summary>
    public FileSystemCapabilities DestinationFileSystem => _rules.Capabilities;

    /// <summary>Other filesystems mounted inside the destination tree, by the relative path of their mount point, as measured.</summary>
    public IReadOnlyDictionary<string, FileSystemCapabilities> MountedFileSystems { get; }

    /// <summary>True when the source scan read every directory (deletions are allowed).</summary>
    public bool SourceScanComplete => _source.Complete;

    /// <summary>Copy workers the planner chose: more for many small files, one per large file.</summary>
    public int WorkerCount { get; }

    internal MirrorPlan Plan => _plan;

    /// <summary>Files found in the destination.</summary>
    public long DestinationFilesScanned => _dest.Counts.Files;

    /// <summary>Directories found in the destination, its root included.</summary>
    public long DestinationDirectoriesScanned => _dest.Counts.Directories + (_dstRoot is null ? 0 : 1);

    /// <summary>Symlinks found in the destination.</summary>
    public long DestinationSymlinksScanned => _dest.Counts.Symlinks;

    /// <summary>
    /// Why this run deletes nothing of the user's, or null when it may: -NoDelete, or a source that could not be
    /// read completely (then a directory the source has as another type is not deleted to make way either).
    /// </summary>
    private string? NothingDeletedBecause => _options.NoDelete ? "-NoDelete deletes nothing"
        : !_source.Complete ? "the source could not be read completely, so nothing is deleted" : null;

    /// <summary>Whether an extraneous entry is to be deleted: never with -NoDelete, and only after a complete scan (Blit's stale temps always).</summary>
    private bool Deletes(DeleteOp del) => del.IsStaleTemp || NothingDeletedBecause is null;

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
                    RelativePath.Display(dest, d.RelativePath), EntryKind.Directory, 0, () => d.Declined = true));
            }
            else if (d.MetadataDiffers && (d.Parent is not null || _dstRoot is not null))
            {
                // The destination root too, when it exists: a run reports its metadata update as well.
                list.Add(new PlannedAction(MirrorAction.UpdateMetadata, d.RelativePath,
                    RelativePath.Display(dest, d.RelativePath), EntryKind.Directory, 0, () => d.MetadataDeclined = true));
            }
        }
        foreach (EntryOp e in _plan.Entries)
        {
            list.Add(new PlannedAction(e.Action, e.RelativePath, RelativePath.Display(dest, e.RelativePath),
                e.Source.Kind, e.Action is MirrorAction.CopyFile or MirrorAction.UpdateFile ? e.Source.Size : 0,
                () => e.Declined = true));
        }
        foreach (DeleteOp del in _plan.Deletions)
        {
            if (Deletes(del))
            {
                list.Add(new PlannedAction(MirrorAction.Delete, del.RelativePath, RelativePath.Display(dest, del.RelativePath),
                    del.Kind, 0, () => del.Declined = true));
            }
        }
        return list;
    }

    /// <summary>-Checksum: compares same-size files by content (read-only); the planner settles their actions.</summary>
    internal void CompareContents(CancellationToken cancellationToken)
    {
        List<EntryOp> compared = MirrorPlanner.ContentToCompare(_plan);
        if (compared.Count == 0)
        {
            return;
        }
        bool?[] equal = ContentComparer.Compare(_fs, _srcRoot, _dstRoot!, compared, _options.Source, _listener, cancellationToken);
        _compareErrors += equal.Count(e => e is null);
        _planner.SettleCompared(_plan, compared, equal);
    }

    /// <summary>Carries out the plan (minus declined actions) and returns the result.</summary>
    public MirrorResult Execute(CancellationToken cancellationToken = default)
    {
        var counters = new MirrorCounters();
        bool rootCreated = _dstRoot is null;
        if (rootCreated)
        {
            CreateDestinationRoot();
            counters.DirectoriesCreated = 1;
        }
        ReportSkips();
        TransientRetry? retry = _options.RetryCount > 0
            ? new TransientRetry(_options.RetryCount, _options.RetryDelay, _listener, counters)
            : null;
        var executor = new MirrorExecutor(_fs, _exclude, _listener, _options.EmitItems, counters, _progress, _options.Destination,
            retry);
        if (!_source.Complete && !_options.NoDelete && _plan.Deletions.Count > 0)
        {
            _listener?.OnError(new BlitError(BlitErrorCode.DeletionSkipped,
                "The source could not be read completely, so nothing was deleted from the destination.",
                _options.Destination, IsWarning: true));
        }
        executor.Execute(_plan, _srcRoot, _dstRoot!, rootCreated, WorkerCount, NothingDeletedBecause, cancellationToken);
        if (executor.WriteFailed && !_options.NoDelete && _plan.Deletions.Count > 0)
        {
            _listener?.OnError(new BlitError(BlitErrorCode.DeletionSkipped,
                "A write failed for lack of space, so nothing was deleted from the destination.",
                _options.Destination, IsWarning: true));
        }
        ReportSkippedSpecials(counters);
        Volatile.Write(ref _progress.PhaseField, (int)MirrorPhase.Done);
        ReportMetadataNotKept(counters);
        return BuildResult(counters, whatIf: false,
            deletionSkipped: !_options.NoDelete && (!_source.Complete || executor.WriteFailed) && _plan.Deletions.Any(d => !d.IsStaleTemp));
    }

    /// <summary>What the destination dropped, said once per run with the count (not an error per entry).</summary>
    private void ReportMetadataNotKept(MirrorCounters c)
    {
        long count = MetadataNotKept(c);
        if (count == 0)
        {
            return;
        }
        FileSystemCapabilities caps = _rules.Capabilities;
        string what = !caps.Permissions && _fs.CanSetOwner && !caps.Owners ? "permission bits or owners"
            : !caps.Permissions ? "permission bits" : "owners";
        _listener?.OnError(new BlitError(BlitErrorCode.MetadataNotKept,
            $"The destination filesystem ({caps.FileSystemType}) does not keep {what}: {count} {(count == 1 ? "entry was" : "entries were")} written without them.",
            _options.Destination, IsWarning: true));
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
    }

    /// <summary>The result -WhatIf reports: what would be done, nothing touched. Reports the skips (once), as a run does.</summary>
    public MirrorResult WhatIfResult()
    {
        ReportSkips();
        ReportSkippedSpecials(new MirrorCounters());
        return Preview();
    }

    /// <summary>
    /// The counts of the plan as it stands (what a run would do if nothing failed), without
    /// reporting anything: for a summary before the run.
    /// </summary>
    public MirrorResult Preview()
    {
        var c = new MirrorCounters { DirectoriesCreated = _dstRoot is null ? 1 : 0 };
        foreach (DirOp d in _plan.Directories)
        {
            if (d.DestName is not null && !d.NeedsCreate)
            {
                c.Renamed++;
            }
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
        bool keepsTrees = NothingDeletedBecause is not null;
        foreach (EntryOp e in _plan.Entries)
        {
            if (e.DestKind == EntryKind.Directory && keepsTrees && e.ReplacedDestTree is { Entries.Length: > 0 })
            {
                c.Errors++; // nothing is deleted: a directory with entries stays, and the entry is not written
                continue;
            }
            if (e.DestKind == EntryKind.Directory && !CountTree(e.ReplacedDestTree, c))
            {
                c.Errors++; // the directory holds excluded entries: it stays, and the entry is not written
                continue;
            }
            if (e.DestName is not null)
            {
                c.Renamed++;
            }
            switch (e.Action)
            {
                case MirrorAction.CopyFile: c.FilesCopied++; c.BytesCopied += e.Source.Size; break;
                case MirrorAction.UpdateFile: c.FilesUpdated++; c.BytesCopied += e.Source.Size; break;
                case MirrorAction.CreateSymlink or MirrorAction.ReplaceSymlink: c.SymlinksCopied++; break;
                case MirrorAction.CreateSpecial: c.SpecialsCopied++; break;
                case MirrorAction.UpdateMetadata: c.MetadataUpdated++; break;
            }
        }
        foreach (DeleteOp del in _plan.Deletions)
        {
            if (Deletes(del) && !del.Declined)
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
        return BuildResult(c, whatIf: true, deletionSkipped: !_options.NoDelete && !_source.Complete && _plan.Deletions.Count > 0);
    }

    /// <summary>
    /// With <see cref="MirrorOptions.ReportSkips"/>: every entry the mirror leaves alone, and why,
    /// to the listener, once (after -Confirm, so declined actions are included).
    /// </summary>
    private void ReportSkips()
    {
        if (!_options.ReportSkips || _listener is null || _skipsReported)
        {
            return;
        }
        _skipsReported = true;
        string dest = _options.Destination;
        void Skip(SkipReason reason, string path, EntryKind kind) =>
            _listener.OnSkip(new MirrorSkip(reason, path, RelativePath.Display(dest, path), kind));

        foreach ((string path, EntryKind kind) in _plan.Unchanged ?? [])
        {
            Skip(SkipReason.Unchanged, path, kind);
        }
        var excludedInSource = new HashSet<string>(StringComparer.Ordinal);
        foreach ((string path, EntryKind kind) in _source.Counts.Excluded)
        {
            excludedInSource.Add(path);
            Skip(SkipReason.Excluded, path, kind);
        }
        foreach ((string path, EntryKind kind) in _dest.Counts.Excluded)
        {
            if (!excludedInSource.Contains(path))
            {
                Skip(SkipReason.ExcludedInDestination, path, kind);
            }
        }
        foreach (DeleteOp del in _plan.Deletions)
        {
            if (del.Declined)
            {
                Skip(SkipReason.Declined, del.RelativePath, del.Kind);
            }
            else if (!Deletes(del))
            {
                Skip(_options.NoDelete ? SkipReason.NotDeleted : SkipReason.SourceIncomplete, del.RelativePath, del.Kind);
            }
        }
        foreach (DirOp d in _plan.Directories)
        {
            if (d.Declined || d.MetadataDeclined)
            {
                Skip(SkipReason.Declined, d.RelativePath, EntryKind.Directory);
            }
        }
        foreach (EntryOp e in _plan.Entries)
        {
            if (e.Declined)
            {
                Skip(SkipReason.Declined, e.RelativePath, e.Source.Kind);
            }
        }
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
        SpecialFilesCopied = c.SpecialsCopied,
        SpecialFilesSkipped = _plan.SpecialsSkipped + c.SpecialsSkipped,
        EntriesVanished = _source.Counts.Vanished,
        BytesCopied = c.BytesCopied,
        Errors = c.Errors + _source.Errors.Count + _dest.Errors.Count + Interlocked.Read(ref _compareErrors) + _plan.NameCollisions.Count,
        DeletionSkipped = deletionSkipped,
        Duration = _stopwatch.Elapsed,
        ScanDuration = _scanDuration,
        WorkerCount = WorkerCount,
        FilesCloned = c.Cloned,
        FilesKernelCopied = c.KernelCopied,
        FilesStreamed = c.Streamed,
        FilesSparse = c.Sparse,
        DestinationFileSystem = _rules.Capabilities,
        ModifyWindow = _rules.WindowNs <= 1 ? TimeSpan.Zero : TimeSpan.FromTicks(_rules.WindowNs / 100),
        EntriesRenamed = c.Renamed,
        SymlinksSkipped = _plan.SymlinksSkipped,
        MetadataNotKept = MetadataNotKept(c),
        NoDelete = _options.NoDelete,
        Retries = c.Retries,
    };

    /// <summary>Entries written whose modes (or, as root, owners) the destination drops.</summary>
    private long MetadataNotKept(MirrorCounters c) =>
        !_rules.Capabilities.Permissions || (_fs.CanSetOwner && !_rules.Capabilities.Owners)
            ? c.FilesCopied + c.FilesUpdated + c.DirectoriesCreated + c.SymlinksCopied + c.MetadataUpdated
            : 0;

    /// <summary>Closes the trees' handles.</summary>
    public void Dispose()
    {
        _srcRoot.Dispose();
        _dstRoot?.Dispose();
    }
}
