using System.Runtime.InteropServices;

namespace Blit.Platform;

/// <summary>
/// The libc calls the Linux backend uses. Everything works relative to directory file
/// descriptors (the *at family), so a path is never re-resolved through a symlink that
/// appeared after the scan, and paths of any total length work. Strings pass as the exact bytes
/// they stand for (<see cref="NameMarshaller"/>), so names that are not UTF-8 work too.
/// </summary>
internal static unsafe partial class LinuxNative
{
    private const string Libc = "libc";

    // errno values (Linux, all architectures).
    public const int EPERM = 1, ENOENT = 2, EINTR = 4, EBADF = 9, EAGAIN = 11, EACCES = 13, EEXIST = 17,
        EXDEV = 18, ENOTDIR = 20, EISDIR = 21, EINVAL = 22, ENOSPC = 28, EROFS = 30,
        ENOSYS = 38, ENOTEMPTY = 39, ELOOP = 40, EOPNOTSUPP = 95, EDQUOT = 122;

    // errno values that a network filesystem (NFS, SMB, sshfs) returns for a passing fault: a
    // server restart (ESTALE), a dropped connection (EIO), a timeout. The same call may succeed
    // a moment later, so KindOf classifies them Transient and the executor retries them when
    // asked to (-RetryCount).
    public const int EIO = 5, ETIMEDOUT = 110, ESTALE = 116;

    public const int AT_FDCWD = -100;
    public const int AT_SYMLINK_NOFOLLOW = 0x100;
    public const int AT_REMOVEDIR = 0x200;
    public const int AT_EMPTY_PATH = 0x1000;
    public const int AT_SYMLINK_FOLLOW = 0x400;
    /// <summary>__O_TMPFILE | O_DIRECTORY: an unnamed file in a directory (same value on x86-64 and arm64).</summary>
    public static readonly int O_TMPFILE = 0x400000 |
        (RuntimeInformation.ProcessArchitecture is Architecture.Arm64 or Architecture.Arm ? 0x4000 : 0x10000);
    public const uint STATX_BASIC_STATS = 0x7ff;
    public const uint STATX_TYPE = 0x1;
    public const uint STATX_NLINK = 0x4;
    public const uint STATX_MNT_ID = 0x1000;
    /// <summary>stx_attributes: the entry is the root of a mount.</summary>
    public const ulong STATX_ATTR_MOUNT_ROOT = 0x2000;

    public const int O_RDONLY = 0, O_WRONLY = 1, O_CREAT = 0x40, O_EXCL = 0x80, O_NOCTTY = 0x100;
    public const int O_CLOEXEC = 0x80000;
    public const int O_NONBLOCK = 0x800;
    public const int O_NOATIME = 0x40000;
    /// <summary>A handle that names a file without opening it for I/O (no permission to read needed).</summary>
    public const int O_PATH = 0x200000;

    // O_DIRECTORY and O_NOFOLLOW differ between x86-64 (asm-generic) and arm64.
    public static readonly int O_DIRECTORY =
        RuntimeInformation.ProcessArchitecture is Architecture.Arm64 or Architecture.Arm ? 0x4000 : 0x10000;
    public static readonly int O_NOFOLLOW =
        RuntimeInformation.ProcessArchitecture is Architecture.Arm64 or Architecture.Arm ? 0x8000 : 0x20000;

    public const ulong FICLONE = 0x40049409;
    public const long UTIME_OMIT = (1L << 30) - 2;
    public const long UTIME_NOW = (1L << 30) - 1;

    public const uint S_IFMT = 0xF000, S_IFDIR = 0x4000, S_IFREG = 0x8000, S_IFLNK = 0xA000,
        S_IFIFO = 0x1000, S_IFCHR = 0x2000, S_IFBLK = 0x6000, S_IFSOCK = 0xC000;

    [StructLayout(LayoutKind.Sequential)]
    public struct StatxTimestamp
    {
        public long Sec;
        public uint Nsec;
        private readonly int _reserved;
    }

    /// <summary>struct statx from linux/stat.h: the same layout on every architecture.</summary>
    [StructLayout(LayoutKind.Explicit, Size = 256)]
    public struct Statx
    {
        [FieldOffset(0)] public uint Mask;
        [FieldOffset(8)] public ulong Attributes;
        [FieldOffset(16)] public uint Nlink;
        [FieldOffset(20)] public uint Uid;
        [FieldOffset(24)] public uint Gid;
        [FieldOffset(28)] public ushort Mode;
        [FieldOffset(32)] public ulong Ino;
        [FieldOffset(40)] public ulong Size;
        [FieldOffset(48)] public ulong Blocks;
        [FieldOffset(56)] public ulong AttributesMask;
        [FieldOffset(64)] public StatxTimestamp Atime;
        [FieldOffset(112)] public StatxTimestamp Mtime;
        [FieldOffset(128)] public uint RdevMajor;
        [FieldOffset(132)] public uint RdevMinor;
        [FieldOffset(136)] public uint DevMajor;
        [FieldOffset(140)] public uint DevMinor;
        [FieldOffset(144)] public ulong MountId;
    }

