using System.Buffers;
using System.Buffers.Binary;
using System.Globalization;

namespace Blit.Benchmarking;

/// <summary>One file of a generated tree: its content is the first <see cref="Length"/> bytes of the stream of <see cref="ContentSeed"/>.</summary>
public sealed record GeneratedFile(string RelativePath, long Length, ulong ContentSeed, DateTime LastWriteTimeUtc);

/// <summary>
/// Builds a workload's trees deterministically: the same spec (and seed) gives the same paths,
/// sizes, contents and mtimes on every machine. Every file's content is a counter-based
/// pseudo-random stream, so any byte range of any file can be regenerated on its own; that
/// is what lets a destination be put back to the pre-change state (Incremental) by rewriting
/// only what changed. Contents are incompressible and never sparse.
/// </summary>
public sealed class WorkloadBuilder
{
    /// <summary>mtime of base files (plus a seeded offset within a year) and of every directory.</summary>
    public static readonly DateTime BaseTime = new(2024, 1, 1, 0, 0, 0, DateTimeKind.Utc);

    /// <summary>mtime of changed files (plus a seeded offset) and of directories whose entries changed.</summary>
    public static readonly DateTime ChangeTime = new(2025, 2, 1, 0, 0, 0, DateTimeKind.Utc);

    /// <summary>The large file's name (LargeFile, Mixed).</summary>
    public const string LargeFileName = "large.bin";

    /// <summary>Tiny: the entries of its tree (WorkloadSpec.TinyEntries of them).</summary>
    public const string TinyEmptyFile = "empty";
    /// <summary>Tiny: the nested directory.</summary>
    public const string TinyNestedDirectory = "nested/inner";
    /// <summary>Tiny: the small file in the nested directory.</summary>
    public const string TinySmallFile = TinyNestedDirectory + "/small.bin";
    /// <summary>Tiny: the symlink.</summary>
    public const string TinySymlink = "link";
    private const int ChunkBytes = 1 << 20;

    private readonly GeneratedFile[] _base;
    private readonly GeneratedFile[] _touched;   // the touched files after the change (same seed, longer)
    private readonly GeneratedFile[] _touchedBase;
    private readonly GeneratedFile[] _deleted;
    private readonly GeneratedFile[] _added;
    private readonly string[] _directories;
    private readonly string[] _changedDirectories;
    private readonly (string Path, string Target)[] _symlinks = [];

