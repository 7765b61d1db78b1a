using System.Buffers;
using System.Collections.Concurrent;
using System.Globalization;
using System.IO.Enumeration;
using System.Text;
using Blit.Platform;

namespace Blit.Benchmarking;

/// <summary>What a verification found.</summary>
public sealed record VerificationResult(
    bool Matches,
    string? Failure,
    long SourceEntries,
    long DestinationEntries,
    long SourceBytes,
    long DestinationBytes,
    int FilesSampled,
    long BytesCompared);

/// <summary>
/// Checks that a destination matches its source after a run: the same entries (path and
/// type), the same total and per-file sizes, file mtimes as exactly as the destination keeps them
/// (<see cref="MtimeTolerance"/>), the same symlink targets,
/// and the same content for a sample of files (changed files first, then seeded picks; large
/// files by blocks). A fast wrong run must be a failure, not a record.
/// </summary>
public sealed class TreeVerifier
{
    /// <summary>Files whose content is compared per verification.</summary>
    public int SampleFiles { get; init; } = 32;

    /// <summary>Files up to this size are compared whole; larger ones by blocks.</summary>
    public long WholeFileLimit { get; init; } = 4L << 20;

    /// <summary>Size of the blocks a large file is compared by.</summary>
    public int BlockBytes { get; init; } = 1 << 20;

    /// <summary>Blocks compared in a large file besides its first and last.</summary>
    public int RandomBlocks { get; init; } = 8;

    /// <summary>
    /// Mtimes further apart than this fail. Null (the default): the timestamp precision of the
    /// destination's filesystem, measured on the destination itself as the engine measures it
    /// (<see cref="FileSystemCapabilities.TimestampPrecisionNs"/>): exact where it keeps 100 ns or
    /// finer (ext4, XFS, Btrfs, tmpfs, NTFS, APFS: what rsync -a, cp -a and robocopy carry there),
    /// 10 ms on exFAT, 2 s on FAT; unchecked where it keeps no mtimes.
    /// </summary>
    public TimeSpan? MtimeTolerance { get; init; }

    private readonly ConcurrentDictionary<string, TimeSpan> _measuredTolerance = new(StringComparer.Ordinal);

    /// <summary>How this verifier checks, for the log.</summary>
    public string Describe() => string.Create(CultureInfo.InvariantCulture,
        $"every entry's path and type, every symlink's target, every file's size and mtime ({DescribeMtimes()}), total bytes; " +
        $"content of {SampleFiles} files per run (changed files first, then seeded picks), files over " +
        $"{WholeFileLimit >> 20} MiB by first, last and {RandomBlocks} seeded {BlockBytes >> 20} MiB blocks");

    private string DescribeMtimes() => MtimeTolerance is { } tolerance
        ? string.Create(CultureInfo.InvariantCulture, $"within {tolerance.TotalSeconds:0.###} s")
        : "as exactly as the destination's filesystem keeps them, measured there";

