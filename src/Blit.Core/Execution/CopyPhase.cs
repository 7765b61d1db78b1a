using Blit.Errors;
using Blit.Mirror;
using Blit.Planning;
using Blit.Platform;

namespace Blit.Execution;

/// <summary>
/// Phase 2, in parallel: files, symlinks, special files and entry metadata, batch by batch in the
/// plan's order (<see cref="BatchPlanner"/>), each replacement written to a temp name and renamed
/// into place. A staged tree is published as soon as its last batch is done.
/// </summary>
internal sealed class CopyPhase
{
    private readonly RunContext _run;
    private readonly IMirrorFileSystem _fs;
    private readonly EntryRemover _remover;
    private readonly StagedDirectories _staging;
    private readonly ByteProgress _byteProgress;

    public CopyPhase(RunContext run, EntryRemover remover, StagedDirectories staging)
    {
        _run = run;
        _fs = run.Fs;
        _remover = remover;
        _staging = staging;
        _byteProgress = new ByteProgress(run.Counters, run.Progress);
    }

    public void Run(MirrorPlan plan, DirHandle srcRoot, DirHandle dstRoot, int workers, CancellationToken cancellationToken)
    {
        List<CopyBatch> batches = BatchPlanner.Batches(plan);
        if (batches.Count == 0)
        {
            return;
        }
        var work = new List<(CopyBatch Batch, DirOp? StagedRoot)>(batches.Count);
        foreach (CopyBatch batch in batches)
        {
            DirOp? stagedRoot = _staging.StagedRootOf(batch.Dir);
            if (stagedRoot is not null)
            {
                _run[stagedRoot].PendingBatches++;
            }
            work.Add((batch, stagedRoot));
        }
        WorkerPool.Run(work, workers, item =>
        {
            try
            {
                RunBatch(item.Batch, srcRoot, dstRoot, cancellationToken);
            }
            finally
            {
                // The last batch of a staged tree publishes it at once, so a long run shows each
                // new tree as soon as it is complete, and a killed run loses only unfinished ones.
                if (item.StagedRoot is { } root && Interlocked.Decrement(ref _run[root].PendingBatches) == 0)
                {
                    _staging.Publish(root, dstRoot);
                }
            }
        }, cancellationToken);
    }

    private void RunBatch(CopyBatch batch, DirHandle srcRoot, DirHandle dstRoot, CancellationToken cancellationToken)
    {
        if (_run.IsAbandoned(batch.Dir))
        {
            return;
        }
        DirHandle? src = null;
        DirHandle? dst = null;
        try
        {
            try
            {
                dst = _run.Open(dstRoot, _run.DiskPath(batch.Dir));
                if (_run[batch.Dir].InStagedTree)
                {
                    dst = dst.Relabel(_run.Display(batch.Dir.RelativePath)); // messages name the final path
                }
                if (batch.Ops.Exists(o => o.Action != MirrorAction.UpdateMetadata || o.Source.Kind == EntryKind.Symlink))
                {
                    src = _run.Open(srcRoot, batch.Dir.RelativePath);
                }
            }
            catch (IOException ex)
            {
                foreach (EntryOp op in batch.Ops)
                {
                    _run.Report(BlitErrorCode.CopyFailed, $"Cannot open the directory of '{NameEncoding.Display(op.RelativePath)}': {ex.Message}",
                        _run.Display(op.RelativePath), ex);
                }
                return;
            }
            foreach (EntryOp op in batch.Ops)
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (_run.WriteFailed && IsCopy(op.Action))
                {
                    return;
                }
                if (_run.WriteFailed && op.DestKind == EntryKind.Directory)
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

    private static bool IsCopy(MirrorAction action) => action is MirrorAction.CopyFile or MirrorAction.UpdateFile;

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
                _run.Writes.Run(dst, op.DestName, _run[op.Dir], (_fs, dst, op.DestName, op.Name),
                    static s => s._fs.Rename(s.dst, s.DestName, s.Name));
                _run[op.Dir].Touched = true;
                Interlocked.Increment(ref _run.Counters.Renamed);
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
                    Interlocked.Increment(ref _run.Counters.MetadataUpdated);
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
            if (_run.Retry is not { } retry)
            {
                Apply(op, src, dst, cancellationToken);
            }
            else
            {
                retry.Run((this, op, src, dst, cancellationToken), static s => s.Item1.Apply(s.op, s.src, s.dst, s.cancellationToken),
                    _run.Display(op.RelativePath), cancellationToken);
            }
            _run.Emit(op);
        }
        catch (BlitException ex)
        {
            _run.Report(ex.Code, ex.Message, ex.Path ?? _run.Display(op.RelativePath), ex);
        }
        catch (IOException ex)
        {
            string destPath = _run.Display(op.RelativePath);
            bool full = _run.NoteDiskFull(ex);
            _run.Report(full ? BlitErrorCode.DiskFull : BlitErrorCode.CopyFailed,
                full ? $"The destination is full; '{NameEncoding.Display(op.RelativePath)}' was not written and no deletions will be made: {ex.Message}"
                     : $"Cannot write '{NameEncoding.Display(op.RelativePath)}': {ex.Message}",
                destPath, ex);
        }
        finally
        {
            Interlocked.Increment(ref _run.Progress.FilesDoneField);
        }
    }

