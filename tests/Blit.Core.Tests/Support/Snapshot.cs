using Blit.Errors;
using System.Security.Cryptography;
using Blit.Platform;

namespace Blit.Tests.Support;

/// <summary>Everything §2 says must match, for one entry.</summary>
internal sealed record EntryState(EntryKind Kind, long Size, long MtimeSec, int MtimeNsec, uint Mode, uint Uid, uint Gid,
    string? LinkTarget, string? ContentHash, string? Special = null);

internal static class Snapshot
{
    /// <summary>Every entry below <paramref name="root"/> (symlinks not followed), keyed by relative path; "" is the root.</summary>
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
        foreach (TreeEntry e in fs.ReadDirectory(dir, readLinkTargets: true, keep: false))
        {
            string childRel = rel.Length == 0 ? e.Name : rel + "/" + e.Name;
            string childFull = Path.Combine(full, e.Name);
            string? hash = e.Kind == EntryKind.File ? HashAt(dir, e.Name) : null;
            into[childRel] = Backend.AsCarried(new EntryState(e.Kind, e.Kind == EntryKind.File ? e.Meta.Size : 0, e.Meta.MtimeSec, e.Meta.MtimeNsec,
                e.Kind == EntryKind.Symlink ? 0 : e.Meta.Permissions, e.Meta.Uid, e.Meta.Gid, e.LinkTarget, hash,
                e.Kind == EntryKind.Special ? $"{e.Meta.Special} {e.Meta.Device:x}" : null));
            if (e.Kind == EntryKind.Directory)
            {
                using DirHandle child = fs.OpenDirectory(dir, e.Name);
                Walk(fs, child, childFull, childRel, into);
            }
        }
    }

    /// <summary>Differences between two snapshots, one line each; empty when they match.</summary>
    /// <summary>SHA-256 of a file opened by its exact name bytes (a name that is not UTF-8 has no .NET path).</summary>
    private static string HashAt(DirHandle dir, string name)
    {
        int fd = LinuxNative.OpenAt(dir.Fd, name, LinuxNative.O_RDONLY | LinuxNative.O_NOFOLLOW | LinuxNative.O_CLOEXEC, 0);
        if (fd < 0)
        {
            throw LinuxNative.IOError(LinuxNative.LastErrno, "open", dir.Child(name));
        }
        using var stream = new FileStream(new Microsoft.Win32.SafeHandles.SafeFileHandle(fd, ownsHandle: true), FileAccess.Read);
        return Convert.ToHexString(SHA256.HashData(stream));
    }

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