    /// <summary>Lays out the tree <paramref name="spec"/> describes (nothing is written until BuildBase or BuildSource).</summary>
    public WorkloadBuilder(WorkloadSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        spec.Validate();
        Spec = spec;
        var rng = new SplitMix64((ulong)(uint)spec.Seed * 0x9E3779B97F4A7C15UL ^ (ulong)spec.Workload);
        var files = new List<GeneratedFile>(spec.FileCount + 1);
        if (spec.LargeFileBytes > 0)
        {
            files.Add(new GeneratedFile(LargeFileName, spec.LargeFileBytes, rng.Next(), BaseTime.AddSeconds(rng.Below(365 * 86400))));
        }
        int perDir = spec.FilesPerDirectory;
        int dirCount = spec.FileCount == 0 ? 0 : (int)(((long)spec.FileCount + perDir - 1) / perDir);
        _directories = new string[dirCount];
        for (int d = 0; d < dirCount; d++)
        {
            _directories[d] = DirectoryName(d);
        }
        for (int i = 0; i < spec.FileCount; i++)
        {
            files.Add(new GeneratedFile($"{_directories[i / perDir]}/f{i.ToString("D7", CultureInfo.InvariantCulture)}.bin",
                SmallSize(ref rng, spec), rng.Next(), BaseTime.AddSeconds(rng.Below(365 * 86400))));
        }
        if (spec.Workload == Workload.Tiny)
        {
            // A few entries of every kind a mirror handles, so per-run overhead decides, not bytes.
            _directories = ["nested", TinyNestedDirectory];
            files.Add(new GeneratedFile(TinyEmptyFile, 0, rng.Next(), BaseTime.AddSeconds(rng.Below(365 * 86400))));
            files.Add(new GeneratedFile(TinySmallFile, WorkloadSpec.TinySmallFileBytes, rng.Next(), BaseTime.AddSeconds(rng.Below(365 * 86400))));
            _symlinks = [(TinySymlink, TinySmallFile)];
        }
        _base = [.. files];

        if (spec.Workload != Workload.Incremental)
        {
            _touched = _touchedBase = _deleted = _added = [];
            _changedDirectories = [];
            return;
        }
        // Pick touched and deleted files: a seeded partial Fisher-Yates shuffle, so they are distinct.
        var order = new int[spec.FileCount];
        for (int i = 0; i < order.Length; i++)
        {
            order[i] = i;
        }
        int picks = spec.TouchCount + spec.DeleteCount;
        for (int i = 0; i < picks; i++)
        {
            int j = i + (int)rng.Below((ulong)(order.Length - i));
            (order[i], order[j]) = (order[j], order[i]);
        }
        _touchedBase = new GeneratedFile[spec.TouchCount];
        _touched = new GeneratedFile[spec.TouchCount];
        for (int i = 0; i < spec.TouchCount; i++)
        {
            GeneratedFile f = _base[order[i]];
            _touchedBase[i] = f;
            long append = Math.Max(1, SmallSize(ref rng, spec));
            _touched[i] = f with { Length = f.Length + append, LastWriteTimeUtc = ChangeTime.AddSeconds(rng.Below(86400)) };
        }
        _deleted = new GeneratedFile[spec.DeleteCount];
        for (int i = 0; i < spec.DeleteCount; i++)
        {
            _deleted[i] = _base[order[spec.TouchCount + i]];
        }
        _added = new GeneratedFile[spec.AddCount];
        for (int i = 0; i < spec.AddCount; i++)
        {
            string dir = _directories[(int)rng.Below((ulong)dirCount)];
            _added[i] = new GeneratedFile($"{dir}/n{i.ToString("D7", CultureInfo.InvariantCulture)}.bin",
                SmallSize(ref rng, spec), rng.Next(), ChangeTime.AddSeconds(rng.Below(86400)));
        }
        _changedDirectories = [.. _deleted.Concat(_added).Select(f => ParentOf(f.RelativePath)).Distinct(StringComparer.Ordinal)];
    }

    /// <summary>The workload this builder makes.</summary>
    public WorkloadSpec Spec { get; }

    /// <summary>The tree before any change (for workloads other than Incremental: the tree).</summary>
    public IReadOnlyList<GeneratedFile> BaseFiles => _base;

    /// <summary>The tree the tools mirror (for Incremental: after the change), in no particular order.</summary>
    public IReadOnlyList<GeneratedFile> SourceFiles
    {
        get
        {
            if (Spec.Workload != Workload.Incremental)
            {
                return _base;
            }
            var gone = new HashSet<string>(_deleted.Select(f => f.RelativePath).Concat(_touched.Select(f => f.RelativePath)),
                StringComparer.Ordinal);
            return [.. _base.Where(f => !gone.Contains(f.RelativePath)).Concat(_touched).Concat(_added)];
        }
    }

    /// <summary>Symlinks of the tree (Tiny's one): relative path and target.</summary>
    public IReadOnlyList<(string Path, string Target)> Symlinks => _symlinks;

    /// <summary>Directories below the root (one level; Tiny's are nested).</summary>
    public IReadOnlyList<string> Directories => _directories;

    /// <summary>Incremental: the files the change appends to (as they are after it).</summary>
    public IReadOnlyList<GeneratedFile> TouchedFiles => _touched;

    /// <summary>Incremental: the files the change deletes (as they were before it).</summary>
    public IReadOnlyList<GeneratedFile> DeletedFiles => _deleted;

    /// <summary>Incremental: the files the change adds.</summary>
    public IReadOnlyList<GeneratedFile> AddedFiles => _added;

    /// <summary>Paths whose content the change wrote: the first things to check after an update pass.</summary>
    public IReadOnlyList<string> ChangedPaths => [.. _touched.Concat(_added).Select(f => f.RelativePath)];

    /// <summary>Bytes of the base tree.</summary>
    public long BaseBytes => _base.Sum(f => f.Length);

    /// <summary>Bytes of the tree the tools mirror (for Incremental: after the change).</summary>
    public long SourceBytes => BaseBytes + _touched.Sum(f => f.Length) - _touchedBase.Sum(f => f.Length)
        + _added.Sum(f => f.Length) - _deleted.Sum(f => f.Length);

    /// <summary>Files in the tree the tools mirror.</summary>
    public long SourceFileCount => _base.Length - _deleted.Length + _added.Length;

