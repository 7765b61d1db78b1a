using System.Collections.Concurrent;
using System.Diagnostics;
using System.Security.Cryptography;
using Blit.Errors;
using Blit.Mirror;

namespace Blit.Core.Tests.Reliability;

/// <summary>A scratch directory under /tmp with a source, a destination and an "outside" tree; removed afterwards.</summary>
internal sealed class Sandbox : IDisposable
{
    public Sandbox()
    {
        Root = Path.Combine(Path.GetTempPath(), "blit-rel-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(Root);
        Source = Path.Combine(Root, "src");
        Destination = Path.Combine(Root, "dst");
        Outside = Path.Combine(Root, "outside");
        Directory.CreateDirectory(Source);
        Directory.CreateDirectory(Outside);
    }

    public string Root { get; }
    public string Source { get; }
    public string Destination { get; }
    /// <summary>A tree outside both: destination symlinks point here, and it must never change.</summary>
    public string Outside { get; }

    public string Src(string relative) => Path.Combine(Source, relative);
    public string Dst(string relative) => Path.Combine(Destination, relative);

    public MirrorOptions Options(int throttle = 0) => new()
    {
        Source = Source,
        Destination = Destination,
        ThrottleLimit = throttle,
    };

    /// <summary>Scans and plans through <paramref name="fs"/> (the real file system when null).</summary>
    public MirrorSession Prepare(FaultInjectingFileSystem? fs = null, IMirrorListener? listener = null, int throttle = 0,
        CancellationToken cancellationToken = default) =>
        MirrorEngine.Prepare(Options(throttle), listener, null, cancellationToken, fs);

    public MirrorResult Run(FaultInjectingFileSystem? fs = null, IMirrorListener? listener = null, int throttle = 0,
        CancellationToken cancellationToken = default)
    {
        using MirrorSession session = Prepare(fs, listener, throttle, cancellationToken);
        return session.Execute(cancellationToken);
    }

    public void Dispose()
    {
        // rm copes with trees deeper than PATH_MAX and with read-only directories; .NET does not.
        using var rm = Process.Start(new ProcessStartInfo("rm", ["-rf", "--one-file-system", Root]) { UseShellExecute = false })!;
        rm.WaitForExit();
    }
}

internal sealed class RecordingListener : IMirrorListener
{
    public ConcurrentQueue<BlitError> Errors { get; } = new();

    public ConcurrentQueue<MirrorItem> Items { get; } = new();

    public void OnError(BlitError error) => Errors.Enqueue(error);

    public void OnItem(MirrorItem item) => Items.Enqueue(item);

    public IEnumerable<BlitError> NonWarnings => Errors.Where(e => !e.IsWarning);

    public string Describe() => string.Join("\n", Errors.Select(e => $"{e.Code} {e.Path}: {e.Message}"));
}

internal static class Tree
{
    public static readonly DateTime OldTime = new(2020, 1, 2, 3, 4, 5, DateTimeKind.Utc);

    public static void Write(string path, string content, DateTime? mtime = null)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, content);
        if (mtime is not null)
        {
            File.SetLastWriteTimeUtc(path, mtime.Value);
        }
    }

    public static void Write(string path, byte[] content)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, content);
    }

    /// <summary>A file of <paramref name="size"/> bytes: random first and last MiB, zeros between (cheap to make; a hole if <paramref name="sparse"/>).</summary>
    public static byte[] WriteLarge(string path, long size, int seed, bool sparse = false)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var rnd = new Random(seed);
        var head = new byte[1 << 20];
        var tail = new byte[1 << 20];
        rnd.NextBytes(head);
        rnd.NextBytes(tail);
        // The zeros between head and tail are allocated (fallocate), not a hole: a file with holes is
        // copied by its data alone (issue 13.6), and these files must take their size to copy.
        using (var fs = new FileStream(path, new FileStreamOptions
               { Mode = FileMode.Create, Access = FileAccess.Write, PreallocationSize = sparse ? 0 : size }))
        {
            fs.SetLength(size);
            fs.Write(head);
            fs.Seek(size - tail.Length, SeekOrigin.Begin);
            fs.Write(tail);
        }
        return HashFile(path);
    }

    public static byte[] HashFile(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1 << 20);
        return SHA256.HashData(stream);
    }

    /// <summary>Every entry below <paramref name="root"/> (symlinks not followed): kind, size, mode, mtime, content hash or link target.</summary>
    public static SortedDictionary<string, string> Snapshot(string root)
    {
        var map = new SortedDictionary<string, string>(StringComparer.Ordinal);
        if (!Directory.Exists(root))
        {
            return map;
        }
        map[""] = Describe(new DirectoryInfo(root));
        foreach (FileSystemInfo info in new DirectoryInfo(root).EnumerateFileSystemInfos("*", new EnumerationOptions
        {
            RecurseSubdirectories = true,
            AttributesToSkip = 0,
            IgnoreInaccessible = false,
        }))
        {
            map[Path.GetRelativePath(root, info.FullName)] = Describe(info);
        }
        return map;
    }

    private static string Describe(FileSystemInfo info)
    {
        string mode = Convert.ToString((int)info.UnixFileMode, 8);
        long mtime = info.LastWriteTimeUtc.Ticks;
        if (info.LinkTarget is not null)
        {
            return $"L {info.LinkTarget}";
        }
        if (info is DirectoryInfo)
        {
            return $"D {mode} {mtime}";
        }
        var file = (FileInfo)info;
        return $"F {file.Length} {mode} {mtime} {Convert.ToHexString(HashFile(file.FullName))[..16]}";
    }

    /// <summary>Blit's temp files anywhere below <paramref name="root"/>.</summary>
    public static List<string> TempFiles(string root) =>
        [.. Directory.EnumerateFileSystemEntries(root, ".~blit-*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0 })];

    public static void AssertSameTree(string expectedRoot, string actualRoot)
    {
        SortedDictionary<string, string> expected = Snapshot(expectedRoot);
        SortedDictionary<string, string> actual = Snapshot(actualRoot);
        Assert.Equal(expected, actual);
    }
}
