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

/// <summary>
/// The metadata a mirror compares and carries: type, size, mtime to the nanosecond, mode, owner;
/// and whether a file or symlink has other names (hard links), which must not be changed through it.
/// </summary>
/// <remarks>One is kept per scanned entry: auto layout packs the flag beside the kind (40 bytes).</remarks>
[System.Runtime.InteropServices.StructLayout(System.Runtime.InteropServices.LayoutKind.Auto)]
internal readonly record struct FileMeta(
    EntryKind Kind, long Size, long MtimeSec, int MtimeNsec, uint Mode, uint Uid, uint Gid, bool HasOtherLinks = false)
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

    /// <summary>A directory that was listed but was gone when the scan came to read it.</summary>
    public readonly bool Vanished => ReferenceEquals(Children, DirListing.Vanished);
}

/// <summary>
/// The scanned contents of one directory, entries sorted by ordinal name (the planner pairs a
/// source and a destination listing in one merge pass, which needs that order).
/// </summary>
internal sealed class DirListing
{
    /// <summary>Stands in for the listing of a directory that vanished during the scan: the planner treats it as absent.</summary>
    public static readonly DirListing Vanished = new(string.Empty, []);

    public DirListing(string relativePath, TreeEntry[] entries)
    {
        RelativePath = relativePath;
        Entries = entries;
    }

    /// <summary>Path relative to the tree root, '/'-separated; empty for the root.</summary>
    public string RelativePath { get; }

    public TreeEntry[] Entries { get; }

    /// <summary>Entries were left out of <see cref="Entries"/> by the exclude rules: deleting this directory keeps it.</summary>
    public bool HoldsExcluded { get; init; }

    public string ChildPath(string name) => RelativePath.Length == 0 ? name : RelativePath + "/" + name;
}
