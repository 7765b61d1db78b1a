using System.Collections.Concurrent;
using Blit.Errors;
using Blit.Mirror;
using Blit.Planning;
using Blit.Platform;
using Blit.Scanning;

namespace Blit.Execution;

/// <summary>
/// Carries out a plan in four phases: directories (top-down), files and symlinks (parallel,
/// largest first, each written to a temp name and renamed into place), deletions (only when
/// allowed), then directory metadata (bottom-up, so contents cannot disturb the mtimes).
/// </summary>
internal sealed class MirrorExecutor
{
    /// <summary>
    /// Entries per batch. A batch stays in one directory, and creating entries in one directory
    /// serializes on its lock in the kernel, so workers do best in different directories.
    /// </summary>
    private const int BatchEntries = 4096;

    /// <summary>
    /// A new directory is staged (see <see cref="DirOp.StagedName"/>) when its whole tree holds at
    /// most this many entries and bytes; a larger one is created in place, its files written
    /// unnamed, and its subdirectories considered one by one. So a killed run leaves at most this
    /// much per worker in staged trees for the next run to remove and copy again.
    /// </summary>
    internal const int StageMaxEntries = 4096;
    internal const long StageMaxBytes = 256L << 20;

    // Random start: in a container every run can be PID 1, and a run killed there leaves
    // '.~blit-1-<n>.tmp' names the next run would otherwise pick again (O_EXCL: EEXIST).
    private static int s_tempSequence = Random.Shared.Next();

    private readonly IMirrorFileSystem _fs;
    private readonly ExcludeFilter _exclude;
    private readonly IMirrorListener? _listener;
    private readonly bool _emitItems;
    private readonly MirrorCounters _counters;
    private readonly MirrorProgress _progress;
    private readonly string _destinationRoot;
    private readonly ByteProgress _byteProgress;
    private readonly TransientRetry? _retry;
    private volatile bool _writeFailed;

    public MirrorExecutor(IMirrorFileSystem fs, ExcludeFilter exclude, IMirrorListener? listener, bool emitItems,
        MirrorCounters counters, MirrorProgress progress, string destinationRoot, TransientRetry? retry = null)
    {
        _retry = retry;
        _fs = fs;
        _exclude = exclude;
        _listener = listener;
        _emitItems = emitItems;
        _counters = counters;
        _progress = progress;
        _destinationRoot = destinationRoot;
        _byteProgress = new ByteProgress(counters, progress);
    }

    /// <summary>True when a write failed for lack of space: deletions are then skipped.</summary>
    public bool WriteFailed => _writeFailed;

    internal static string NewTempName() =>
        $".~blit-{Environment.ProcessId:x}-{Interlocked.Increment(ref s_tempSequence):x}.tmp";

    /// <summary>One delegate for every new file, which asks for a temp name only in the rare fallbacks.</summary>
    private static readonly Func<string> s_newTempName = NewTempName;

    public void Execute(MirrorPlan plan, DirHandle srcRoot, DirHandle dstRoot, bool allowDeletion, int workers,
        CancellationToken cancellationToken)
    {
        Volatile.Write(ref _progress.PhaseField, (int)MirrorPhase.Copying);
        try
        {
            try
            {
                MeasureNewTrees(plan);
                CreateDirectories(plan, dstRoot, cancellationToken);
                CopyEntries(plan, srcRoot, dstRoot, workers, cancellationToken);
            }
            finally
            {
                // A staged tree is published as soon as its last batch is done; here go the rest, also
                // when cancelled: a staged tree holds only complete entries (a file that fails or is
                // cancelled mid-copy is removed), so it is published, not left behind as a temp.
                PublishStagedDirectories(plan, dstRoot);
            }

            Volatile.Write(ref _progress.PhaseField, (int)MirrorPhase.Deleting);
            bool deleteAll = allowDeletion && !_writeFailed;
            Delete(plan, dstRoot, deleteAll, workers, cancellationToken);
        }
        catch (OperationCanceledException)
        {
            // A stop leaves the directories this run created with their final mode and mtime (not
            // the private 0700 they are made with), partly filled: the next run completes them.
            SetDirectoryMetadata(plan, dstRoot, CancellationToken.None, createdOnly: true);
            throw;
        }

        Volatile.Write(ref _progress.PhaseField, (int)MirrorPhase.Finishing);
        SetDirectoryMetadata(plan, dstRoot, cancellationToken);
    }

    private void Report(BlitErrorCode code, string message, string? path, Exception? ex = null, bool warning = false)
    {
        if (!warning)
        {
            Interlocked.Increment(ref _counters.Errors);
        }
        _listener?.OnError(new BlitError(code, message, path, warning, ex));
    }

    private void Emit(MirrorAction action, string relativePath, EntryKind kind, long length)
    {
        if (_emitItems)
        {
            _listener?.OnItem(new MirrorItem(action, NameEncoding.Display(relativePath), Combine(_destinationRoot, relativePath), kind, length));
        }
    }

    private void Emit(EntryOp op)
    {
        if (_emitItems)
        {
            Emit(op.Action, op.RelativePath, op.Source.Kind, IsCopy(op.Action) ? op.Source.Size : 0);
        }
    }

