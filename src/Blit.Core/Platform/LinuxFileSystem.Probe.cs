using System.Text;
using static Blit.Platform.LinuxNative;

namespace Blit.Platform;

/// <summary>
/// Measuring a destination: what it keeps is found by doing it once, in a temp directory of
/// its own, and reading the result back. Filesystems lie (exFAT through FUSE accepts chmod with
/// EPERM, keeps whole seconds, and answers mkfifo with an I/O error after creating a regular
/// file), so nothing here trusts a return code alone.
/// </summary>
internal sealed unsafe partial class LinuxFileSystem
{
    // An odd second and nanoseconds aligned to no precision a filesystem uses, so the error of
    // the value read back tells the precision: 0 (ns), < 100 ns (NTFS), < 10 ms (exFAT), < 1 s, < 2 s (FAT).
    private const long ProbeSec = 1_000_000_001;
    private const int ProbeNsec = 123_456_789;
    // A time in 2096, after what a 32-bit seconds field holds, and one in 1843, before it.
    private const long ProbeLateSec = 4_000_000_001;
    // A time in 3000, after what ext4's 34-bit seconds (2446) and XFS's bigtime (2486) hold.
    private const long ProbeFarSec = 32_503_680_001;
    private const long ProbeEarlySec = -4_000_000_001;
    private static readonly long[] Precisions = [1, 100, 1_000, 1_000_000, 10_000_000, 1_000_000_000, 2_000_000_000];

    private const string ProbeFile = "blit-probe";
    private const string ProbeFileRenamed = "blit-probe-renamed";
    private const string ProbeNoReplace = "blit-probe-noreplace";
    private const string ProbeLink = "blit-probe-link";
    private const string ProbeFifo = "blit-probe-fifo";
    private const string ProbeComposed = "blit-probe-\u00e9";      // é as one code point (NFC)
    private const string ProbeDecomposed = "blit-probe-e\u0301";   // e + combining acute (NFD)

    private volatile bool _setPermissions = true;
    private volatile bool _setOwners = true;

    /// <summary>Modes and owners kept, per probed device (major &lt;&lt; 32 | minor): a destination tree that
    /// crosses onto another filesystem writes there by that filesystem's rules.</summary>
    private readonly System.Collections.Concurrent.ConcurrentDictionary<ulong, (bool Permissions, bool Owners)> _deviceWrites = new();

    public FileSystemCapabilities ProbeDestination(DirHandle dir, string tempName)
    {
        string type = FileSystemTypeOf(dir.Fd);
        if (StatxAt(dir.Fd, string.Empty, AT_EMPTY_PATH, STATX_BASIC_STATS, out Statx before) < 0 ||
            MkdirAt(dir.Fd, tempName, OwnerAll) < 0)
        {
            return FileSystemCapabilities.Assumed(type, CanSetOwner); // read-only, or not ours to write
        }
        int pfd = -1;
        try
        {
            pfd = OpenAt(dir.Fd, tempName, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC, 0);
            if (pfd < 0)
            {
                return FileSystemCapabilities.Assumed(type, CanSetOwner);
            }
            FileSystemCapabilities caps = Probe(pfd, type);
            _deviceWrites[DeviceKey(before)] = (caps.Permissions, caps.Owners);
            return caps;
        }
        finally
        {
            if (pfd >= 0)
            {
                foreach (string name in (string[])[ProbeFile, ProbeFileRenamed, ProbeNoReplace, ProbeLink, ProbeFifo, ProbeComposed, ProbeDecomposed])
                {
                    _ = UnlinkAt(pfd, name, 0);
                }
                _ = Close(pfd);
            }
            _ = UnlinkAt(dir.Fd, tempName, AT_REMOVEDIR);
            // The probe is not a change to the destination: give its directory its times back.
            RestoreTimes(dir.Fd, before);
        }
    }