    private void CopyOne(EntryOp op, DirHandle src, DirHandle dst, CancellationToken cancellationToken)
    {
        // The common case, a new file, allocates nothing here: no temp name, no closure (a static
        // lambda over a struct state), one shared progress sink (a run of 100k small files
        // allocated about 1 KiB per file before).
        string? temp = op.DestKind is null ? null : TempName.New();
        if (temp is not null)
        {
            RefuseReplacementIfAppendOnly(dst, op);
        }
        CopyMethod method = _run.Writes.Run(dst, null, _run[op.Dir], (this, op, src, dst, temp, cancellationToken),
            static s => s.Item1.Copy(s.op, s.src, s.dst, s.temp, s.cancellationToken));
        _run[op.Dir].Touched = true;
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
        Interlocked.Increment(ref op.Action == MirrorAction.CopyFile ? ref _run.Counters.FilesCopied : ref _run.Counters.FilesUpdated);
        switch (method)
        {
            case CopyMethod.Clone: Interlocked.Increment(ref _run.Counters.Cloned); break;
            case CopyMethod.Kernel: Interlocked.Increment(ref _run.Counters.KernelCopied); break;
            case CopyMethod.Stream: Interlocked.Increment(ref _run.Counters.Streamed); break;
            case CopyMethod.Sparse: Interlocked.Increment(ref _run.Counters.Sparse); break;
        }
    }

    /// <summary>
    /// A new file appears under its name complete, or not at all; a replacement is written to the
    /// temp name and renamed over the old entry. Inside a staged directory nobody sees a file until
    /// the directory is published, so it is written under its own name, and a failed or cancelled
    /// copy removes it.
    /// </summary>
    private CopyMethod Copy(EntryOp op, DirHandle src, DirHandle dst, string? temp, CancellationToken cancellationToken) =>
        temp is not null
            ? _fs.CopyFile(src, op.Name, op.Source, dst, temp, _byteProgress, cancellationToken)
            : _run[op.Dir].InStagedTree
                ? _fs.CopyFile(src, op.Name, op.Source, dst, op.Name, _byteProgress, cancellationToken)
                : _fs.CopyNewFile(src, op.Name, op.Source, dst, TempName.Factory, _byteProgress, cancellationToken);

    /// <summary>Renames a temp entry over <paramref name="name"/>, lifting a write protection on it once.</summary>
    private void RenameOver(DirHandle dir, DirOp dirOp, string temp, string name) =>
        _run.Writes.Run(dir, name, _run[dirOp], (_fs, dir, temp, name), static s => s._fs.Rename(s.dir, s.temp, s.name));

    private void LinkOne(EntryOp op, DirHandle dst)
    {
        if (op.DestKind is not null)
        {
            RefuseReplacementIfAppendOnly(dst, op);
        }
        else if (_run.Restriction(dst, op.Dir) == DirectoryRestriction.AppendOnly)
        {
            // No rename is possible there, and a symlink is created whole anyway: make it under its name.
            _fs.CreateSymlink(dst, op.Name, op.LinkTarget!, op.Source);
            _run[op.Dir].Touched = true;
            _fs.SetMetadata(dst, op.Name, op.Source);
            Interlocked.Increment(ref _run.Counters.SymlinksCopied);
            return;
        }
        string temp = TempName.New();
        _run.Writes.Run(dst, null, _run[op.Dir], (_fs, dst, temp, op), static s => s._fs.CreateSymlink(s.dst, s.temp, s.op.LinkTarget!, s.op.Source));
        _run[op.Dir].Touched = true;
        try
        {
            _fs.SetMetadata(dst, temp, op.Source);
            if (op.DestKind == EntryKind.Directory)
            {
                if (_run.NothingDeletedBecause is { } because)
                {
                    RemoveEmptyReplacedDirectory(dst, op, because);
                }
                else
                {
                    _remover.DeleteTree(dst, op.Dir.RelativePath, op.Name); // one not emptied fails the rename below
                }
            }
            RenameOver(dst, op.Dir, temp, op.Name);
        }
        catch
        {
            _fs.Remove(dst, temp, isDirectory: false);
            throw;
        }
        Interlocked.Increment(ref _run.Counters.SymlinksCopied);
    }