    /// <summary>The full path of <paramref name="relative"/> for messages and items (bytes that are not UTF-8 shown as <c>\xNN</c>).</summary>
    internal static string Combine(string root, string relative) => NameEncoding.Display(
        relative.Length == 0 ? root : root.EndsWith('/') ? root + relative : root + "/" + relative);

    private DirHandle OpenPath(DirHandle root, string relativePath) => OpenPath(_fs, root, relativePath);

    /// <summary>Opens a directory below <paramref name="root"/> one component at a time, never following a symlink.</summary>
    internal static DirHandle OpenPath(IMirrorFileSystem fs, DirHandle root, string relativePath)
    {
        DirHandle current = fs.OpenDirectory(root, ".");
        if (relativePath.Length == 0)
        {
            return current;
        }
        try
        {
            foreach (string part in relativePath.Split('/'))
            {
                DirHandle next = fs.OpenDirectory(current, part);
                current.Dispose();
                current = next;
            }
            return current;
        }
        catch
        {
            current.Dispose();
            throw;
        }
    }

    // ---- Phase 1: directories, top-down -------------------------------------------------

    private void CreateDirectories(MirrorPlan plan, DirHandle dstRoot, CancellationToken cancellationToken)
    {
        // Pre-order walk keeping the chain of open ancestors, so each mkdir is one call.
        var chain = new Stack<(DirOp Op, DirHandle Handle)>();
        chain.Push((plan.Directories[0], _fs.OpenDirectory(dstRoot, ".")));
        try
        {
            for (int i = 1; i < plan.Directories.Count; i++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                DirOp op = plan.Directories[i];
                while (chain.Count > 1 && !IsAncestor(chain.Peek().Op, op))
                {
                    chain.Pop().Handle.Dispose();
                }
                if (!ReferenceEquals(chain.Peek().Op, op.Parent))
                {
                    continue; // the parent failed, was declined or is unreadable: nothing below it
                }
                DirHandle parent = chain.Peek().Handle;
                if (op.IsDeclined)
                {
                    continue;
                }
                try
                {
                    if (op.NeedsCreate)
                    {
                        if (op.DestKind is not null && _writeFailed)
                        {
                            op.Declined = true; // replacing the entry deletes it: not after a disk-full
                            continue;
                        }
                        if (op.DestKind is not null)
                        {
                            RemoveEntry(parent, op.Parent!, op.Name, op.DestKind.Value);
                        }
                        // Not in an append-only parent: the staged tree could not be renamed into place there.
                        bool stage = op.DestKind is null && !op.Parent!.InStagedTree &&
                                     op.SubtreeEntries <= StageMaxEntries && op.SubtreeBytes <= StageMaxBytes &&
                                     Restriction(parent, op.Parent) != DirectoryRestriction.AppendOnly;
                        string diskName = op.Name;
                        if (stage)
                        {
                            // A new tree is built under a temp name and renamed into place when its
                            // files are written, so they can be created under their own names (no
                            // O_TMPFILE orphan bookkeeping, no link per file) and still never be seen
                            // incomplete. Only trees up to the bounds: a killed run's staged trees
                            // are removed by the next run, which must not redo unbounded work.
                            diskName = NewTempName();
                        }
                        WithWritableRetry(parent, op.Parent!, null, () => _fs.CreateDirectory(parent, diskName));
                        if (stage)
                        {
                            op.StagedName = diskName;
                        }
                        op.InStagedTree = stage || op.Parent!.InStagedTree;
                        op.DiskPath = op.InStagedTree ? JoinPath(op.Parent!.DiskPath, diskName) : op.RelativePath;
                        op.Created = true;
                        op.Parent!.Touched = true;
                        Interlocked.Increment(ref _counters.DirectoriesCreated);
                        Emit(MirrorAction.CreateDirectory, op.RelativePath, EntryKind.Directory, 0);
                    }
                    else if (op.DestName is not null)
                    {
                        WithWritableRetry(parent, op.Parent!, op.DestName, () => _fs.Rename(parent, op.DestName, op.Name));
                        op.Parent!.Touched = true;
                        Interlocked.Increment(ref _counters.Renamed);
                        Emit(MirrorAction.Rename, op.RelativePath, EntryKind.Directory, 0);
                    }
                    if (op.SourceReadable)
                    {
                        DirHandle child = _fs.OpenDirectory(parent, op.StagedName ?? op.Name);
                        chain.Push((op, op.StagedName is null ? child : child.Relabel(Combine(_destinationRoot, op.RelativePath))));
                    }
                }
                catch (Exception ex) when (ex is IOException or BlitException)
                {
                    op.Declined = true; // nothing below it can be written
                    Report(IsDiskFull(ex) ? BlitErrorCode.DiskFull : BlitErrorCode.CreateFailed,
                        $"Cannot create directory: {ex.Message}", Combine(_destinationRoot, op.RelativePath), ex);
                    if (IsDiskFull(ex))
                    {
                        _writeFailed = true;
                    }
                }
            }
        }
        finally
        {
            while (chain.Count > 0)
            {
                chain.Pop().Handle.Dispose();
            }
        }
    }