    /// <summary>Compares <paramref name="destination"/> with <paramref name="source"/>: every entry's path, type, size and mtime, and sampled content (<paramref name="priorityPaths"/> first).</summary>
    public VerificationResult Verify(string source, string destination, int sampleSeed,
        IReadOnlyList<string>? priorityPaths = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(destination);
        if (!Directory.Exists(destination))
        {
            return new VerificationResult(false, $"The destination '{destination}' does not exist.", 0, 0, 0, 0, 0, 0);
        }
        TimeSpan mtimeTolerance = MtimeTolerance ?? _measuredTolerance.GetOrAdd(Path.GetFullPath(destination), MeasureTolerance);
        Dictionary<string, Entry> src = Walk(source, cancellationToken);
        Dictionary<string, Entry> dst = Walk(destination, cancellationToken);
        long srcBytes = src.Values.Sum(e => e.Length), dstBytes = dst.Values.Sum(e => e.Length);

        var missing = new List<string>();
        var wrongType = new List<string>();
        var wrongSize = new List<string>();
        var wrongTime = new List<string>();
        var wrongTarget = new List<string>();
        foreach ((string path, Entry s) in src)
        {
            if (!dst.TryGetValue(path, out Entry d))
            {
                missing.Add(path);
            }
            else if (d.Kind != s.Kind)
            {
                wrongType.Add(path);
            }
            else if (s.Kind == EntryType.Symlink && !string.Equals(s.Target, d.Target, StringComparison.Ordinal))
            {
                wrongTarget.Add(path);
            }
            else if (s.Kind == EntryType.File)
            {
                if (d.Length != s.Length)
                {
                    wrongSize.Add(path);
                }
                else if ((d.LastWriteTimeUtc - s.LastWriteTimeUtc).Duration() > mtimeTolerance)
                {
                    wrongTime.Add(path);
                }
            }
        }
        var extra = dst.Keys.Where(k => !src.ContainsKey(k)).ToList();

        var problems = new StringBuilder();
        Describe(problems, missing, "missing from the destination");
        Describe(problems, extra, "extra in the destination");
        Describe(problems, wrongType, "of another type");
        Describe(problems, wrongSize, "of another size");
        Describe(problems, wrongTime, "with another mtime");
        Describe(problems, wrongTarget, "with another symlink target");
        if (problems.Length == 0 && srcBytes != dstBytes)
        {
            problems.Append(CultureInfo.InvariantCulture, $"total bytes differ: source {srcBytes:N0}, destination {dstBytes:N0}; ");
        }

        int sampled = 0;
        long compared = 0;
        if (problems.Length == 0)
        {
            foreach (string path in ChooseSample(src, sampleSeed, priorityPaths))
            {
                cancellationToken.ThrowIfCancellationRequested();
                long length = src[path].Length;
                (bool same, long bytes) = CompareContent(Path.Combine(source, path), Path.Combine(destination, path), length,
                    sampleSeed, path);
                sampled++;
                compared += bytes;
                if (!same)
                {
                    problems.Append(CultureInfo.InvariantCulture, $"content differs: {path}; ");
                    break;
                }
            }
        }
        string? failure = problems.Length == 0 ? null : problems.ToString().TrimEnd(' ', ';');
        return new VerificationResult(failure is null, failure, src.Count, dst.Count, srcBytes, dstBytes, sampled, compared);
    }

    /// <summary>
    /// The mtime tolerance for <paramref name="destination"/>: its filesystem's timestamp precision,
    /// measured there by the engine's probe. Mtimes are read as 100 ns ticks, so a filesystem as fine
    /// as that is compared exactly.
    /// </summary>
    internal static TimeSpan MeasureTolerance(string destination)
    {
        IMirrorFileSystem fs = FileSystemFactory.Create();
        long precisionNs;
        using (DirHandle dir = fs.OpenRoot(destination))
        {
            precisionNs = fs.ProbeDestination(dir, TempName.New()).TimestampPrecisionNs;
        }
        return precisionNs switch
        {
            <= 0 => TimeSpan.MaxValue, // no mtimes kept: nothing to compare
            <= TimeSpan.NanosecondsPerTick => TimeSpan.Zero,
            _ => TimeSpan.FromTicks(precisionNs / TimeSpan.NanosecondsPerTick),
        };
    }

    private static void Describe(StringBuilder sb, List<string> paths, string what)
    {
        if (paths.Count == 0)
        {
            return;
        }
        paths.Sort(StringComparer.Ordinal);
        sb.Append(CultureInfo.InvariantCulture, $"{paths.Count:N0} {(paths.Count == 1 ? "entry" : "entries")} {what} (");
        sb.AppendJoin(", ", paths.Take(3));
        sb.Append(paths.Count > 3 ? ", ...); " : "); ");
    }

    private IEnumerable<string> ChooseSample(Dictionary<string, Entry> src, int seed, IReadOnlyList<string>? priorityPaths)
    {
        var files = src.Where(p => p.Value.Kind == EntryType.File).Select(p => p.Key).ToList();
        files.Sort(StringComparer.Ordinal);
        var chosen = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        void Take(string p)
        {
            if (chosen.Count < SampleFiles && seen.Add(p))
            {
                chosen.Add(p);
            }
        }
        // The largest file is where a block-copy bug would hide.
        if (files.Count > 0)
        {
            Take(files.MaxBy(p => src[p].Length)!);
        }
        var random = new Random(seed);
        if (priorityPaths is { Count: > 0 })
        {
            var changed = priorityPaths.Where(src.ContainsKey).ToList();
            int quota = Math.Max(1, SampleFiles / 2);
            for (int i = 0; i < quota && changed.Count > 0; i++)
            {
                int k = random.Next(changed.Count);
                Take(changed[k]);
                changed.RemoveAt(k);
            }
        }
        for (int i = 0; chosen.Count < Math.Min(SampleFiles, files.Count) && i < files.Count * 4; i++)
        {
            Take(files[random.Next(files.Count)]);
        }
        return chosen;
    }