    /// <summary>
    /// Makes a FIFO, socket or device under a temp name, with its metadata, then renames it over
    /// whatever stale entry has the name (a directory's tree is deleted first). False when the
    /// destination may not hold it: the stale entry is then left as it is.
    /// </summary>
    private bool SpecialOne(EntryOp op, DirHandle dst)
    {
        string temp = TempName.New();
        try
        {
            _run.Writes.Run(dst, null, _run[op.Dir], (_fs, dst, temp, op), static s => s._fs.CreateSpecial(s.dst, s.temp, s.op.Source));
        }
        catch (NativeIOException ex) when (ex.IsNotPermitted)
        {
            Interlocked.Increment(ref _run.Counters.SpecialsSkipped);
            Interlocked.CompareExchange(ref _run.Counters.FirstSkippedSpecial, _run.Display(op.RelativePath), null);
            return false;
        }
        _run[op.Dir].Touched = true;
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
        Interlocked.Increment(ref _run.Counters.SpecialsCopied);
        return true;
    }

    /// <summary>
    /// In an append-only directory (chattr +a) an entry can be added but neither replaced nor
    /// removed: a replacement written to a temp name could not be renamed over the old entry, nor
    /// the temp file removed again, and every later run would meet it. So nothing is written.
    /// </summary>
    private void RefuseReplacementIfAppendOnly(DirHandle dst, EntryOp op)
    {
        if (_run.Restriction(dst, op.Dir) == DirectoryRestriction.AppendOnly)
        {
            throw new BlitException(BlitErrorCode.CopyFailed,
                $"Cannot replace '{op.RelativePath}': its directory is append-only (chattr +a), so an entry there can be added " +
                "but not replaced; nothing was written.", _run.Display(op.RelativePath));
        }
    }

    /// <summary>
    /// When nothing is deleted (-NoDelete, an incomplete source scan): the directory an entry of another type
    /// replaces is removed only when it is empty (rmdir, as rsync without --delete); one with entries in it
    /// stays whole, and the entry is an error.
    /// </summary>
    private void RemoveEmptyReplacedDirectory(DirHandle dst, EntryOp op, string nothingDeletedBecause)
    {
        string message = $"Cannot replace the directory '{NameEncoding.Display(op.RelativePath)}' with a {Describe(op.Source.Kind)}: "
            + $"it is not empty, and {nothingDeletedBecause}.";
        if (op.ReplacedDestTree is { Entries.Length: > 0 })
        {
            throw new BlitException(BlitErrorCode.CopyFailed, message, _run.Display(op.RelativePath));
        }
        try
        {
            bool madeWritable = false;
            _run.Removals.Run(dst, op.Name, touched: null, ref madeWritable, (_fs, dst, op.Name),
                static s => s._fs.Remove(s.dst, s.Name, isDirectory: true));
        }
        catch (IOException ex)
        {
            throw new BlitException(BlitErrorCode.CopyFailed, $"{message} ({ex.Message})", _run.Display(op.RelativePath), ex);
        }
        Interlocked.Increment(ref _run.Counters.DirectoriesDeleted);
    }

    private static string Describe(EntryKind kind) => kind switch
    {
        EntryKind.Symlink => "symbolic link",
        EntryKind.Special => "special file",
        _ => "file",
    };

    /// <summary>Deletes the destination directory that the file or special file <paramref name="op"/> replaces.</summary>
    private void DeleteReplacedTree(DirHandle dst, EntryOp op)
    {
        if (_run.NothingDeletedBecause is { } because)
        {
            RemoveEmptyReplacedDirectory(dst, op, because);
            return;
        }
        if (!_remover.DeleteTree(dst, op.Dir.RelativePath, op.Name))
        {
            throw new BlitException(BlitErrorCode.CopyFailed,
                $"Cannot replace the directory '{op.RelativePath}': not everything in it could be deleted.",
                _run.Display(op.RelativePath));
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
            _run.Report(BlitErrorCode.DeleteFailed, $"Cannot remove a temp file; the next run removes it: {ex.Message}", dir.Child(temp), ex,
                warning: true);
        }
    }
}