    private static string JoinPath(string parent, string name) => parent.Length == 0 ? name : parent + "/" + name;

    /// <summary>Counts the entries to write and bytes to copy below each directory, to bound staging.</summary>
    private static void MeasureNewTrees(MirrorPlan plan)
    {
        foreach (EntryOp op in plan.Entries)
        {
            op.Dir.SubtreeEntries++;
            op.Dir.SubtreeBytes += IsCopy(op.Action) ? op.Source.Size : 0;
        }
        for (int i = plan.Directories.Count - 1; i > 0; i--) // children come after their parent
        {
            DirOp dir = plan.Directories[i];
            dir.Parent!.SubtreeEntries += dir.SubtreeEntries + 1;
            dir.Parent.SubtreeBytes += dir.SubtreeBytes;
        }
    }

    /// <summary>Publishes every staged directory not yet published (see <see cref="Publish"/>).</summary>
    private void PublishStagedDirectories(MirrorPlan plan, DirHandle dstRoot)
    {
        foreach (DirOp op in plan.Directories)
        {
            if (op.StagedName is not null)
            {
                Publish(op, dstRoot);
            }
        }
    }

    /// <summary>
    /// Renames the staged directory <paramref name="op"/> to its own name. If the name was taken
    /// meanwhile, that is reported and the staged tree removed: the entry that appeared is left
    /// alone, and the next run copies the tree again.
    /// </summary>
    private void Publish(DirOp op, DirHandle dstRoot)
    {
        string staged = op.StagedName!;
        DirHandle parent;
        try
        {
            parent = OpenPath(dstRoot, op.Parent!.DiskPath); // never staged itself: its path is stable
        }
        catch (IOException ex)
        {
            op.Declined = true; // its metadata is not set either; the next run removes the staged tree
            op.StagedName = null;
            Report(BlitErrorCode.CreateFailed, $"Cannot move the new directory into place: {ex.Message}",
                Combine(_destinationRoot, op.RelativePath), ex);
            return;
        }
        using (parent)
        {
            try
            {
                _fs.RenameNoReplace(parent, staged, op.Name);
                op.DiskPath = op.RelativePath;
                op.StagedName = null;
            }
            catch (IOException ex)
            {
                op.Declined = true;
                op.StagedName = null;
                Report(IsDiskFull(ex) ? BlitErrorCode.DiskFull : BlitErrorCode.CreateFailed,
                    $"Cannot move the new directory into place; what was copied into it is removed and the next run copies it again: {ex.Message}",
                    Combine(_destinationRoot, op.RelativePath), ex);
                // Nothing in it was in the destination before this run: not a deletion to count, and
                // what cannot be removed is a warning (the next run removes it).
                _ = DeleteTree(parent, op.Parent!.DiskPath, staged, stagedTree: true);
            }
        }
    }

    private static bool IsAncestor(DirOp candidate, DirOp op)
    {
        for (DirOp? d = op.Parent; d is not null; d = d.Parent)
        {
            if (ReferenceEquals(d, candidate))
            {
                return true;
            }
        }
        return false;
    }

    private static bool IsDiskFull(Exception ex) => ex is NativeIOException { IsDiskFull: true };

    /// <summary>
    /// Runs a write of <paramref name="name"/> in <paramref name="dir"/>; if it is refused, lets the
    /// backend lift the write protection (see <see cref="IMirrorFileSystem.MakeWritable"/>) and retries once.
    /// </summary>
    private void WithWritableRetry(DirHandle dir, DirOp dirOp, string? name, Action write)
    {
        try
        {
            write();
        }
        catch (NativeIOException ex) when (ex.Kind == IOErrorKind.PermissionDenied)
        {
            if (!MakeWritable(dir, dirOp, name))
            {
                throw;
            }
            write();
        }
    }

    /// <summary>Renames a temp entry over <paramref name="name"/>, lifting a write protection on it once (no closure: the copy path calls it).</summary>
    private void RenameOver(DirHandle dir, DirOp dirOp, string temp, string name)
    {
        try
        {
            _fs.Rename(dir, temp, name);
        }
        catch (NativeIOException ex) when (ex.Kind == IOErrorKind.PermissionDenied)
        {
            if (!MakeWritable(dir, dirOp, name))
            {
                throw;
            }
            _fs.Rename(dir, temp, name);
        }
    }

    private bool MakeWritable(DirHandle dir, DirOp? dirOp, string? name)
    {
        if (!_fs.MakeWritable(dir, name))
        {
            return false;
        }
        if (dirOp is not null)
        {
            dirOp.Touched = true; // the final mode is restored in the metadata phase
        }
        return true;
    }

    // ---- Phase 2: files and symlinks, parallel -------------------------------------------

    private sealed class Batch
    {
        public required DirOp Dir;
        public required List<EntryOp> Ops;
        public long Bytes;
        /// <summary>The staged directory this batch writes into, published when its last batch is done.</summary>
        public DirOp? StagedRoot;
    }

    private static DirOp? StagedRootOf(DirOp dir)
    {
        for (DirOp? d = dir; d is not null && d.InStagedTree; d = d.Parent)
        {
            if (d.StagedName is not null)
            {
                return d;
            }
        }
        return null;
    }