    private (bool Same, long Bytes) CompareContent(string a, string b, long length, int seed, string path)
    {
        using var fa = new FileStream(a, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 0);
        using var fb = new FileStream(b, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 0);
        if (fa.Length != fb.Length)
        {
            return (false, 0);
        }
        var ranges = new List<(long Offset, long Length)>();
        if (length <= WholeFileLimit)
        {
            ranges.Add((0, length));
        }
        else
        {
            ranges.Add((0, BlockBytes));
            ranges.Add((length - BlockBytes, BlockBytes));
            var random = new Random(seed ^ StableHash(path));
            long blocks = length / BlockBytes;
            for (int i = 0; i < RandomBlocks; i++)
            {
                ranges.Add((random.NextInt64(blocks) * BlockBytes, BlockBytes));
            }
        }
        byte[] ba = ArrayPool<byte>.Shared.Rent(BlockBytes);
        byte[] bb = ArrayPool<byte>.Shared.Rent(BlockBytes);
        long compared = 0;
        try
        {
            foreach ((long offset, long count) in ranges)
            {
                long done = 0;
                while (done < count)
                {
                    int n = (int)Math.Min(BlockBytes, count - done);
                    int ra = RandomAccess.Read(fa.SafeFileHandle, ba.AsSpan(0, n), offset + done);
                    int rb = RandomAccess.Read(fb.SafeFileHandle, bb.AsSpan(0, n), offset + done);
                    if (ra != rb || !ba.AsSpan(0, ra).SequenceEqual(bb.AsSpan(0, rb)))
                    {
                        return (false, compared);
                    }
                    if (ra == 0)
                    {
                        break;
                    }
                    done += ra;
                    compared += ra;
                }
            }
            return (true, compared);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(ba);
            ArrayPool<byte>.Shared.Return(bb);
        }
    }

    /// <summary>FNV-1a of the path: the same block picks in every process (string hashes are randomized).</summary>
    private static int StableHash(string text)
    {
        uint h = 2166136261;
        foreach (char c in text)
        {
            h = (h ^ c) * 16777619;
        }
        return (int)h;
    }

    private enum EntryType
    {
        File,
        Directory,
        Symlink,
    }

    private readonly record struct Entry(EntryType Kind, long Length, DateTime LastWriteTimeUtc, string? Target = null);

    /// <summary>Every entry below <paramref name="root"/> by relative path ('/'-separated); symlinks are not followed.</summary>
    private static Dictionary<string, Entry> Walk(string root, CancellationToken cancellationToken)
    {
        string prefix = Path.TrimEndingDirectorySeparator(Path.GetFullPath(root));
        var options = new EnumerationOptions
        {
            RecurseSubdirectories = true,
            AttributesToSkip = 0,
            IgnoreInaccessible = false,
            ReturnSpecialDirectories = false,
        };
        var walk = new FileSystemEnumerable<(string Path, Entry Entry)>(prefix,
            (ref FileSystemEntry e) =>
            {
                string full = e.ToFullPath();
                string rel = full[(prefix.Length + 1)..];
                if (Path.DirectorySeparatorChar != '/')
                {
                    rel = rel.Replace(Path.DirectorySeparatorChar, '/');
                }
                EntryType kind = (e.Attributes & FileAttributes.ReparsePoint) != 0 ? EntryType.Symlink
                    : e.IsDirectory ? EntryType.Directory : EntryType.File;
                return (rel, new Entry(kind, kind == EntryType.File ? e.Length : 0, e.LastWriteTimeUtc.UtcDateTime));
            }, options)
        {
            ShouldRecursePredicate = (ref FileSystemEntry e) => (e.Attributes & FileAttributes.ReparsePoint) == 0,
        };
        var map = new Dictionary<string, Entry>(StringComparer.Ordinal);
        foreach ((string path, Entry entry) in walk)
        {
            cancellationToken.ThrowIfCancellationRequested();
            map[path] = entry.Kind == EntryType.Symlink
                ? entry with { Target = new FileInfo(Path.Combine(prefix, path)).LinkTarget }
                : entry;
        }
        return map;
    }
}
