using System.Diagnostics;
using System.Security.Cryptography;
using Blit.Errors;
using Blit.Mirror;
using Blit.Platform;

namespace Blit.Tests.Support;

/// <summary>A scratch directory with a source and a destination, removed on dispose.</summary>
internal sealed class TempTree : IDisposable
{
    public TempTree()
    {
        Root = Path.Combine(Path.GetTempPath(), "blit-test-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(Root);
        Source = Path.Combine(Root, "src");
        Dest = Path.Combine(Root, "dst");
        Directory.CreateDirectory(Source);
    }

    public string Root { get; }
    public string Source { get; }
    public string Dest { get; }

    public string S(string rel) => Path.Combine(Source, rel);
    public string D(string rel) => Path.Combine(Dest, rel);

    public static void WriteFile(string path, string content, long? mtimeSec = null, int mtimeNsec = 0)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, content);
        if (mtimeSec is not null)
        {
            SetMtime(path, mtimeSec.Value, mtimeNsec);
        }
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

    public MirrorResult Mirror(bool checksum = false, bool force = false, string[]? exclude = null, int throttle = 0,
        RecordingListener? listener = null, string? source = null, string? dest = null) =>
        MirrorEngine.Run(new MirrorOptions
        {
            Source = source ?? Source,
            Destination = dest ?? Dest,
            Checksum = checksum,
            Force = force,
            Exclude = exclude ?? [],
            ThrottleLimit = throttle,
            EmitItems = listener is not null,
        }, listener);

    public void Dispose()
    {
        try
        {
            // Read-only directories (tests make some) must be writable to be removed.
            Run("chmod", "-R", "u+rwx", Root);
            Directory.Delete(Root, recursive: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or InvalidOperationException)
        {
        }
    }
}

/// <summary>Everything §2 says must match, for one entry.</summary>
internal sealed record EntryState(EntryKind Kind, long Size, long MtimeSec, int MtimeNsec, uint Mode, uint Uid, uint Gid,
    string? LinkTarget, string? ContentHash);

internal static class Snapshot
{
    /// <summary>
    /// Every entry below <paramref name="root"/> (symlinks not followed), keyed by relative path; "" is the root.
    /// Read with the Linux backend (nanoseconds, owners) and cut to what the backend under test carries.
    /// </summary>
    public static SortedDictionary<string, EntryState> Take(string root, bool includeRoot = true)
    {
        var fs = new LinuxFileSystem();
        var result = new SortedDictionary<string, EntryState>(StringComparer.Ordinal);
        if (includeRoot)
        {
            FileMeta m = fs.StatRoot(root);
            result[string.Empty] = Backend.AsCarried(new EntryState(m.Kind, 0, m.MtimeSec, m.MtimeNsec, m.Permissions, m.Uid, m.Gid, null, null));
        }
        using DirHandle handle = fs.OpenRoot(root);
        Walk(fs, handle, root, string.Empty, result);
        return result;
    }

    private static void Walk(LinuxFileSystem fs, DirHandle dir, string full, string rel, SortedDictionary<string, EntryState> into)
    {
        foreach (TreeEntry e in fs.ReadDirectory(dir, readLinkTargets: true))
        {
            string childRel = rel.Length == 0 ? e.Name : rel + "/" + e.Name;
            string childFull = Path.Combine(full, e.Name);
            string? hash = e.Kind == EntryKind.File ? Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(childFull))) : null;
            into[childRel] = Backend.AsCarried(new EntryState(e.Kind, e.Kind == EntryKind.File ? e.Meta.Size : 0, e.Meta.MtimeSec, e.Meta.MtimeNsec,
                e.Kind == EntryKind.Symlink ? 0 : e.Meta.Permissions, e.Meta.Uid, e.Meta.Gid, e.LinkTarget, hash));
            if (e.Kind == EntryKind.Directory)
            {
                using DirHandle child = fs.OpenDirectory(dir, e.Name);
                Walk(fs, child, childFull, childRel, into);
            }
        }
    }

    /// <summary>Differences between two snapshots, one line each; empty when they match.</summary>
    public static List<string> Diff(SortedDictionary<string, EntryState> expected, SortedDictionary<string, EntryState> actual,
        Func<string, bool>? ignore = null)
    {
        var diffs = new List<string>();
        foreach (var (path, e) in expected)
        {
            if (ignore?.Invoke(path) == true)
            {
                continue;
            }
            if (!actual.TryGetValue(path, out EntryState? a))
            {
                diffs.Add($"missing: '{path}'");
            }
            else if (a != e)
            {
                diffs.Add($"differs: '{path}': expected {e}, got {a}");
            }
        }
        foreach (string path in actual.Keys)
        {
            if (!expected.ContainsKey(path) && ignore?.Invoke(path) != true)
            {
                diffs.Add($"extra: '{path}'");
            }
        }
        return diffs;
    }
}

/// <summary>Collects what the engine reports.</summary>
internal sealed class RecordingListener : IMirrorListener
{
    private readonly List<BlitError> _errors = [];
    private readonly List<MirrorItem> _items = [];

    public Action<MirrorItem>? OnItemHook { get; set; }

    public IReadOnlyList<BlitError> Errors { get { lock (_errors) { return [.. _errors]; } } }
    public IReadOnlyList<MirrorItem> Items { get { lock (_items) { return [.. _items]; } } }

    public void OnError(BlitError error)
    {
        lock (_errors)
        {
            _errors.Add(error);
        }
    }

    public void OnItem(MirrorItem item)
    {
        lock (_items)
        {
            _items.Add(item);
        }
        OnItemHook?.Invoke(item);
    }
}