    private static List<Batch> MakeBatches(MirrorPlan plan)
    {
        var batches = new List<Batch>();
        Batch? current = null;
        foreach (EntryOp op in plan.Entries)
        {
            if (op.Declined)
            {
                continue;
            }
            long bytes = IsCopy(op.Action) ? op.Source.Size : 0;
            if (bytes >= WorkerPlanner.LargeFileBytes)
            {
                batches.Add(Counted(new Batch { Dir = op.Dir, Ops = [op], Bytes = bytes, StagedRoot = StagedRootOf(op.Dir) }));
                continue;
            }
            if (current is null || !ReferenceEquals(current.Dir, op.Dir) || current.Ops.Count >= BatchEntries)
            {
                current = Counted(new Batch { Dir = op.Dir, Ops = [], StagedRoot = StagedRootOf(op.Dir) });
                batches.Add(current);
            }
            current.Ops.Add(op);
            current.Bytes += bytes;
        }
        // Largest first: a big file starts at once and small batches fill the other workers.
        batches.Sort(static (a, b) => b.Bytes.CompareTo(a.Bytes));
        return batches;

        static Batch Counted(Batch batch)
        {
            if (batch.StagedRoot is not null)
            {
                batch.StagedRoot.PendingBatches++;
            }
            return batch;
        }
    }

    private static bool IsCopy(MirrorAction action) => action is MirrorAction.CopyFile or MirrorAction.UpdateFile;

    private void CopyEntries(MirrorPlan plan, DirHandle srcRoot, DirHandle dstRoot, int workers, CancellationToken cancellationToken)
    {
        List<Batch> batches = MakeBatches(plan);
        if (batches.Count == 0)
        {
            return;
        }
        RunParallel(batches, workers, batch =>
        {
            try
            {
                RunBatch(batch, srcRoot, dstRoot, cancellationToken);
            }
            finally
            {
                // The last batch of a staged tree publishes it at once, so a long run shows each
                // new tree as soon as it is complete, and a killed run loses only unfinished ones.
                if (batch.StagedRoot is { } root && Interlocked.Decrement(ref root.PendingBatches) == 0)
                {
                    Publish(root, dstRoot);
                }
            }
        }, cancellationToken);
    }

