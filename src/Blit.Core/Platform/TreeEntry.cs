namespace Blit.Platform;

/// <summary>What kind of entry a directory holds.</summary>
public enum EntryKind : byte
{
    File,
    Directory,
    Symlink,
    /// <summary>FIFO, socket or device: skipped by the mirror, with a warning.</summary>
    Special,
}

/// <summary>The metadata a mirror compares and carries: type, size, mtime to the nanosecond, mode, owner.</summary>
internal readonly record struct FileMeta(
    EntryKind Kind, long Size, long MtimeSec, int MtimeNsec, uint Mode, uint Uid, uint Gid)
{
    /// <summary>Permission bits including setuid/setgid/sticky (07777).</summary>
    public uint Permissions => Mode & 0xFFF;

    public bool SameMtime(in FileMeta other) => MtimeSec == other.MtimeSec && MtimeNsec == other.MtimeNsec;
}

/// <summary>One entry of a scanned directory. Directories carry their own listing once scanned.</summary>
internal struct TreeEntry
{
    public string Name;
    public FileMeta Meta;
    public string? LinkTarget;
    public DirListing? Children;

    public readonly EntryKind Kind => Meta.Kind;
}

/// <summary>The scanned contents of one directory, entries sorted by ordinal name.</summary>
internal sealed class DirListing
{
    private Dictionary<string, int>? _index;

    public DirListing(string relativePath, TreeEntry[] entries)
    {
        RelativePath = relativePath;
        Entries = entries;
    }

    /// <summary>Path relative to the tree root, '/'-separated; empty for the root.</summary>
    public string RelativePath { get; }

    public TreeEntry[] Entries { get; }

    /// <summary>Index of the entry named <paramref name="name"/>, or -1.</summary>
    public int IndexOf(string name)
    {
        if (Entries.Length <= 8)
        {
            for (int i = 0; i < Entries.Length; i++)
            {
                if (string.Equals(Entries[i].Name, name, StringComparison.Ordinal))
                {
                    return i;
                }
            }
            return -1;
        }
        _index ??= BuildIndex();
        return _index.TryGetValue(name, out int idx) ? idx : -1;
    }

    private Dictionary<string, int> BuildIndex()
    {
        var map = new Dictionary<string, int>(Entries.Length, StringComparer.Ordinal);
        for (int i = 0; i < Entries.Length; i++)
        {
            map[Entries[i].Name] = i;
        }
        return map;
    }

    public string ChildPath(string name) => RelativePath.Length == 0 ? name : RelativePath + "/" + name;
}