    /// <summary>Entries below the root of the tree the tools mirror: files, directories and symlinks (what memory per entry is counted by).</summary>
    public long SourceEntryCount => SourceFileCount + _directories.Length + _symlinks.Length;

    /// <summary>Writes the base tree into <paramref name="root"/> (created; it must be empty or missing).</summary>
    public void BuildBase(string root, CancellationToken cancellationToken = default)
    {
        Directory.CreateDirectory(root);
        foreach (string d in _directories)
        {
            Directory.CreateDirectory(Path.Combine(root, d));
        }
        var options = new ParallelOptions
        {
            MaxDegreeOfParallelism = Math.Max(1, Environment.ProcessorCount),
            CancellationToken = cancellationToken,
        };
        // Large files first, on their own; then small files by directory.
        foreach (GeneratedFile f in _base.Where(f => f.Length >= ChunkBytes))
        {
            WriteFile(root, f, cancellationToken);
        }
        try
        {
            Parallel.ForEach(Partition(_base.Where(f => f.Length < ChunkBytes)), options, batch =>
            {
                foreach (GeneratedFile f in batch)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    WriteFile(root, f, cancellationToken);
                }
            });
        }
        catch (AggregateException ex) when (ex.InnerExceptions.Count > 0)
        {
            // The first worker's error as it was ("No space left on device : '<file>'"), not "One or more errors occurred".
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(ex.InnerExceptions[0]).Throw();
        }
        foreach ((string path, string target) in _symlinks)
        {
            File.CreateSymbolicLink(Path.Combine(root, path), target);
        }
        SetDirectoryTimes(root, _directories, BaseTime);
        Directory.SetLastWriteTimeUtc(root, BaseTime);
    }

    /// <summary>Writes the tree the tools mirror: the base tree, changed for Incremental.</summary>
    public void BuildSource(string root, CancellationToken cancellationToken = default)
    {
        BuildBase(root, cancellationToken);
        ApplyChange(root, cancellationToken);
    }

    /// <summary>Incremental: turns a base tree into the changed tree (append, delete, add). No-op for other workloads.</summary>
    public void ApplyChange(string root, CancellationToken cancellationToken = default)
    {
        for (int i = 0; i < _touched.Length; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            AppendFile(root, _touchedBase[i].Length, _touched[i], cancellationToken);
        }
        foreach (GeneratedFile f in _deleted)
        {
            File.Delete(FullPath(root, f));
        }
        foreach (GeneratedFile f in _added)
        {
            cancellationToken.ThrowIfCancellationRequested();
            WriteFile(root, f, cancellationToken);
        }
        SetDirectoryTimes(root, _changedDirectories, ChangeTime);
    }

    /// <summary>
    /// Incremental: puts a tree that matches the changed tree back to the base tree, rewriting only
    /// what changed. The caller must know the tree matched (a verified run); otherwise rebuild it.
    /// </summary>
    public void RevertChange(string root, CancellationToken cancellationToken = default)
    {
        foreach (GeneratedFile f in _added)
        {
            File.Delete(FullPath(root, f));
        }
        foreach (GeneratedFile f in _touchedBase)
        {
            cancellationToken.ThrowIfCancellationRequested();
            string path = FullPath(root, f);
            using (var stream = new FileStream(path, FileMode.Open, FileAccess.Write, FileShare.None, 0))
            {
                stream.SetLength(f.Length);
                File.SetLastWriteTimeUtc(stream.SafeFileHandle, f.LastWriteTimeUtc);
            }
        }
        foreach (GeneratedFile f in _deleted)
        {
            cancellationToken.ThrowIfCancellationRequested();
            WriteFile(root, f, cancellationToken);
        }
        SetDirectoryTimes(root, _changedDirectories, BaseTime);
    }

    /// <summary>Fills <paramref name="buffer"/> with the bytes of a file's stream starting at <paramref name="offset"/>.</summary>
    public static void FillContent(ulong seed, long offset, Span<byte> buffer)
    {
        long word = offset >> 3;
        int skip = (int)(offset & 7);
        Span<byte> tmp = stackalloc byte[8];
        int pos = 0;
        if (skip != 0)
        {
            BinaryPrimitives.WriteUInt64LittleEndian(tmp, Mix(seed, word++));
            int n = Math.Min(8 - skip, buffer.Length);
            tmp.Slice(skip, n).CopyTo(buffer);
            pos = n;
        }
        while (pos + 8 <= buffer.Length)
        {
            BinaryPrimitives.WriteUInt64LittleEndian(buffer[pos..], Mix(seed, word++));
            pos += 8;
        }
        if (pos < buffer.Length)
        {
            BinaryPrimitives.WriteUInt64LittleEndian(tmp, Mix(seed, word));
            tmp[..(buffer.Length - pos)].CopyTo(buffer[pos..]);
        }
    }

    /// <summary>Word <paramref name="index"/> of the stream of <paramref name="seed"/> (the SplitMix64 finalizer of a counter).</summary>
    private static ulong Mix(ulong seed, long index)
    {
        ulong z = seed + ((ulong)index + 1) * 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    private static long SmallSize(ref SplitMix64 rng, WorkloadSpec spec) =>
        spec.MinFileBytes + (long)rng.Below((ulong)(spec.MaxFileBytes - spec.MinFileBytes + 1));

    private static string DirectoryName(int index) => "d" + index.ToString("D5", CultureInfo.InvariantCulture);

    private static string ParentOf(string relativePath) => relativePath[..relativePath.LastIndexOf('/')];

    private static string FullPath(string root, GeneratedFile f) => Path.Combine(root, f.RelativePath);

    private static IEnumerable<List<GeneratedFile>> Partition(IEnumerable<GeneratedFile> files)
    {
        var batch = new List<GeneratedFile>(256);
        foreach (GeneratedFile f in files)
        {
            batch.Add(f);
            if (batch.Count == 256)
            {
                yield return batch;
                batch = new List<GeneratedFile>(256);
            }
        }
        if (batch.Count > 0)
        {
            yield return batch;
        }
    }

    private static void SetDirectoryTimes(string root, IEnumerable<string> directories, DateTime time)
    {
        foreach (string d in directories)
        {
            Directory.SetLastWriteTimeUtc(Path.Combine(root, d), time);
        }
    }

    private static void WriteFile(string root, GeneratedFile f, CancellationToken cancellationToken)
    {
        using var stream = new FileStream(FullPath(root, f), FileMode.CreateNew, FileAccess.Write, FileShare.None, 0);
        WriteRange(stream, f.ContentSeed, 0, f.Length, cancellationToken);
        File.SetLastWriteTimeUtc(stream.SafeFileHandle, f.LastWriteTimeUtc);
    }

    private static void AppendFile(string root, long fromOffset, GeneratedFile f, CancellationToken cancellationToken)
    {
        using var stream = new FileStream(FullPath(root, f), FileMode.Open, FileAccess.Write, FileShare.None, 0);
        if (stream.Length != fromOffset)
        {
            throw new IOException($"'{stream.Name}' is {stream.Length:N0} bytes; the workload expects {fromOffset:N0} before the change.");
        }
        stream.Position = fromOffset;
        WriteRange(stream, f.ContentSeed, fromOffset, f.Length - fromOffset, cancellationToken);
        File.SetLastWriteTimeUtc(stream.SafeFileHandle, f.LastWriteTimeUtc);
    }

    private static void WriteRange(FileStream stream, ulong seed, long offset, long length, CancellationToken cancellationToken)
    {
        byte[] buffer = ArrayPool<byte>.Shared.Rent((int)Math.Min(length, ChunkBytes));
        try
        {
            long done = 0;
            while (done < length)
            {
                cancellationToken.ThrowIfCancellationRequested();
                int n = (int)Math.Min(buffer.Length, length - done);
                FillContent(seed, offset + done, buffer.AsSpan(0, n));
                stream.Write(buffer, 0, n);
                done += n;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>The choice generator: SplitMix64, stable across runtimes (unlike System.Random's contract).</summary>
    private struct SplitMix64(ulong state)
    {
        private ulong _state = state;

        public ulong Next()
        {
            ulong z = _state += 0x9E3779B97F4A7C15UL;
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
            return z ^ (z >> 31);
        }

        /// <summary>Uniform in [0, bound) (bound > 0), by rejection so there is no modulo bias.</summary>
        public ulong Below(ulong bound)
        {
            ulong limit = ulong.MaxValue - (ulong.MaxValue % bound);
            ulong v;
            do
            {
                v = Next();
            }
            while (v >= limit);
            return v % bound;
        }
    }
}
