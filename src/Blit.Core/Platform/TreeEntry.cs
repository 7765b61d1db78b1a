namespace Blit.Platform;

/// <summary>What kind of entry a directory holds.</summary>
public enum EntryKind : byte
{
    /// <summary>A regular file.</summary>
    File,
    /// <summary>A directory.</summary>
    Directory,
    /// <summary>A symbolic link.</summary>
    Symlink,
    /// <summary>FIFO, socket or device: recreated as <c>rsync -a</c> (<c>-D</c>) does where the process may.</summary>
    Special,
}

/// <summary>What a special entry is: with the device number, what makes two specials the same entry.</summary>
internal enum SpecialKind : byte
{
    None,
    Fifo,
    Socket,
    CharDevice,
    BlockDevice,
}

/// <summary>
/// The metadata a mirror compares and carries: type, size, mtime to the nanosecond, mode, owner;
/// for a special entry its kind and device number (the backend's encoding, opaque here); whether
/// a file or symlink has other names (hard links), which must not be changed through it.
/// </summary>
[System.Runtime.InteropServices.StructLayout(System.Runtime.InteropServices.LayoutKind.Auto)] // the small fields share padding: 48 bytes
internal readonly record struct FileMeta(
    EntryKind Kind, long Size, long MtimeSec, int MtimeNsec, uint Mode, uint Uid, uint Gid,
    SpecialKind Special = SpecialKind.None, ulong Device = 0)
{
    /// <summary>A file with fewer blocks allocated than its size needs: it may have holes to keep.</summary>
    public bool MaybeSparse { get; init; }

    /// <summary>The entry has other names (a link count above one).</summary>
    public bool HasOtherLinks { get; init; }

    public bool IsDevice => Special is SpecialKind.CharDevice or SpecialKind.BlockDevice;

    /// <summary>Same kind of special entry and, for a device, the same device.</summary>
    public bool SameSpecial(in FileMeta other) => Special == other.Special && Device == other.Device;

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

    public string ChildPath(string name) => Platform.RelativePath.Join(RelativePath, name);
}
