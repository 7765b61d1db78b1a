using System.Collections.Concurrent;
using Blit.Errors;
using Blit.Platform;

namespace Blit.Scanning;

/// <summary>The scanned tree and what went wrong while scanning it.</summary>
internal sealed class ScanResult
{
    public ScanResult(DirListing root, IReadOnlyList<BlitError> errors, ScanCounts counts, IReadOnlyList<BlitError>? warnings = null)
    {
        Root = root;
        Errors = errors;
        Counts = counts;
        Warnings = warnings ?? [];
    }

    public DirListing Root { get; }

    public IReadOnlyList<BlitError> Errors { get; }

    /// <summary>Directories that vanished while the tree was scanned: left out, and the scan still complete.</summary>
    public IReadOnlyList<BlitError> Warnings { get; }

    /// <summary>True when every directory was read: only then may a mirror delete.</summary>
    public bool Complete => Errors.Count == 0;

    public ScanCounts Counts { get; }
}

internal sealed class ScanCounts
{
    public long Files;
    public long Directories;
    public long Symlinks;
    public long Specials;
    public long Bytes;
    public long Vanished;
    /// <summary>Entries left out by the exclude patterns (an excluded directory once, not its contents).</summary>
    public readonly ConcurrentQueue<(string Path, EntryKind Kind)> Excluded = new();
}

/// <summary>
/// Scans a tree in parallel: each directory is listed and stat'ed by one worker, its
/// subdirectories are handed to idle workers (or scanned inline when enough work is queued,
/// which bounds the open directory handles). Symlinks are recorded, never followed.
/// </summary>
internal sealed class TreeScanner
{
    private const int MaxQueued = 64;

    private readonly IMirrorFileSystem _fs;
    private readonly ExcludeFilter _exclude;
    private readonly int _workers;
    private readonly BlitErrorCode _errorCode;
    private readonly BlitErrorCode _vanishedCode;
    private readonly ConcurrentQueue<BlitError> _warnings = new();

    /// <param name="fs">The filesystem the tree is read through.</param>
    /// <param name="exclude">Entries left out of the scan.</param>
    /// <param name="workers">Directories read at once.</param>
    /// <param name="errorCode">The code of the error for a directory that cannot be read (source or destination).</param>
    /// <param name="vanishedCode">The code of the warning for a directory that vanishes during the scan.</param>
    public TreeScanner(IMirrorFileSystem fs, ExcludeFilter exclude, int workers, BlitErrorCode errorCode, BlitErrorCode vanishedCode)
    {
        _fs = fs;
        _exclude = exclude;
        _workers = Math.Max(1, workers);
        _errorCode = errorCode;
        _vanishedCode = vanishedCode;
    }

    /// <summary>
    /// A directory that was listed in its parent and is gone when opened or read (ENOENT) was removed
    /// meanwhile: it is left out of the tree with a warning, as rsync does ("file has vanished"). It is
    /// not unreadable, so the scan stays complete. The root is not: a vanished root is an error.
    /// </summary>
    private bool Vanished(IOException ex, string path, ScanCounts counts)
    {
        if (ex is not NativeIOException { IsNotFound: true })
        {
            return false;
        }
        Interlocked.Increment(ref counts.Vanished);
        _warnings.Enqueue(new BlitError(_vanishedCode, $"Directory vanished while it was scanned; it is left out: '{path}'.", path,
            IsWarning: true, Exception: ex));
        return true;
    }

    private sealed class Work
    {
        public required DirHandle Handle;
        public required string RelativePath;
        public required Action<DirListing?> Store;
    }

    public ScanResult Scan(DirHandle root, CancellationToken cancellationToken)
    {
        var errors = new ConcurrentQueue<BlitError>();
        var counts = new ScanCounts();
        DirListing? rootListing = null;
        using var queue = new BlockingCollection<Work>();
        int pending = 1;
        // The root handle belongs to the caller: scan it through a duplicate we may close.
        queue.Add(new Work { Handle = _fs.OpenDirectory(root, "."), RelativePath = string.Empty, Store = l => rootListing = l },
            cancellationToken);

        void Process(Work work)
        {
            DirListing? listing = null;
            try
            {
                listing = ReadOne(work, queue, ref pending, errors, counts, MaybeSpawn, cancellationToken);
            }
            finally
            {
                work.Handle.Dispose();
                work.Store(listing);
            }
        }

        Exception? failure = null;
        var helpers = new List<Thread>();
        int spawned = 0;

        // More workers only while directories are waiting: a small tree is scanned by the calling
        // thread alone, without paying for threads that would find nothing to do.
        void MaybeSpawn()
        {
            if (queue.Count > 0 && Volatile.Read(ref spawned) < _workers - 1 && Interlocked.Increment(ref spawned) < _workers)
            {
                var thread = new Thread(Loop) { IsBackground = true, Name = "blit-scan" };
                lock (helpers)
                {
                    helpers.Add(thread);
                }
                thread.Start();
            }
        }

        void Loop()
        {
            try
            {
                foreach (Work work in queue.GetConsumingEnumerable(cancellationToken))
                {
                    try
                    {
                        Process(work);
                    }
                    finally
                    {
                        if (Interlocked.Decrement(ref pending) == 0)
                        {
                            queue.CompleteAdding();
                        }
                    }
                    MaybeSpawn();
                }
            }
            catch (OperationCanceledException)
            {
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                Interlocked.CompareExchange(ref failure, ex, null);
                queue.CompleteAdding();
            }
        }

        Loop();
        for (int joined = 0; ; )
        {
            Thread[] started;
            lock (helpers)
            {
                started = [.. helpers];
            }
            if (joined == started.Length)
            {
                break;
            }
            for (; joined < started.Length; joined++)
            {
                started[joined].Join();
            }
        }
        // Handles still queued after a cancellation or failure.
        while (queue.TryTake(out Work? left))
        {
            left.Handle.Dispose();
        }
        cancellationToken.ThrowIfCancellationRequested();
        if (failure is not null)
        {
            throw failure;
        }
        return new ScanResult(rootListing ?? new DirListing(string.Empty, []), [.. errors], counts, [.. _warnings]);
    }

