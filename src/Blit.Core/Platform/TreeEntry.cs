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

/// <summary>
/// One entry of a scanned directory. Directories carry their own listing once scanned.
/// </summary>
/// <remarks>
/// The name is held one of two ways. The portable backend and hand-built listings give a string.
/// The Linux backend gives the bytes the kernel returned, in one buffer its directory's entries
/// share (<see cref="SetNameBytes"/>): a million-entry scan then makes no string per entry (a
/// 1M no-op's user time 1.8-2.0 s -> 1.4-1.7 s, the collector's pauses 230-260 ms -> 100-135 ms:
/// decoding, and promoting a million strings twice, docs/performance.md).
/// <see cref="Name"/> decodes those bytes each time it is read, so the hot paths, sorting and
/// pairing a listing, compare through <see cref="CompareNames"/> and <see cref="NamesEqual"/>
/// instead, and a string is made only for an entry that needs an action or a message.
/// Bytes order names as the backend's system calls see them (UTF-8 byte order); strings order
/// them by UTF-16 code unit. The two sides of one mirror come from one backend, so the two
/// listings the planner merges are always held and sorted the same way.
/// </remarks>
internal struct TreeEntry
{
    private object? _name; // string, or byte[] holding the name at [_nameStart, _nameStart + _nameLength)
    private int _nameStart;
    private int _nameLength;

    /// <summary>The name; from bytes, decoded losslessly (<see cref="NameEncoding.Decode"/>) on every read.</summary>
    public string Name
    {
        readonly get => _name as string ?? (_name is byte[] bytes ? NameEncoding.Decode(bytes.AsSpan(_nameStart, _nameLength)) : string.Empty);
        init => _name = value;
    }

    /// <summary>The name is held as bytes (the Linux backend), not as a string.</summary>
    public readonly bool HasNameBytes => _name is byte[];

    /// <summary>The name's bytes; only when <see cref="HasNameBytes"/>.</summary>
    public readonly ReadOnlySpan<byte> NameBytes => ((byte[])_name!).AsSpan(_nameStart, _nameLength);

    /// <summary>The name is the <paramref name="length"/> bytes at <paramref name="start"/> of <paramref name="buffer"/>, which other entries may share.</summary>
    public void SetNameBytes(byte[] buffer, int start, int length)
    {
        _name = buffer;
        _nameStart = start;
        _nameLength = length;
    }

    /// <summary>The name's bytes are at the same place in <paramref name="copy"/>, a copy of the buffer they were in.</summary>
    public void MoveNameBytes(byte[] copy) => _name = copy;

    /// <summary>
    /// Ordinal order of two names held the same way: bytes by byte, strings by UTF-16 code unit
    /// (<see cref="string.CompareOrdinal(string, string)"/>). The order <see cref="NameOrder"/> sorts a listing in.
    /// </summary>
    public static int CompareNames(in TreeEntry a, in TreeEntry b) =>
        a._name is byte[] && b._name is byte[] ? a.NameBytes.SequenceCompareTo(b.NameBytes) : string.CompareOrdinal(a.Name, b.Name);

    /// <summary>The two names are the same name, byte for byte (or code unit for code unit).</summary>
    public static bool NamesEqual(in TreeEntry a, in TreeEntry b) =>
        a._name is byte[] && b._name is byte[] ? a.NameBytes.SequenceEqual(b.NameBytes) : string.Equals(a.Name, b.Name, StringComparison.Ordinal);

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

    /// <summary>
    /// The index of the entry named <paramref name="name"/> exactly, or -1: a binary search in the
    /// listing's own order, with the name encoded once where the entries hold bytes (no string per entry).
    /// </summary>
    public int IndexOf(string name)
    {
        if (Entries.Length == 0)
        {
            return -1;
        }
        var probe = new TreeEntry { Name = name };
        if (Entries[0].HasNameBytes)
        {
            var bytes = new byte[NameEncoding.GetByteCount(name)];
            NameEncoding.Encode(name, bytes);
            probe.SetNameBytes(bytes, 0, bytes.Length);
        }
        int low = 0, high = Entries.Length - 1;
        while (low <= high)
        {
            int mid = low + ((high - low) >> 1);
            int order = TreeEntry.CompareNames(Entries[mid], probe);
            if (order == 0)
            {
                return mid;
            }
            if (order < 0)
            {
                low = mid + 1;
            }
            else
            {
                high = mid - 1;
            }
        }
        return -1;
    }
}