    /// <summary>Runs <paramref name="work"/> over items on dedicated threads; rethrows the first unexpected exception.</summary>
    internal static void RunParallel<T>(IReadOnlyList<T> items, int workers, Action<T> work, CancellationToken cancellationToken)
    {
        int next = -1;
        Exception? failure = null;
        void Loop()
        {
            try
            {
                int i;
                while (Volatile.Read(ref failure) is null && (i = Interlocked.Increment(ref next)) < items.Count)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    work(items[i]);
                }
            }
            catch (Exception ex)
            {
                Interlocked.CompareExchange(ref failure, ex, null);
            }
        }
        int count = Math.Clamp(workers, 1, items.Count);
        if (count == 1)
        {
            Loop();
        }
        else
        {
            var threads = new Thread[count - 1];
            for (int t = 0; t < threads.Length; t++)
            {
                threads[t] = new Thread(Loop) { IsBackground = true, Name = "blit-worker" };
                threads[t].Start();
            }
            Loop();
            foreach (Thread thread in threads)
            {
                thread.Join();
            }
        }
        if (failure is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(failure).Throw();
        }
    }

    private void RunBatch(Batch batch, DirHandle srcRoot, DirHandle dstRoot, CancellationToken cancellationToken)
    {
        if (batch.Dir.IsDeclined)
        {
            return;
        }
        DirHandle? src = null;
        DirHandle? dst = null;
        try
        {
            try
            {
                dst = OpenPath(dstRoot, batch.Dir.DiskPath);
                if (batch.Dir.InStagedTree)
                {
                    dst = dst.Relabel(Combine(_destinationRoot, batch.Dir.RelativePath)); // messages name the final path
                }
                if (batch.Ops.Exists(o => o.Action != MirrorAction.UpdateMetadata || o.Source.Kind == EntryKind.Symlink))
                {
                    src = OpenPath(srcRoot, batch.Dir.RelativePath);
                }
            }
            catch (IOException ex)
            {
                foreach (EntryOp op in batch.Ops)
                {
                    Report(BlitErrorCode.CopyFailed, $"Cannot open the directory of '{NameEncoding.Display(op.RelativePath)}': {ex.Message}",
                        Combine(_destinationRoot, op.RelativePath), ex);
                }
                return;
            }
            foreach (EntryOp op in batch.Ops)
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (_writeFailed && IsCopy(op.Action))
                {
                    return;
                }
                if (_writeFailed && op.DestKind == EntryKind.Directory)
                {
                    continue; // replacing it would delete a directory tree, and nothing is deleted after a disk-full
                }
                RunOne(op, src, dst, cancellationToken);
            }
        }
        finally
        {
            src?.Dispose();
            dst?.Dispose();
        }
    }

    /// <summary>
    /// Copy progress as it happens, for the progress bar. The result's BytesCopied counts only
    /// what arrived: the bytes of one copy (on its worker thread) are added when it succeeds and
    /// taken back from the bar when it fails (see <see cref="Apply"/>).
    /// </summary>
    private sealed class ByteProgress(MirrorCounters counters, MirrorProgress progress) : IProgress<long>
    {
        [ThreadStatic]
        private static long t_entryBytes;

        public void Report(long value)
        {
            t_entryBytes += value;
            Interlocked.Add(ref progress.BytesDoneField, value);
        }

        public static void Begin() => t_entryBytes = 0;

        public void Arrived() => Interlocked.Add(ref counters.BytesCopied, t_entryBytes);

        public void Lost()
        {
            Interlocked.Add(ref progress.BytesDoneField, -t_entryBytes);
            t_entryBytes = 0;
        }
    }

    private void Apply(EntryOp op, DirHandle? src, DirHandle dst, CancellationToken cancellationToken)
    {
        ByteProgress.Begin();
        try
        {
            if (op.DestName is not null)
            {
                // The same entry under the source's spelling (a case-insensitive destination).
                WithWritableRetry(dst, op.Dir, op.DestName, () => _fs.Rename(dst, op.DestName, op.Name));
                op.Dir.Touched = true;
                Interlocked.Increment(ref _counters.Renamed);
            }
            switch (op.Action)
            {
                case MirrorAction.CopyFile:
                case MirrorAction.UpdateFile:
                    CopyOne(op, src!, dst, cancellationToken);
                    break;
                case MirrorAction.CreateSymlink:
                case MirrorAction.ReplaceSymlink:
                    LinkOne(op, dst);
                    break;
                case MirrorAction.CreateSpecial:
                    if (!SpecialOne(op, dst))
                    {
                        return; // not permitted here: counted, warned once per run
                    }
                    break;
                case MirrorAction.UpdateMetadata:
                    _fs.SetMetadata(dst, op.Name, op.Source);
                    Interlocked.Increment(ref _counters.MetadataUpdated);
                    break;
            }
        }
        catch
        {
            _byteProgress.Lost();
            throw;
        }
        _byteProgress.Arrived();
    }

    private void RunOne(EntryOp op, DirHandle? src, DirHandle dst, CancellationToken cancellationToken)
    {
        try
        {
            if (_retry is null)
            {
                Apply(op, src, dst, cancellationToken);
            }
            else
            {
                _retry.Run((this, op, src, dst, cancellationToken), static s => s.Item1.Apply(s.op, s.src, s.dst, s.cancellationToken),
                    Combine(_destinationRoot, op.RelativePath), cancellationToken);
            }
            Emit(op);
        }
        catch (BlitException ex)
        {
            Report(ex.Code, ex.Message, ex.Path ?? Combine(_destinationRoot, op.RelativePath), ex);
        }
        catch (IOException ex)
        {
            string destPath = Combine(_destinationRoot, op.RelativePath);
            bool full = IsDiskFull(ex);
            if (full)
            {
                _writeFailed = true;
            }
            Report(full ? BlitErrorCode.DiskFull : BlitErrorCode.CopyFailed,
                full ? $"The destination is full; '{NameEncoding.Display(op.RelativePath)}' was not written and no deletions will be made: {ex.Message}"
                     : $"Cannot write '{NameEncoding.Display(op.RelativePath)}': {ex.Message}",
                destPath, ex);
        }
        finally
        {
            Interlocked.Increment(ref _progress.FilesDoneField);
        }
    }

    private void CopyOne(EntryOp op, DirHandle src, DirHandle dst, CancellationToken cancellationToken)
    {
        // The common case, a new file, allocates nothing here: no temp name, no closure (Copy is a
        // local function, not a delegate), one shared progress sink (a run of 100k small files
        // allocated about 1 KiB per file before).
        string? temp = op.DestKind is null ? null : NewTempName();
        if (temp is not null)
        {
            RefuseReplacementIfAppendOnly(dst, op);
        }
        CopyMethod method;
        try
        {
            method = Copy();
        }
        catch (NativeIOException ex) when (ex.Kind == IOErrorKind.PermissionDenied)
        {
            if (!MakeWritable(dst, op.Dir, null))
            {
                throw;
            }
            method = Copy();
        }
        op.Dir.Touched = true;
        if (temp is not null)
        {
            try
            {
                if (op.DestKind == EntryKind.Directory)
                {
                    DeleteReplacedTree(dst, op);
                }
                RenameOver(dst, op.Dir, temp, op.Name);
            }
            catch
            {
                RemoveTemp(dst, temp);
                throw;
            }
        }
        Interlocked.Increment(ref op.Action == MirrorAction.CopyFile ? ref _counters.FilesCopied : ref _counters.FilesUpdated);
        switch (method)
        {
            case CopyMethod.Clone: Interlocked.Increment(ref _counters.Cloned); break;
            case CopyMethod.Kernel: Interlocked.Increment(ref _counters.KernelCopied); break;
            case CopyMethod.Stream: Interlocked.Increment(ref _counters.Streamed); break;
            case CopyMethod.Sparse: Interlocked.Increment(ref _counters.Sparse); break;
        }

        // A new file appears under its name complete, or not at all; a replacement is written to
        // the temp name and renamed over the old entry above. Inside a staged directory nobody sees
        // a file until the directory is published, so it is written under its own name, and a
        // failed or cancelled copy removes it.
        CopyMethod Copy() => temp is not null
            ? _fs.CopyFile(src, op.Name, op.Source, dst, temp, _byteProgress, cancellationToken)
            : op.Dir.InStagedTree
                ? _fs.CopyFile(src, op.Name, op.Source, dst, op.Name, _byteProgress, cancellationToken)
                : _fs.CopyNewFile(src, op.Name, op.Source, dst, s_newTempName, _byteProgress, cancellationToken);
    }

    private void LinkOne(EntryOp op, DirHandle dst)
    {
        if (op.DestKind is not null)
        {
            RefuseReplacementIfAppendOnly(dst, op);
        }
        else if (Restriction(dst, op.Dir) == DirectoryRestriction.AppendOnly)
        {
            // No rename is possible there, and a symlink is created whole anyway: make it under its name.
            _fs.CreateSymlink(dst, op.Name, op.LinkTarget!, op.Source);
            op.Dir.Touched = true;
            _fs.SetMetadata(dst, op.Name, op.Source);
            Interlocked.Increment(ref _counters.SymlinksCopied);
            return;
        }
        string temp = NewTempName();
        WithWritableRetry(dst, op.Dir, null, () => _fs.CreateSymlink(dst, temp, op.LinkTarget!, op.Source));
        op.Dir.Touched = true;
        try
        {
            _fs.SetMetadata(dst, temp, op.Source);
            if (op.DestKind == EntryKind.Directory)
            {
                DeleteTree(dst, op.Dir.RelativePath, op.Name);
            }
            RenameOver(dst, op.Dir, temp, op.Name);
        }
        catch
        {
            _fs.Remove(dst, temp, isDirectory: false);
            throw;
        }
        Interlocked.Increment(ref _counters.SymlinksCopied);
    }

    /// <summary>
    /// Makes a FIFO, socket or device under a temp name, with its metadata, then renames it over
    /// whatever stale entry has the name (a directory's tree is deleted first). False when the
    /// destination may not hold it: the stale entry is then left as it is.
    /// </summary>
    private bool SpecialOne(EntryOp op, DirHandle dst)
    {
        string temp = NewTempName();
        try
        {
            WithWritableRetry(dst, op.Dir, null, () => _fs.CreateSpecial(dst, temp, op.Source));
        }
        catch (NativeIOException ex) when (ex.IsNotPermitted)
        {
            Interlocked.Increment(ref _counters.SpecialsSkipped);
            Interlocked.CompareExchange(ref _counters.FirstSkippedSpecial, Combine(_destinationRoot, op.RelativePath), null);
            return false;
        }
        op.Dir.Touched = true;
        try
        {
            _fs.SetMetadata(dst, temp, op.Source);
            if (op.DestKind == EntryKind.Directory)
            {
                DeleteReplacedTree(dst, op);
            }
            _fs.Rename(dst, temp, op.Name);
        }
        catch
        {
            RemoveTemp(dst, temp);
            throw;
        }
        Interlocked.Increment(ref _counters.SpecialsCopied);
        return true;
    }

    /// <summary>What the destination directory of <paramref name="dirOp"/> forbids; asked once per directory.</summary>
    private DirectoryRestriction Restriction(DirHandle dir, DirOp dirOp) => dirOp.Restriction ??= _fs.GetRestriction(dir);

    /// <summary>
    /// In an append-only directory (chattr +a) an entry can be added but neither replaced nor
    /// removed: a replacement written to a temp name could not be renamed over the old entry, nor
    /// the temp file removed again, and every later run would meet it. So nothing is written.
    /// </summary>
    private void RefuseReplacementIfAppendOnly(DirHandle dst, EntryOp op)
    {
        if (Restriction(dst, op.Dir) == DirectoryRestriction.AppendOnly)
        {
            string path = Combine(_destinationRoot, op.RelativePath);
            throw new BlitException(BlitErrorCode.CopyFailed,
                $"Cannot replace '{op.RelativePath}': its directory is append-only (chattr +a), so an entry there can be added " +
                "but not replaced; nothing was written.", path);
        }
    }

    /// <summary>Removes a temp entry after a failure; one that cannot be removed is a warning (the next run removes it).</summary>
    private void RemoveTemp(DirHandle dir, string temp)
    {
        try
        {
            _fs.Remove(dir, temp, isDirectory: false);
        }
        catch (IOException ex)
        {
            Report(BlitErrorCode.DeleteFailed, $"Cannot remove a temp file; the next run removes it: {ex.Message}", dir.Child(temp), ex,
                warning: true);
        }
    }

    // ---- Phase 3: deletions ---------------------------------------------------------------

    private void Delete(MirrorPlan plan, DirHandle dstRoot, bool deleteAll, int workers, CancellationToken cancellationToken)
    {
        var groups = new List<List<DeleteOp>>();
        foreach (var group in plan.Deletions.Where(d => !d.Declined && (deleteAll || d.IsStaleTemp)).GroupBy(d => d.ParentPath))
        {
            groups.Add([.. group]);
        }
        if (groups.Count == 0)
        {
            return;
        }
        RunParallel(groups, workers, group =>
        {
            DirHandle parent;
            try
            {
                parent = OpenPath(dstRoot, group[0].ParentPath);
            }
            catch (IOException ex)
            {
                Report(BlitErrorCode.DeleteFailed, $"Cannot open directory to delete from: {ex.Message}",
                    Combine(_destinationRoot, group[0].ParentPath), ex);
                return;
            }
            using (parent)
            {
                List<string>? permanentTemps = null;
                foreach (DeleteOp del in group)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    if (del.IsStaleTemp && del.Parent is not null &&
                        Restriction(parent, del.Parent) is DirectoryRestriction.AppendOnly or DirectoryRestriction.Immutable)
                    {
                        (permanentTemps ??= []).Add(del.Name);
                        continue;
                    }
                    try
                    {
                        if (del.Parent is not null)
                        {
                            del.Parent.Touched = true;
                        }
                        if (del.Kind == EntryKind.Directory)
                        {
                            if (!DeleteTree(parent, del.ParentPath, del.Name))
                            {
                                continue; // what could not be deleted is reported, and the rest went
                            }
                        }
                        else
                        {
                            RemoveEntry(parent, del.Parent, del.Name, del.Kind);
                        }
                        Emit(MirrorAction.Delete, del.RelativePath, del.Kind, 0);
                    }
                    catch (IOException ex)
                    {
                        Report(BlitErrorCode.DeleteFailed, $"Cannot delete: {ex.Message}",
                            Combine(_destinationRoot, del.RelativePath), ex);
                    }
                }
                if (permanentTemps is not null)
                {
                    // Left by an older Blit or a killed run before the attribute was set: nothing can
                    // remove them until it is cleared, so say so once, as a warning, not an error per run.
                    string dir = Combine(_destinationRoot, group[0].ParentPath);
                    Report(BlitErrorCode.DeleteFailed,
                        $"Cannot remove {permanentTemps.Count} temp file(s) an earlier run left in '{dir}': the directory is " +
                        $"append-only or immutable (chattr +a/+i); clear the attribute to let Blit remove them: {string.Join(", ", permanentTemps)}",
                        dir, warning: true);
                }
            }
        }, cancellationToken);
    }

    /// <summary>Removes a non-directory entry (or a directory tree), making a read-only parent writable if needed.</summary>
    private void RemoveEntry(DirHandle parent, DirOp? parentOp, string name, EntryKind kind)
    {
        if (kind == EntryKind.Directory)
        {
            string parentPath = parentOp?.RelativePath ?? string.Empty;
            if (!DeleteTree(parent, parentPath, name))
            {
                throw new BlitException(BlitErrorCode.DeleteFailed,
                    $"Cannot delete the directory '{JoinPath(parentPath, name)}': not everything in it could be deleted.",
                    Combine(_destinationRoot, JoinPath(parentPath, name)));
            }
            return;
        }
        bool madeWritable = false;
        Remove(parent, name, isDirectory: false, ref madeWritable);
        if (madeWritable && parentOp is not null)
        {
            parentOp.Touched = true;
        }
        Interlocked.Increment(ref _counters.FilesDeleted);
    }

    /// <summary>Deletes the destination directory that the file or symlink <paramref name="op"/> replaces.</summary>
    private void DeleteReplacedTree(DirHandle dst, EntryOp op)
    {
        if (!DeleteTree(dst, op.Dir.RelativePath, op.Name))
        {
            throw new BlitException(BlitErrorCode.CopyFailed,
                $"Cannot replace the directory '{op.RelativePath}': not everything in it could be deleted.",
                Combine(_destinationRoot, op.RelativePath));
        }
    }

    /// <summary>
    /// Removes an entry; where permission is denied, makes <paramref name="dir"/> writable once and
    /// tries again. If that does not help, the removal's own error is what is thrown.
    /// </summary>
    private void Remove(DirHandle dir, string name, bool isDirectory, ref bool madeWritable)
    {
        try
        {
            _fs.Remove(dir, name, isDirectory);
        }
        catch (NativeIOException ex) when (!madeWritable && ex.IsPermissionDenied)
        {
            madeWritable = true;
            bool lifted;
            try
            {
                // The backend lifts what protects the entry: the directory's mode on Linux, the
                // entry's ReadOnly attribute on Windows.
                lifted = _fs.MakeWritable(dir, name);
            }
            catch (IOException)
            {
                lifted = false;
            }
            if (!lifted)
            {
                // An immutable or append-only directory, or nothing to lift: say why the entry could not go.
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(ex).Throw();
            }
            _fs.Remove(dir, name, isDirectory);
        }
    }

    /// <summary>
    /// Deletes the directory <paramref name="name"/> and everything in it, read live (never
    /// following symlinks). Excluded entries inside are kept, and so is the directory then. An
    /// entry that cannot be deleted is reported, each one, and the rest still goes, as rsync does;
    /// the directories holding it stay. Returns true when the directory is gone.
    /// </summary>
    /// <param name="parent">The open directory holding it.</param>
    /// <param name="parentPath">That directory's path relative to the destination root.</param>
    /// <param name="name">The directory to delete.</param>
    /// <param name="stagedTree">A staged directory of this run: nothing is counted, and what cannot
    /// be removed is a warning (the next run removes it).</param>
    private bool DeleteTree(DirHandle parent, string parentPath, string name, bool stagedTree = false)
    {
        string relative = JoinPath(parentPath, name);
        bool complete = true;
        bool kept = false;
        DirHandle dir;
        TreeEntry[] entries;
        try
        {
            dir = _fs.OpenDirectory(parent, name);
        }
        catch (NativeIOException ex) when (ex.IsNotFound)
        {
            return true; // gone already
        }
        catch (IOException ex)
        {
            ReportDeleteFailure(relative, ex, stagedTree);
            return false;
        }
        using (dir)
        {
            try
            {
                entries = _fs.ReadDirectory(dir, readLinkTargets: false);
            }
            catch (IOException ex)
            {
                ReportDeleteFailure(relative, ex, stagedTree);
                return false;
            }
            bool madeWritable = false;
            foreach (TreeEntry entry in entries)
            {
                string childPath = relative + "/" + entry.Name;
                if (!_exclude.IsEmpty && _exclude.IsExcluded(childPath, entry.Name, entry.Kind == EntryKind.Directory))
                {
                    kept = true;
                    continue;
                }
                if (entry.Kind == EntryKind.Directory)
                {
                    complete &= DeleteTree(dir, relative, entry.Name, stagedTree);
                    continue;
                }
                try
                {
                    Remove(dir, entry.Name, isDirectory: false, ref madeWritable);
                }
                catch (IOException ex)
                {
                    ReportDeleteFailure(childPath, ex, stagedTree);
                    complete = false;
                    continue;
                }
                if (!stagedTree)
                {
                    Interlocked.Increment(ref _counters.FilesDeleted);
                }
            }
        }
        if (kept)
        {
            Report(BlitErrorCode.DirectoryNotEmpty,
                $"Kept directory '{NameEncoding.Display(relative)}': it holds excluded entries.", Combine(_destinationRoot, relative), warning: true);
            return false;
        }
        if (!complete)
        {
            return false; // each entry that stays is reported; its directories stay with it
        }
        try
        {
            bool parentWritable = false;
            Remove(parent, name, isDirectory: true, ref parentWritable);
        }
        catch (IOException ex)
        {
            ReportDeleteFailure(relative, ex, stagedTree);
            return false;
        }
        if (!stagedTree)
        {
            Interlocked.Increment(ref _counters.DirectoriesDeleted);
        }
        return true;
    }

    private void ReportDeleteFailure(string relativePath, IOException ex, bool stagedTree) =>
        Report(BlitErrorCode.DeleteFailed,
            stagedTree ? $"Cannot remove a staged directory; the next run removes it: {ex.Message}" : $"Cannot delete: {ex.Message}",
            Combine(_destinationRoot, relativePath), ex, warning: stagedTree);

    // ---- Phase 4: directory metadata, bottom-up ----------------------------------------------

    /// <summary>True when the destination directory of <paramref name="op"/> is append-only (asked after a failure).</summary>
    private bool IsAppendOnly(DirHandle dstRoot, DirOp op)
    {
        try
        {
            using DirHandle dir = OpenPath(dstRoot, op.RelativePath);
            return Restriction(dir, op) == DirectoryRestriction.AppendOnly;
        }
        catch (IOException)
        {
            return false;
        }
    }

    private void SetDirectoryMetadata(MirrorPlan plan, DirHandle dstRoot, CancellationToken cancellationToken,
        bool createdOnly = false)
    {
        for (int i = plan.Directories.Count - 1; i >= 0; i--)
        {
            cancellationToken.ThrowIfCancellationRequested();
            DirOp op = plan.Directories[i];
            if (op.IsDeclined || op.MetadataDeclined || !(op.MetadataDiffers || op.Touched || op.Created) ||
                (createdOnly && (!op.Created || op.StagedName is not null)))
            {
                continue;
            }
            try
            {
                if (op.Parent is null)
                {
                    _fs.SetMetadata(dstRoot, op.Source);
                }
                else
                {
                    using DirHandle parent = OpenPath(dstRoot, op.Parent.RelativePath);
                    _fs.SetMetadata(parent, op.Name, op.Source);
                }
                if (op.MetadataDiffers && !op.Created)
                {
                    Interlocked.Increment(ref _counters.MetadataUpdated);
                    Emit(MirrorAction.UpdateMetadata, op.RelativePath, EntryKind.Directory, 0);
                }
            }
            catch (IOException ex)
            {
                bool appendOnly = ex is NativeIOException { IsPermissionDenied: true } && IsAppendOnly(dstRoot, op);
                Report(BlitErrorCode.MetadataFailed, appendOnly
                        ? $"Cannot set directory metadata: the directory is append-only (chattr +a), which keeps its mode, owner and mtime as they are: {ex.Message}"
                        : $"Cannot set directory metadata: {ex.Message}",
                    Combine(_destinationRoot, op.RelativePath), ex, warning: appendOnly);
            }
        }
    }
}