    private DirListing? ReadOne(Work work, BlockingCollection<Work> queue, ref int pending,
        ConcurrentQueue<BlitError> errors, ScanCounts counts, Action onQueued, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        TreeEntry[] entries;
        try
        {
            // With exclude rules the listing is copied without the excluded entries: the copy is kept.
            entries = _fs.ReadDirectory(work.Handle, readLinkTargets: true, keep: _exclude.IsEmpty);
        }
        catch (IOException ex)
        {
            if (work.RelativePath.Length > 0 && Vanished(ex, work.Handle.DisplayPath, counts))
            {
                return DirListing.Vanished;
            }
            errors.Enqueue(new BlitError(_errorCode, $"Cannot read directory: {ex.Message}", work.Handle.DisplayPath, Exception: ex));
            return null;
        }

        int listed = entries.Length;
        if (!_exclude.IsEmpty)
        {
            entries = Array.FindAll(entries, e => !Excluded(work.RelativePath, e, counts));
        }
        var listing = new DirListing(work.RelativePath, entries) { HoldsExcluded = entries.Length != listed };
        long files = 0, dirs = 0, links = 0, specials = 0, bytes = 0;
        for (int i = 0; i < entries.Length; i++)
        {
            switch (entries[i].Kind)
            {
                case EntryKind.File:
                    files++;
                    bytes += entries[i].Meta.Size;
                    break;
                case EntryKind.Symlink:
                    links++;
                    break;
                case EntryKind.Special:
                    specials++;
                    break;
                case EntryKind.Directory:
                    dirs++;
                    string name = entries[i].Name;
                    DirHandle child;
                    try
                    {
                        child = _fs.OpenDirectory(work.Handle, name);
                    }
                    catch (IOException ex)
                    {
                        if (Vanished(ex, work.Handle.Child(name), counts))
                        {
                            entries[i].Children = DirListing.Vanished;
                            continue;
                        }
                        errors.Enqueue(new BlitError(_errorCode, $"Cannot open directory: {ex.Message}",
                            work.Handle.Child(name), Exception: ex));
                        continue;
                    }
                    int slot = i;
                    var childWork = new Work
                    {
                        Handle = child,
                        RelativePath = listing.ChildPath(name),
                        Store = l => entries[slot].Children = l,
                    };
                    if (queue.Count < MaxQueued)
                    {
                        Interlocked.Increment(ref pending);
                        queue.Add(childWork, cancellationToken);
                        onQueued();
                    }
                    else
                    {
                        // Enough queued for every worker: go depth-first here, holding one more handle.
                        DirListing? sub = null;
                        try
                        {
                            sub = ReadOne(childWork, queue, ref pending, errors, counts, onQueued, cancellationToken);
                        }
                        finally
                        {
                            child.Dispose();
                            childWork.Store(sub);
                        }
                    }
                    break;
            }
        }
        Interlocked.Add(ref counts.Files, files);
        Interlocked.Add(ref counts.Directories, dirs);
        Interlocked.Add(ref counts.Symlinks, links);
        Interlocked.Add(ref counts.Specials, specials);
        Interlocked.Add(ref counts.Bytes, bytes);
        return listing;
    }

    /// <summary>True when <paramref name="entry"/> of the directory at <paramref name="parentPath"/> is excluded; it is then listed in <see cref="ScanCounts.Excluded"/>.</summary>
    private bool Excluded(string parentPath, in TreeEntry entry, ScanCounts counts)
    {
        string name = entry.Name;
        string relativePath = RelativePath.Join(parentPath, name);
        if (!_exclude.IsExcluded(relativePath, name, entry.Kind == EntryKind.Directory))
        {
            return false;
        }
        counts.Excluded.Enqueue((relativePath, entry.Kind));
        return true;
    }
}