    private static void RestoreTimes(int fd, in Statx before)
    {
        Timespec* times = stackalloc Timespec[2];
        times[0] = new Timespec { Sec = before.Atime.Sec, Nsec = before.Atime.Nsec };
        times[1] = new Timespec { Sec = before.Mtime.Sec, Nsec = before.Mtime.Nsec };
        _ = FUtimens(fd, times);
    }

    private FileSystemCapabilities Probe(int dir, string type)
    {
        // A file written, given a mode and an mtime, closed and renamed, as the copy path does.
        int fd = OpenAt(dir, ProbeFile, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0x180);
        if (fd < 0)
        {
            return FileSystemCapabilities.Assumed(type, CanSetOwner);
        }
        byte one = (byte)'b';
        _ = LinuxNative.Write(fd, &one, 1);
        _ = FChmod(fd, 0x1A0); // 0640
        _ = TrySetMtime(fd, new FileMeta(EntryKind.File, 1, ProbeSec, ProbeNsec, 0x1A0, 0, 0));
        _ = Close(fd);
        bool renamed = RenameAt(dir, ProbeFile, dir, ProbeFileRenamed) == 0;
        string file = renamed ? ProbeFileRenamed : ProbeFile;
        if (StatxAt(dir, file, AT_SYMLINK_NOFOLLOW, STATX_BASIC_STATS, out Statx st) < 0)
        {
            return FileSystemCapabilities.Assumed(type, CanSetOwner);
        }
        long precision = PrecisionOf(st.Mtime, ProbeSec); // 0: not kept at all
        long preEpochPrecision = precision > 0 ? PreEpochPrecision(dir, file, precision) : 0;
        long? latestMtime = precision > 0 ? LatestMtime(dir, file, precision) : null;
        long? earliestMtime = precision > 0 ? EarliestMtime(dir, file, precision) : null;
        bool permissions = (st.Mode & 0xFFF) == 0x1A0;

        bool owners = false;
        if (CanSetOwner && FChownAt(dir, file, 1, 1, AT_SYMLINK_NOFOLLOW) == 0 &&
            StatxAt(dir, file, AT_SYMLINK_NOFOLLOW, STATX_BASIC_STATS, out Statx owned) == 0)
        {
            owners = owned.Uid == 1 && owned.Gid == 1;
        }

        // The probe directory is ours and holds only the names written here: if another spelling
        // is found, it is the same entry (inode numbers do not tell: exfat-fuse gives each
        // spelling its own).
        bool caseSensitive = !Exists(dir, file.ToUpperInvariant());

        bool normalizationSensitive = true;
        int composed = OpenAt(dir, ProbeComposed, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0x180);
        if (composed >= 0)
        {
            _ = Close(composed);
            normalizationSensitive = !Exists(dir, ProbeDecomposed);
        }

        bool symlinks = SymlinkAt(file, dir, ProbeLink) == 0 && KindOf(dir, ProbeLink) == S_IFLNK;

        // exfat-fuse answers mkfifo with EIO and leaves a regular file: check what is there.
        bool specials = MkfifoAt(dir, ProbeFifo, 0x180) == 0 && KindOf(dir, ProbeFifo) == S_IFIFO;

        bool tmpFile = false;
        int unnamed = OpenAt(dir, ".", O_TMPFILE | O_WRONLY | O_CLOEXEC, 0x180);
        if (unnamed >= 0)
        {
            tmpFile = true;
            _ = Close(unnamed);
        }

        bool noReplace = false;
        try
        {
            noReplace = RenameAt2(dir, file, dir, ProbeNoReplace, RENAME_NOREPLACE) == 0;
        }
        catch (EntryPointNotFoundException)
        {
        }

        return new FileSystemCapabilities
        {
            FileSystemType = type,
            Measured = true,
            CaseSensitive = caseSensitive,
            NormalizationSensitive = normalizationSensitive,
            TimestampPrecisionNs = precision,
            PreEpochPrecisionNs = preEpochPrecision,
            LatestMtimeSec = latestMtime,
            EarliestMtimeSec = earliestMtime,
            Permissions = permissions,
            Owners = owners,
            Symlinks = symlinks,
            SpecialFiles = specials,
            UnnamedTempFiles = tmpFile,
            NoReplaceRename = noReplace,
        };
    }