    [StructLayout(LayoutKind.Sequential)]
    public struct Timespec
    {
        public long Sec;
        public long Nsec;
    }

    [LibraryImport(Libc, EntryPoint = "statx", SetLastError = true, StringMarshalling = StringMarshalling.Custom, StringMarshallingCustomType = typeof(NameMarshaller))]
    public static partial int StatxAt(int dirfd, string path, int flags, uint mask, out Statx buf);

    /// <summary>statx on a NUL-terminated name as the kernel gave it (no re-encoding).</summary>
    [LibraryImport(Libc, EntryPoint = "statx", SetLastError = true)]
    public static partial int StatxAt(int dirfd, byte* path, int flags, uint mask, Statx* buf);

    [LibraryImport(Libc, EntryPoint = "readlinkat", SetLastError = true)]
    public static partial nint ReadLinkAt(int dirfd, byte* path, byte* buf, nint bufsiz);

    [LibraryImport(Libc, EntryPoint = "openat", SetLastError = true, StringMarshalling = StringMarshalling.Custom, StringMarshallingCustomType = typeof(NameMarshaller))]
    public static partial int OpenAt(int dirfd, string path, int flags, uint mode);

    [LibraryImport(Libc, EntryPoint = "close", SetLastError = true)]
    public static partial int Close(int fd);

    [LibraryImport(Libc, EntryPoint = "fdopendir", SetLastError = true)]
    public static partial nint FdOpenDir(int fd);

    [LibraryImport(Libc, EntryPoint = "readdir", SetLastError = true)]
    public static partial nint ReadDir(nint dir);

    [LibraryImport(Libc, EntryPoint = "closedir", SetLastError = true)]
    public static partial int CloseDir(nint dir);

    [LibraryImport(Libc, EntryPoint = "mkdirat", SetLastError = true, StringMarshalling = StringMarshalling.Custom, StringMarshallingCustomType = typeof(NameMarshaller))]
    public static partial int MkdirAt(int dirfd, string path, uint mode);

    [LibraryImport(Libc, EntryPoint = "unlinkat", SetLastError = true, StringMarshalling = StringMarshalling.Custom, StringMarshallingCustomType = typeof(NameMarshaller))]
    public static partial int UnlinkAt(int dirfd, string path, int flags);

    [LibraryImport(Libc, EntryPoint = "renameat", SetLastError = true, StringMarshalling = StringMarshalling.Custom, StringMarshallingCustomType = typeof(NameMarshaller))]
    public static partial int RenameAt(int olddirfd, string oldpath, int newdirfd, string newpath);

    /// <summary>renameat with flags (glibc 2.28+); <see cref="RENAME_NOREPLACE"/> fails with EEXIST instead of replacing.</summary>
    [LibraryImport(Libc, EntryPoint = "renameat2", SetLastError = true, StringMarshalling = StringMarshalling.Custom, StringMarshallingCustomType = typeof(NameMarshaller))]
    public static partial int RenameAt2(int olddirfd, string oldpath, int newdirfd, string newpath, uint flags);

    public const uint RENAME_NOREPLACE = 1;

    [LibraryImport(Libc, EntryPoint = "linkat", SetLastError = true, StringMarshalling = StringMarshalling.Custom, StringMarshallingCustomType = typeof(NameMarshaller))]
    public static partial int LinkAt(int olddirfd, string oldpath, int newdirfd, string newpath, int flags);

    [LibraryImport(Libc, EntryPoint = "symlinkat", SetLastError = true, StringMarshalling = StringMarshalling.Custom, StringMarshallingCustomType = typeof(NameMarshaller))]
    public static partial int SymlinkAt(string target, int newdirfd, string linkpath);


    [LibraryImport(Libc, EntryPoint = "mknodat", SetLastError = true, StringMarshalling = StringMarshalling.Custom, StringMarshallingCustomType = typeof(NameMarshaller))]
    public static partial int MknodAt(int dirfd, string path, uint mode, ulong dev);

    /// <summary>mknodat before glibc 2.33, which exported only this versioned form (version 0 on x86-64 and arm64).</summary>
    [LibraryImport(Libc, EntryPoint = "__xmknodat", SetLastError = true, StringMarshalling = StringMarshalling.Custom, StringMarshallingCustomType = typeof(NameMarshaller))]
    public static partial int XMknodAt(int version, int dirfd, string path, uint mode, ulong* dev);

