using System.Diagnostics;
using System.Security.Cryptography;
using Blit.Errors;
using Blit.Platform;

namespace Blit.Tests.Support;

/// <summary>Making and reading trees for the tests: files with exact mtimes, modes, owners, links; snapshots.</summary>
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

    /// <summary>A file with an mtime to the nanosecond.</summary>
    public static void Write(string path, string content, long mtimeSec, int mtimeNsec = 0)
    {
        Write(path, content);
        SetMtime(path, mtimeSec, mtimeNsec);
    }

    public static unsafe void SetMtime(string path, long sec, int nsec)
    {
        var times = stackalloc LinuxNative.Timespec[2];
        times[0] = new LinuxNative.Timespec { Sec = sec, Nsec = nsec };
        times[1] = new LinuxNative.Timespec { Sec = sec, Nsec = nsec };
        if (LinuxNative.UtimensAt(LinuxNative.AT_FDCWD, path, times, LinuxNative.AT_SYMLINK_NOFOLLOW) != 0)
        {
            throw LinuxNative.IOError(LinuxNative.LastErrno, "utimensat", path);
        }
    }

    public static void Chmod(string path, int mode)
    {
        if (LinuxNative.FChmodAt(LinuxNative.AT_FDCWD, path, (uint)mode, 0) != 0)
        {
            throw LinuxNative.IOError(LinuxNative.LastErrno, "chmod", path);
        }
    }

    public static void Chown(string path, uint uid, uint gid)
    {
        if (LinuxNative.FChownAt(LinuxNative.AT_FDCWD, path, uid, gid, LinuxNative.AT_SYMLINK_NOFOLLOW) != 0)
        {
            throw LinuxNative.IOError(LinuxNative.LastErrno, "chown", path);
        }
    }

    public static void Symlink(string path, string target)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.CreateSymbolicLink(path, target);
    }

    public static void MkFifo(string path) => Run("mkfifo", path);

    /// <summary>Runs <paramref name="script"/> with bash (names that are not UTF-8 are easiest made there); fails on a non-zero exit.</summary>
    public static string Bash(string script) => Run("bash", "-c", script);

    /// <summary><paramref name="s"/> single-quoted for bash.</summary>
    public static string Quote(string s) => "'" + s.Replace("'", "'\\''", StringComparison.Ordinal) + "'";

    public static string Run(string file, params string[] args)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string a in args)
        {
            psi.ArgumentList.Add(a);
        }
        using Process p = Process.Start(psi)!;
        string stdout = p.StandardOutput.ReadToEnd();
        string stderr = p.StandardError.ReadToEnd();
        p.WaitForExit();
        return p.ExitCode != 0 ? throw new InvalidOperationException($"{file} {string.Join(' ', args)} failed: {stderr}") : stdout;
    }

    public static bool HasCommand(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(':')
            .Any(dir => dir.Length > 0 && File.Exists(Path.Combine(dir, name)));

    /// <summary>A file of <paramref name="size"/> bytes: random first and last MiB, a hole between (cheap to make).</summary>
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