    /// <summary>The finest of <see cref="Precisions"/> within which <paramref name="read"/> is the probe time <paramref name="sec"/>.<see cref="ProbeNsec"/>; 0 when none is.</summary>
    private static long PrecisionOf(in StatxTimestamp read, long sec)
    {
        long error = Math.Abs((read.Sec - sec) * 1_000_000_000L + ((long)read.Nsec - ProbeNsec));
        foreach (long p in Precisions)
        {
            if (error < p || (p == 1 && error == 0))
            {
                return p;
            }
        }
        return 0;
    }

    /// <summary>Gives the probe file the mtime <paramref name="sec"/>.<see cref="ProbeNsec"/> and reads back what was kept; null when either fails.</summary>
    private StatxTimestamp? SetAndReadMtime(int dir, string file, long sec)
    {
        int fd = OpenAt(dir, file, O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0);
        if (fd < 0)
        {
            return null;
        }
        bool set = TrySetMtime(fd, new FileMeta(EntryKind.File, 1, sec, ProbeNsec, 0x1A0, 0, 0));
        _ = Close(fd);
        return set && StatxAt(dir, file, AT_SYMLINK_NOFOLLOW, STATX_BASIC_STATS, out Statx st) == 0 ? st.Mtime : null;
    }

    /// <summary>
    /// The precision of a time before 1970, where coarser than <paramref name="precision"/>, else 0:
    /// ntfs-3g keeps 100 ns after 1970 but drops the fraction of an earlier time, so a file from
    /// 1969 would differ by up to a second on every run and be copied again each time. A time the
    /// filesystem cannot hold at all there is not widened into a window.
    /// </summary>
    private long PreEpochPrecision(int dir, string file, long precision) =>
        SetAndReadMtime(dir, file, -ProbeSec) is { } read && PrecisionOf(read, -ProbeSec) is var p && p > precision ? p : 0;

    /// <summary>
    /// The latest mtime the filesystem holds, where a time in 2096 or, if that is kept, one in 3000 comes
    /// back as an earlier one (ext4 with 128-byte inodes stores 2038-01-19 03:14:07 for any later time,
    /// ext4 with 256-byte inodes 2446-05-10 22:38:55, XFS 2486-07-02 20:20:24), else null: a file dated later
    /// would otherwise differ on every run and be copied again each time.
    /// </summary>
    private long? LatestMtime(int dir, string file, long precision) =>
        LimitMtime(dir, file, precision, [ProbeLateSec, ProbeFarSec]);

    /// <summary>
    /// The earliest mtime the filesystem holds, where a time in 1843 comes back as a later one (ext4
    /// and XFS store 1901-12-13 20:45:52 for any earlier time), else null: a file dated
    /// earlier would otherwise differ on every run and be copied again each time.
    /// </summary>
    private long? EarliestMtime(int dir, string file, long precision) =>
        LimitMtime(dir, file, precision, [ProbeEarlySec]);

    /// <summary>
    /// The time the filesystem stores for every time beyond what it holds, on the side of the first probe's
    /// 2001 that <paramref name="probes"/> lie on (nearest first): the first probe read back nearer to the last
    /// time kept by more than the precision, but not past it, gives that limit; a probe kept as set is the
    /// next one's starting point. Null when every probe is kept, or one cannot be set or read.
    /// </summary>
    private long? LimitMtime(int dir, string file, long precision, ReadOnlySpan<long> probes)
    {
        long kept = ProbeSec;
        foreach (long probe in probes)
        {
            if (SetAndReadMtime(dir, file, probe) is not { } read)
            {
                return null;
            }
            bool later = probe > kept;
            long shortBySec = later ? probe - read.Sec : read.Sec - probe;
            if (shortBySec > Math.Max(precision / 1_000_000_000, 1))
            {
                return (later ? read.Sec > kept : read.Sec < kept) ? read.Sec : null; // clamped, not wrapped past the kept time
            }
            kept = probe;
        }
        return null;
    }