    /// <summary>glibc's makedev: the dev_t for a major and minor number.</summary>
    public static ulong MakeDev(uint major, uint minor) =>
        ((ulong)(major & 0xFFFFF000) << 32) | ((ulong)(major & 0xFFF) << 8) | ((ulong)(minor & 0xFFFFFF00) << 12) | (minor & 0xFF);

    [LibraryImport(Libc, EntryPoint = "fchmod", SetLastError = true)]
    public static partial int FChmod(int fd, uint mode);

    [LibraryImport(Libc, EntryPoint = "fchmodat", SetLastError = true, StringMarshalling = StringMarshalling.Custom, StringMarshallingCustomType = typeof(NameMarshaller))]
    public static partial int FChmodAt(int dirfd, string path, uint mode, int flags);

    [LibraryImport(Libc, EntryPoint = "fchown", SetLastError = true)]
    public static partial int FChown(int fd, uint uid, uint gid);

    [LibraryImport(Libc, EntryPoint = "fchownat", SetLastError = true, StringMarshalling = StringMarshalling.Custom, StringMarshallingCustomType = typeof(NameMarshaller))]
    public static partial int FChownAt(int dirfd, string path, uint uid, uint gid, int flags);

    [LibraryImport(Libc, EntryPoint = "futimens", SetLastError = true)]
    public static partial int FUtimens(int fd, Timespec* times);

    [LibraryImport(Libc, EntryPoint = "utimensat", SetLastError = true, StringMarshalling = StringMarshalling.Custom, StringMarshallingCustomType = typeof(NameMarshaller))]
    public static partial int UtimensAt(int dirfd, string path, Timespec* times, int flags);

    [LibraryImport(Libc, EntryPoint = "copy_file_range", SetLastError = true)]
    public static partial nint CopyFileRange(int fdIn, long* offIn, int fdOut, long* offOut, nint len, uint flags);

    public const int SEEK_SET = 0, SEEK_DATA = 3, SEEK_HOLE = 4;
    public const int ENXIO = 6;

    [LibraryImport(Libc, EntryPoint = "lseek", SetLastError = true)]
    public static partial long LSeek(int fd, long offset, int whence);

    [LibraryImport(Libc, EntryPoint = "ftruncate", SetLastError = true)]
    public static partial int FTruncate(int fd, long length);

    [LibraryImport(Libc, EntryPoint = "ioctl", SetLastError = true)]
    public static partial int Ioctl(int fd, ulong request, int arg);

    [LibraryImport(Libc, EntryPoint = "ioctl", SetLastError = true)]
    public static partial int Ioctl(int fd, ulong request, int* arg);

    /// <summary>FS_IOC_GETFLAGS (_IOR('f', 1, long)) and the inode flags it reports (chattr).</summary>
    public const ulong FS_IOC_GETFLAGS = 0x80086601;
    public const int FS_IMMUTABLE_FL = 0x10, FS_APPEND_FL = 0x20;

    [LibraryImport(Libc, EntryPoint = "read", SetLastError = true)]
    public static partial nint Read(int fd, byte* buf, nint count);

    [LibraryImport(Libc, EntryPoint = "write", SetLastError = true)]
    public static partial nint Write(int fd, byte* buf, nint count);

    [LibraryImport(Libc, EntryPoint = "mkfifoat", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int MkfifoAt(int dirfd, string path, uint mode);

    [LibraryImport(Libc, EntryPoint = "fstatfs", SetLastError = true)]
    public static partial int FStatFs(int fd, long* buf);

    [LibraryImport(Libc, EntryPoint = "geteuid")]
    public static partial uint GetEuid();

    [LibraryImport(Libc, EntryPoint = "getegid")]
    public static partial uint GetEgid();


    /// <summary>struct dirent (glibc, 64-bit): d_ino 8, d_off 8, d_reclen 2, d_type 1, d_name.</summary>
    public const int DirentNameOffset = 19;
    public const int DirentTypeOffset = 18;
    public const byte DT_DIR = 4;

    public static int LastErrno => Marshal.GetLastPInvokeError();
}

internal static unsafe partial class LinuxNative
{
    [LibraryImport(Libc, EntryPoint = "realpath", SetLastError = true, StringMarshalling = StringMarshalling.Custom, StringMarshallingCustomType = typeof(NameMarshaller))]
    private static partial nint RealPathNative(string path, nint resolved);

    [LibraryImport(Libc, EntryPoint = "free")]
    private static partial void Free(nint ptr);

    /// <summary>The canonical path (symlinks resolved), or null when it does not exist.</summary>
    public static string? RealPath(string path)
    {
        nint p = RealPathNative(path, 0);
        if (p == 0)
        {
            return null;
        }
        try
        {
            return NameEncoding.FromNative((byte*)p);
        }
        finally
        {
            Free(p);
        }
    }
}