    public IReadOnlyList<string> MountPointsBelow(DirHandle dir) =>
        LinuxNative.RealPath(dir.DisplayPath) is { } canonical ? MountTable.MountPointsBelow(canonical) : [];

    public void UseDestination(FileSystemCapabilities capabilities)
    {
        // Where the destination refuses or drops modes and owners (exFAT: EPERM), asking per file
        // would turn every entry into an error; the planner does not compare them there either.
        _setPermissions = capabilities.Permissions;
        _setOwners = capabilities.Owners;
        if (capabilities.Measured)
        {
            _tmpFileUnsupported |= !capabilities.UnnamedTempFiles;
            _noRenameAt2 |= !capabilities.NoReplaceRename;
        }
    }

    private static ulong DeviceKey(in Statx st) => ((ulong)st.DevMajor << 32) | st.DevMinor;

    /// <summary>
    /// Whether modes and owners are set on the entry (<paramref name="name"/> in <paramref name="fd"/>,
    /// or <paramref name="fd"/> itself): by the destination's rules, or, where the tree crosses
    /// mounts with other rules, by the rules of the filesystem the entry is on (one statx more).
    /// </summary>
    private (bool Permissions, bool Owners) WritesFor(int fd, string? name)
    {
        if (_deviceWrites.Count > 1 &&
            StatxAt(fd, name ?? string.Empty, name is null ? AT_EMPTY_PATH : AT_SYMLINK_NOFOLLOW, STATX_BASIC_STATS, out Statx st) == 0 &&
            _deviceWrites.TryGetValue(DeviceKey(st), out var writes))
        {
            return writes;
        }
        return (_setPermissions, _setOwners);
    }

    private const uint S_IFIFO = 0x1000;

    private static uint KindOf(int dir, string name) =>
        StatxAt(dir, name, AT_SYMLINK_NOFOLLOW, STATX_BASIC_STATS, out Statx st) == 0 ? st.Mode & S_IFMT : 0;

    private static bool Exists(int dir, string name) =>
        StatxAt(dir, name, AT_SYMLINK_NOFOLLOW, STATX_BASIC_STATS, out Statx _) == 0;

    /// <summary>The filesystem type of the mount holding <paramref name="fd"/> (mountinfo, else statfs's magic number).</summary>
    private static string FileSystemTypeOf(int fd)
    {
        if (StatxAt(fd, string.Empty, AT_EMPTY_PATH, STATX_BASIC_STATS, out Statx st) == 0)
        {
            string device = $"{st.DevMajor}:{st.DevMinor}";
            foreach (MountEntry m in MountTable.Read())
            {
                if (string.Equals(m.Device, device, StringComparison.Ordinal))
                {
                    return m.FileSystemType;
                }
            }
        }
        return FileSystemMagic(fd);
    }

    /// <summary>The type from statfs(2)'s magic number, where mountinfo has no line for the device (Btrfs subvolumes).</summary>
    private static string FileSystemMagic(int fd)
    {
        long* buf = stackalloc long[16]; // struct statfs: f_type is the first word on 64-bit Linux
        if (FStatFs(fd, buf) < 0)
        {
            return "unknown";
        }
        return (uint)buf[0] switch
        {
            0xEF53 => "ext4",
            0x58465342 => "xfs",
            0x9123683E => "btrfs",
            0x01021994 => "tmpfs",
            0x2011BAB0 => "exfat",
            0x4D44 => "vfat",
            0x5346544E or 0x7366746E => "ntfs",
            0x65735546 => "fuse",
            0x6969 => "nfs",
            0xFF534D42 or 0xFE534D42 => "smb",
            0x794C7630 => "overlay",
            0xF2F52010 => "f2fs",
            0x2FC12FC1 => "zfs",
            uint magic => $"0x{magic:x}",
        };
    }
}
