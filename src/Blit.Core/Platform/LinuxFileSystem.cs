using System.Buffers;
using System.Runtime.InteropServices;
using System.Text;
using Blit.Errors;
using static Blit.Platform.LinuxNative;

namespace Blit.Platform;

/// <summary>
/// The Linux backend: statx for nanosecond metadata, FICLONE then copy_file_range for data,
/// futimens/utimensat for nanosecond times, every call relative to a directory descriptor.
/// </summary>
internal sealed unsafe partial class LinuxFileSystem : IMirrorFileSystem
{
    private const int CopyChunk = 64 << 20; // bounds the time between cancellation checks (tests rely on two chunks for 80 MiB)
    private const uint NewDirMode = OwnerAll;  // 0700 until the final mode is set

    /// <summary>The rwx bits for owner, group and others (0777): what creation modes and the umask speak of.</summary>
    private const uint AccessBits = 0x1FF;
    /// <summary>Owner read, write and search (0700).</summary>
    internal const uint OwnerAll = 0x1C0;
    /// <summary>The set-group-ID bit (02000): on a directory, new entries take the directory's group.</summary>
    private const uint SetGid = 0x400;

    // Once a filesystem pair refuses clone or copy_file_range, stop asking for this run.
    private volatile bool _cloneUnsupported;
    private volatile bool _kernelCopyUnsupported;
    private volatile bool _tmpFileUnsupported;
    private volatile bool _linkByProc;
    private readonly bool _noAtime = GetEuid() == 0;

    /// <param name="tryClone">Try reflink clones first.</param>
    /// <param name="tryTmpFile">Create new files unnamed (O_TMPFILE) and link them when complete;
    /// false uses a temp name and a rename, as on filesystems without O_TMPFILE.</param>
    /// <param name="tryRenameFlags">Publish staged directories with renameat2(RENAME_NOREPLACE);
    /// false uses a plain rename, as with a C library or filesystem without rename flags.</param>
    public LinuxFileSystem(bool tryClone = true, bool tryTmpFile = true, bool tryRenameFlags = true)
    {
        _cloneUnsupported = !tryClone;
        _tmpFileUnsupported = !tryTmpFile;
        _noRenameAt2 = !tryRenameFlags;
        _euid = GetEuid();
        _egid = GetEgid();
        CanSetOwner = _euid == 0;
        _umask = ReadUmask();
    }

    private readonly uint _euid;
    private readonly uint _egid;
    private readonly uint _umask;

    /// <summary>The process umask, read without changing it (umask(2) would, racing other threads).</summary>
    private static uint ReadUmask()
    {
        try
        {
            foreach (string line in File.ReadLines("/proc/self/status"))
            {
                if (line.StartsWith("Umask:", StringComparison.Ordinal))
                {
                    return Convert.ToUInt32(line[6..].Trim(), 8);
                }
            }
        }
        catch (IOException)
        {
        }
        return AccessBits; // unknown: assume everything is masked, so the mode is always set explicitly
    }

    public bool CanSetOwner { get; }

    /// <summary>Devices need CAP_MKNOD (root); FIFOs and sockets anyone may create.</summary>
    public bool CanCreateDevices => _euid == 0;

    private static NativeIOException Fail(string op, string path) => IOError(LastErrno, op, path);

    private static NativeIOException Fail(string op, in EntryPath path) => IOError(LastErrno, op, path.ToString());

    public DirHandle OpenRoot(string fullPath)
    {
        int fd = OpenAt(AT_FDCWD, fullPath, O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);
        return fd < 0 ? throw Fail("open directory", fullPath) : new LinuxDirHandle(fd, fullPath);
    }

    public DirHandle OpenDirectory(DirHandle parent, string name)
    {
        int fd = OpenAt(parent.Fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC, 0);
        string display = name == "." ? parent.DisplayPath : parent.Child(name);
        return fd < 0 ? throw Fail("open directory", display) : new LinuxDirHandle(fd, display);
    }

    // Each scanning thread reads into its own growing buffer and hands out an exact-size sorted
    // copy: no list regrowth per directory, and the sort moves ints, not 72-byte entries.
    [ThreadStatic] private static TreeEntry[]? t_readBuffer;
    private const int KeptBufferEntries = 1 << 14; // at most 1 MiB kept per thread; a huge directory allocates its own
    [ThreadStatic] private static byte[]? t_nameBuffer;
    private const int KeptNameBytes = 1 << 18; // the names of a directory read, at most 256 KiB kept per thread

    public TreeEntry[] ReadDirectory(DirHandle dir, bool readLinkTargets, bool keep)
    {
        // fdopendir takes ownership of the descriptor it is given, so give it a duplicate.
        int fd = OpenAt(dir.Fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);
        if (fd < 0)
        {
            throw Fail("read directory", dir.DisplayPath);
        }
        nint stream = FdOpenDir(fd);
        if (stream == 0)
        {
            var ex = Fail("read directory", dir.DisplayPath);
            _ = Close(fd);
            throw ex;
        }
        // Stat each entry by the name bytes readdir returned, and keep those bytes: no string per entry.
        TreeEntry[] buffer = t_readBuffer ?? new TreeEntry[256];
        byte[] names = t_nameBuffer ?? new byte[4096];
        t_readBuffer = null; // not shared with a nested call while in use
        t_nameBuffer = null;
        int count = 0, namesUsed = 0;
        bool someVanished = false;
        Statx st;
        try
        {
            while (true)
            {
                Marshal.SetLastPInvokeError(0);
                nint ent = ReadDir(stream);
                if (ent == 0)
                {
                    int errno = LastErrno;
                    if (errno != 0)
                    {
                        throw IOError(errno, "read directory", dir.DisplayPath);
                    }
                    break;
                }
                byte* namePtr = (byte*)ent + DirentNameOffset;
                int len = new ReadOnlySpan<byte>(namePtr, 256).IndexOf((byte)0);
                if (len == 1 && namePtr[0] == '.' || len == 2 && namePtr[0] == '.' && namePtr[1] == '.')
                {
                    continue;
                }
                if (StatxAt(fd, namePtr, AT_SYMLINK_NOFOLLOW, STATX_BASIC_STATS, &st) < 0)
                {
                    if (LastErrno == ENOENT)
                    {
                        someVanished = true;
                        continue; // vanished between readdir and stat
                    }
                    throw Fail("stat", ChildDisplay(dir, namePtr, len));
                }
                var entry = new TreeEntry { Meta = ToMeta(st) };
                if (readLinkTargets && entry.Meta.Kind == EntryKind.Symlink)
                {
                    string? target = ReadLink(fd, namePtr, dir, len);
                    if (target is null)
                    {
                        continue; // vanished
                    }
                    entry.LinkTarget = target;
                }
                if (namesUsed + len > names.Length)
                {
                    Array.Resize(ref names, Math.Max(names.Length * 2, namesUsed + len));
                }
                new ReadOnlySpan<byte>(namePtr, len).CopyTo(names.AsSpan(namesUsed));
                // Points into the read buffer for now; moved to the listing's own buffer below.
                entry.SetNameBytes(names, namesUsed, len);
                namesUsed += len;
                if (count == buffer.Length)
                {
                    Array.Resize(ref buffer, buffer.Length * 2);
                }
                buffer[count++] = entry;
            }
            // readdir reports a directory removed since it was opened as empty (glibc turns the
            // kernel's ENOENT into the end of the listing): ask the directory itself.
            if ((count == 0 || someVanished) && StatxAt(fd, string.Empty, AT_EMPTY_PATH, STATX_NLINK, out Statx self) == 0 && self.Nlink == 0)
            {
                throw IOError(ENOENT, "read directory", dir.DisplayPath);
            }
            // The listing's names, in one array of their exact size that its entries share (readdir order).
            // Pinned with the entries that point into it (NameOrder.SortedCopy), where they are.
            byte[] kept = NameOrder.Pin(keep, count) ? GC.AllocateUninitializedArray<byte>(namesUsed, pinned: true) : new byte[namesUsed];
            names.AsSpan(0, namesUsed).CopyTo(kept);
            for (int i = 0; i < count; i++)
            {
                buffer[i].MoveNameBytes(kept);
            }
            return NameOrder.SortedCopy(buffer, count, keep);
        }
        finally
        {
            _ = CloseDir(stream);
            Array.Clear(buffer, 0, count);
            if (buffer.Length <= KeptBufferEntries)
            {
                t_readBuffer = buffer;
            }
            if (names.Length <= KeptNameBytes)
            {
                t_nameBuffer = names;
            }
        }
    }

    /// <summary>The path of the entry named by <paramref name="length"/> bytes at <paramref name="name"/> in <paramref name="dir"/>, for a message.</summary>
    private static string ChildDisplay(DirHandle dir, byte* name, int length) => dir.Child(NameEncoding.Decode(new ReadOnlySpan<byte>(name, length)));

    private static string? ReadLink(int dirFd, byte* name, DirHandle dir, int nameLength)
    {
        int size = 256;
        while (true)
        {
            byte[] buf = ArrayPool<byte>.Shared.Rent(size);
            try
            {
                fixed (byte* p = buf)
                {
                    nint n = ReadLinkAt(dirFd, name, p, buf.Length);
                    if (n < 0)
                    {
                        return LastErrno == ENOENT ? null
                            : throw Fail("read link", ChildDisplay(dir, name, nameLength));
                    }
                    if (n < buf.Length)
                    {
                        return NameEncoding.Decode(new ReadOnlySpan<byte>(p, (int)n)); // target bytes kept exactly
                    }
                }
                size = buf.Length * 2;
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buf);
            }
        }
    }

    private static FileMeta ToMeta(in Statx st)
    {
        uint type = st.Mode & S_IFMT;
        EntryKind kind = type switch
        {
            S_IFREG => EntryKind.File,
            S_IFDIR => EntryKind.Directory,
            S_IFLNK => EntryKind.Symlink,
            _ => EntryKind.Special,
        };
        if (kind != EntryKind.Special)
        {
            return new FileMeta(kind, (long)st.Size, st.Mtime.Sec, (int)st.Mtime.Nsec, (uint)st.Mode & 0xFFF, st.Uid, st.Gid)
            {
                MaybeSparse = kind == EntryKind.File && st.Blocks * 512 < st.Size, // st_blocks counts 512-byte units
                HasOtherLinks = st.Nlink > 1 && kind != EntryKind.Directory,
            };
        }
        SpecialKind special = type switch
        {
            S_IFIFO => SpecialKind.Fifo,
            S_IFSOCK => SpecialKind.Socket,
            S_IFCHR => SpecialKind.CharDevice,
            _ => SpecialKind.BlockDevice,
        };
        ulong device = special is SpecialKind.CharDevice or SpecialKind.BlockDevice ? MakeDev(st.RdevMajor, st.RdevMinor) : 0;
        return new FileMeta(kind, 0, st.Mtime.Sec, (int)st.Mtime.Nsec, (uint)st.Mode & 0xFFF, st.Uid, st.Gid, special, device)
        {
            HasOtherLinks = st.Nlink > 1,
        };
    }

    public FileMeta StatRoot(string fullPath)
    {
        // The root is the path the user named: a symlink there is followed, as rsync does for SRC/.
        return StatxAt(AT_FDCWD, fullPath, 0, STATX_BASIC_STATS, out Statx st) < 0
            ? throw Fail("stat", fullPath)
            : ToMeta(st);
    }

    public IReadOnlyList<FileIdentity>? DirectoryAndAncestors(string fullPath)
    {
        // O_PATH: no read or search permission needed on the directory itself to name it.
        int fd = OpenAt(AT_FDCWD, fullPath, O_PATH | O_DIRECTORY | O_CLOEXEC, 0);
        if (fd < 0)
        {
            return LastErrno is ENOENT or ENOTDIR ? null : throw Fail("open directory", fullPath);
        }
        var identities = new List<FileIdentity>();
        var starts = new Stack<int>();
        starts.Push(fd);
        try
        {
            // Walk up with "..", which follows the mount tree: a bind mount's ".." is where it is
            // mounted. A directory that is the root of a mount of a subdirectory also has parents
            // on its own filesystem; those are walked too, from another mount that shows them.
            while (starts.Count > 0)
            {
                int current = starts.Pop();
                try
                {
                    while (true)
                    {
                        if (StatxAt(current, string.Empty, AT_EMPTY_PATH, STATX_BASIC_STATS | STATX_MNT_ID, out Statx st) < 0)
                        {
                            throw Fail("stat", fullPath);
                        }
                        var id = new FileIdentity(((ulong)st.DevMajor << 32) | st.DevMinor, st.Ino);
                        if (identities.Contains(id))
                        {
                            break; // the root (its own parent), or a chain already walked
                        }
                        identities.Add(id);
                        if ((st.Attributes & STATX_ATTR_MOUNT_ROOT) != 0 && (st.Mask & STATX_MNT_ID) != 0)
                        {
                            foreach (int other in OtherMountsOf(st.MountId, id))
                            {
                                starts.Push(other);
                            }
                        }
                        int parent = OpenAt(current, "..", O_PATH | O_DIRECTORY | O_CLOEXEC, 0);
                        if (parent < 0)
                        {
                            break; // cannot search further up (no permission): the chain ends here
                        }
                        _ = Close(current);
                        current = parent;
                    }
                }
                finally
                {
                    _ = Close(current);
                }
            }
        }
        finally
        {
            while (starts.Count > 0)
            {
                _ = Close(starts.Pop());
            }
        }
        return identities;
    }

    /// <summary>
    /// For the root of mount <paramref name="mountId"/>, which shows a subdirectory of its filesystem:
    /// the parents of that subdirectory, opened through the other mounts of the same filesystem that
    /// show it (each checked to be the same directory).
    /// </summary>
    private static List<int> OtherMountsOf(ulong mountId, FileIdentity id)
    {
        var parents = new List<int>();
        MountEntry[] mounts = [.. MountTable.Read()];
        MountEntry self = Array.Find(mounts, m => m.MountId == mountId);
        if (self.Root is null or "/")
        {
            return parents;
        }
        foreach (MountEntry m in mounts)
        {
            string rest;
            if (m.MountId == mountId || !string.Equals(m.Device, self.Device, StringComparison.Ordinal))
            {
                continue;
            }
            if (m.Root == "/")
            {
                rest = self.Root;
            }
            else if (self.Root.StartsWith(m.Root + "/", StringComparison.Ordinal))
            {
                rest = self.Root[m.Root.Length..];
            }
            else
            {
                continue;
            }
            string path = m.MountPoint.TrimEnd('/') + rest;
            int fd = OpenAt(AT_FDCWD, path, O_PATH | O_DIRECTORY | O_CLOEXEC, 0);
            if (fd < 0)
            {
                continue;
            }
            bool same = StatxAt(fd, string.Empty, AT_EMPTY_PATH, STATX_BASIC_STATS, out Statx st) == 0 &&
                        new FileIdentity(((ulong)st.DevMajor << 32) | st.DevMinor, st.Ino) == id;
            int parent = same ? OpenAt(fd, "..", O_PATH | O_DIRECTORY | O_CLOEXEC, 0) : -1;
            _ = Close(fd);
            if (parent >= 0)
            {
                parents.Add(parent);
            }
        }
        return parents;
    }

    private static FileMeta FStat(int fd, string display) => TryFStat(fd, out FileMeta meta) ? meta : throw Fail("stat", display);

    private static FileMeta FStat(int fd, in EntryPath display) => TryFStat(fd, out FileMeta meta) ? meta : throw Fail("stat", display);

    private static bool TryFStat(int fd, out FileMeta meta)
    {
        bool ok = StatxAt(fd, string.Empty, AT_EMPTY_PATH, STATX_BASIC_STATS, out Statx st) == 0;
        meta = ok ? ToMeta(st) : default;
        return ok;
    }

    public CopyMethod CopyFile(DirHandle srcDir, string name, in FileMeta expected, DirHandle dstDir, string tempName,
        IProgress<long>? bytesProgress, CancellationToken cancellationToken)
    {
        int inFd = OpenSource(srcDir, name);
        int outFd = -1;
        bool keep = false;
        try
        {
            // Created with its final permission bits where the umask allows, saving a chmod per file.
            outFd = OpenAt(dstDir.Fd, tempName, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, expected.Permissions & AccessBits);
            if (outFd < 0)
            {
                throw Fail("create", dstDir.Child(tempName));
            }
            CopyMethod method = FillNewFile(inFd, outFd, new EntryPath(srcDir, name), expected, dstDir, tempName, bytesProgress, cancellationToken);
            int rc = Close(outFd);
            outFd = -1;
            if (rc < 0)
            {
                throw Fail("close", dstDir.Child(tempName));
            }
            keep = true;
            return method;
        }
        finally
        {
            if (outFd >= 0)
            {
                _ = Close(outFd);
            }
            _ = Close(inFd);
            if (!keep)
            {
                _ = UnlinkAt(dstDir.Fd, tempName, 0);
            }
        }
    }

    public CopyMethod CopyNewFile(DirHandle srcDir, string name, in FileMeta expected, DirHandle dstDir, Func<string> newTempName,
        IProgress<long>? bytesProgress, CancellationToken cancellationToken)
    {
        if (_tmpFileUnsupported)
        {
            return CopyByRename(srcDir, name, expected, dstDir, newTempName(), bytesProgress, cancellationToken);
        }
        int inFd = OpenSource(srcDir, name);
        int outFd = -1;
        try
        {
            // An unnamed file in the destination directory, linked under its name only when complete:
            // one directory insertion instead of create + rename, and nothing is left if the process dies.
            outFd = OpenAt(dstDir.Fd, ".", O_TMPFILE | O_WRONLY | O_CLOEXEC, expected.Permissions & AccessBits);
            if (outFd < 0)
            {
                int errno = LastErrno;
                if (errno is EOPNOTSUPP or EISDIR or EINVAL)
                {
                    _tmpFileUnsupported = true;
                    _ = Close(inFd);
                    inFd = -1;
                    return CopyByRename(srcDir, name, expected, dstDir, newTempName(), bytesProgress, cancellationToken);
                }
                throw IOError(errno, "create", dstDir.Child(name));
            }
            CopyMethod method = FillNewFile(inFd, outFd, new EntryPath(srcDir, name), expected, dstDir, name, bytesProgress, cancellationToken);
            Publish(outFd, dstDir, name, newTempName);
            return method;
        }
        finally
        {
            if (outFd >= 0)
            {
                _ = Close(outFd);
            }
            if (inFd >= 0)
            {
                _ = Close(inFd);
            }
        }
    }

    private CopyMethod CopyByRename(DirHandle srcDir, string name, in FileMeta expected, DirHandle dstDir, string tempName,
        IProgress<long>? bytesProgress, CancellationToken cancellationToken)
    {
        CopyMethod method = CopyFile(srcDir, name, expected, dstDir, tempName, bytesProgress, cancellationToken);
        try
        {
            Rename(dstDir, tempName, name);
        }
        catch
        {
            _ = UnlinkAt(dstDir.Fd, tempName, 0);
            throw;
        }
        return method;
    }

    /// <summary>Gives the unnamed file <paramref name="fd"/> its name in <paramref name="dir"/>.</summary>
    private void Publish(int fd, DirHandle dir, string name, Func<string> newTempName)
    {
        // AT_EMPTY_PATH needs CAP_DAC_READ_SEARCH; /proc/self/fd works for everyone.
        if (!_linkByProc && LinkAt(fd, string.Empty, dir.Fd, name, AT_EMPTY_PATH) == 0)
        {
            return;
        }
        if (!_linkByProc && LastErrno is not (ENOENT or EPERM or EACCES))
        {
            ThrowPublishError(fd, dir, name, newTempName);
            return;
        }
        _linkByProc = true;
        if (LinkAt(AT_FDCWD, $"/proc/self/fd/{fd}", dir.Fd, name, AT_SYMLINK_FOLLOW) != 0)
        {
            ThrowPublishError(fd, dir, name, newTempName);
        }
    }

    private void ThrowPublishError(int fd, DirHandle dir, string name, Func<string> newTempName)
    {
        int errno = LastErrno;
        if (errno != EEXIST)
        {
            throw IOError(errno, "create", dir.Child(name));
        }
        // The name appeared after the scan: replace it atomically through a temp name, as an update would.
        string tempName = newTempName();
        string proc = $"/proc/self/fd/{fd}";
        if (LinkAt(AT_FDCWD, proc, dir.Fd, tempName, AT_SYMLINK_FOLLOW) != 0)
        {
            throw Fail("create", dir.Child(tempName));
        }
        try
        {
            Rename(dir, tempName, name);
        }
        catch
        {
            _ = UnlinkAt(dir.Fd, tempName, 0);
            throw;
        }
    }

    /// <summary>The errno <see cref="OpenRegular"/> reports for an entry that is not a regular file (no errno says that).</summary>
    private const int NotRegular = -1;

    /// <summary>
    /// Opens a file for reading without ever blocking on what the name turned out to be: a FIFO
    /// swapped in since the scan would block open() until a writer came. O_NONBLOCK makes that open
    /// return at once (it has no effect on regular files), and anything but a regular file is then
    /// refused (<paramref name="errno"/> = <see cref="NotRegular"/>). A file under another process's
    /// lease refuses a non-blocking open (EAGAIN): that name is checked without opening it (O_PATH)
    /// and the same inode then opened, waiting for the lease as a plain open does.
    /// </summary>
    private static int OpenRegular(int dirFd, string name, int flags, out int errno)
    {
        int fd = OpenAt(dirFd, name, flags | O_NOFOLLOW | O_NONBLOCK, 0);
        if (fd < 0)
        {
            errno = LastErrno;
            if (errno != EAGAIN)
            {
                return -1;
            }
            int pathFd = OpenAt(dirFd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC, 0);
            if (pathFd < 0)
            {
                errno = LastErrno;
                return -1;
            }
            try
            {
                if (!IsRegular(pathFd))
                {
                    errno = NotRegular;
                    return -1;
                }
                fd = OpenAt(AT_FDCWD, $"/proc/self/fd/{pathFd}", flags, 0);
                errno = fd < 0 ? LastErrno : 0;
                return fd;
            }
            finally
            {
                _ = Close(pathFd);
            }
        }
        if (!IsRegular(fd))
        {
            _ = Close(fd);
            errno = NotRegular;
            return -1;
        }
        errno = 0;
        return fd;
    }

    private static bool IsRegular(int fd) =>
        StatxAt(fd, string.Empty, AT_EMPTY_PATH, STATX_TYPE, out Statx st) == 0 && (st.Mode & S_IFMT) == S_IFREG;

    private int OpenSource(DirHandle srcDir, string name)
    {
        // O_NOATIME: reading for a backup should not change the source's access times (nor dirty its
        // inode). Only the owner (or root) may ask for it; others read without it.
        int errno = 0;
        int inFd = _noAtime ? OpenRegular(srcDir.Fd, name, O_RDONLY | O_NOCTTY | O_CLOEXEC | O_NOATIME, out errno) : -1;
        if (inFd < 0 && (!_noAtime || errno == EPERM))
        {
            inFd = OpenRegular(srcDir.Fd, name, O_RDONLY | O_NOCTTY | O_CLOEXEC, out errno);
        }
        if (inFd >= 0)
        {
            return inFd;
        }
        string srcPath = srcDir.Child(name);
        // Name the source and what happened to it: this is a read problem, not a write one.
        throw errno switch
        {
            ENOENT => new BlitException(BlitErrorCode.SourceVanished, $"Source file vanished before it was copied: '{srcPath}'.", srcPath),
            ELOOP => new BlitException(BlitErrorCode.SourceChanged,
                $"Source file was replaced by a symlink before it was copied; the destination keeps its previous version: '{srcPath}'.", srcPath),
            NotRegular => new BlitException(BlitErrorCode.SourceChanged,
                $"Source file was replaced by a FIFO, socket, device or directory before it was copied; the destination keeps its previous version: '{srcPath}'.",
                srcPath),
            _ => new BlitException(BlitErrorCode.SourceUnreadable, $"Cannot read source file '{srcPath}': {Marshal.GetPInvokeErrorMessage(errno)}.",
                srcPath, IOError(errno, "open", srcPath)),
        };
    }

    /// <summary>Copies the data into a new, still private file, checks the source did not change, sets its metadata.</summary>
    private CopyMethod FillNewFile(int inFd, int outFd, in EntryPath src, in FileMeta expected, DirHandle dstDir, string dstName,
        IProgress<long>? bytesProgress, CancellationToken cancellationToken)
    {
        CopyMethod method = CopyData(inFd, outFd, expected, src, new EntryPath(dstDir, dstName), bytesProgress, cancellationToken);

        // A file that changed while it was read must not get the old mtime: the next run would skip it.
        FileMeta after = FStat(inFd, src);
        if (after.Size != expected.Size || !after.SameMtime(expected))
        {
            string srcPath = src.ToString();
            throw new BlitException(BlitErrorCode.SourceChanged,
                $"Source file changed while it was copied; the destination keeps its previous version: '{srcPath}'.", srcPath);
        }
        ApplyNewFileMetadata(outFd, expected, dstDir, dstName);
        return method;
    }

    private CopyMethod CopyData(int inFd, int outFd, in FileMeta expected, in EntryPath src, in EntryPath dst,
        IProgress<long>? bytesProgress, CancellationToken cancellationToken)
    {
        long size = expected.Size;
        if (size == 0)
        {
            return CopyMethod.Empty;
        }
        if (!_cloneUnsupported)
        {
            if (Ioctl(outFd, FICLONE, inFd) == 0)
            {
                bytesProgress?.Report(size);
                return CopyMethod.Clone;
            }
            int errno = LastErrno;
            if (errno is EOPNOTSUPP or EXDEV or EINVAL or ENOSYS or EPERM or ENOTTY)
            {
                _cloneUnsupported = true;
            }
        }
        // Only a file with fewer blocks than its size needs can have holes: dense files (nearly all)
        // skip the hole search and keep the one-call path below.
        if (expected.MaybeSparse && CopySparse(inFd, outFd, size, src, dst, bytesProgress, cancellationToken))
        {
            return CopyMethod.Sparse;
        }
        return CopyRange(inFd, outFd, size, src, dst, bytesProgress, cancellationToken);
    }

    /// <summary>
    /// Copies only the data segments of a file with holes, found with SEEK_DATA/SEEK_HOLE as cp
    /// does, each at its offset, then sets the full size with ftruncate: the holes stay holes.
    /// False (nothing written) where the filesystem cannot search for holes.
    /// </summary>
    private bool CopySparse(int inFd, int outFd, long size, in EntryPath src, in EntryPath dst,
        IProgress<long>? bytesProgress, CancellationToken cancellationToken)
    {
        long pos = 0;
        while (pos < size)
        {
            cancellationToken.ThrowIfCancellationRequested();
            long data = LSeek(inFd, pos, SEEK_DATA);
            if (data < 0)
            {
                int errno = LastErrno;
                if (errno == ENXIO)
                {
                    break; // a hole from here to the end
                }
                if (pos == 0 && errno is EINVAL or EOPNOTSUPP)
                {
                    return false;
                }
                throw IOError(errno, "read", src.ToString());
            }
            if (data >= size)
            {
                break;
            }
            long hole = LSeek(inFd, data, SEEK_HOLE);
            if (hole < 0)
            {
                throw Fail("read", src);
            }
            long end = Math.Min(hole, size);
            if (LSeek(inFd, data, SEEK_SET) < 0)
            {
                throw Fail("read", src);
            }
            if (LSeek(outFd, data, SEEK_SET) < 0)
            {
                throw Fail("write", dst);
            }
            if (data > pos)
            {
                bytesProgress?.Report(data - pos); // a hole is done as soon as it is skipped, as a clone is
            }
            CopyRange(inFd, outFd, end - data, src, dst, bytesProgress, cancellationToken);
            pos = end;
        }
        if (FTruncate(outFd, size) < 0)
        {
            throw Fail("write", dst);
        }
        if (size > pos)
        {
            bytesProgress?.Report(size - pos);
        }
        return true;
    }

    /// <summary>Copies <paramref name="size"/> bytes from the current offsets: in the kernel, else through a buffer.</summary>
    private CopyMethod CopyRange(int inFd, int outFd, long size, in EntryPath src, in EntryPath dst,
        IProgress<long>? bytesProgress, CancellationToken cancellationToken)
    {
        if (!_kernelCopyUnsupported)
        {
            long done = 0;
            while (done < size)
            {
                cancellationToken.ThrowIfCancellationRequested();
                nint want = (nint)Math.Min(CopyChunk, size - done);
                nint n = CopyFileRange(inFd, null, outFd, null, want, 0);
                if (n < 0)
                {
                    int errno = LastErrno;
                    if (errno == EINTR)
                    {
                        continue;
                    }
                    if (done == 0 && errno is EXDEV or EINVAL or ENOSYS or EOPNOTSUPP or EBADF)
                    {
                        _kernelCopyUnsupported = true;
                        break;
                    }
                    throw IOError(errno, "write", dst.ToString());
                }
                if (n == 0)
                {
                    throw ShrunkException(src.ToString());
                }
                done += n;
                bytesProgress?.Report(n);
            }
            if (done == size)
            {
                return CopyMethod.Kernel;
            }
        }
        StreamCopy(inFd, outFd, size, src, dst, bytesProgress, cancellationToken);
        return CopyMethod.Stream;
    }

    private const int ENOTTY = 25;

    private static BlitException ShrunkException(string srcPath) =>
        new(BlitErrorCode.SourceChanged,
            $"Source file shrank while it was copied; the destination keeps its previous version: '{srcPath}'.", srcPath);

    private static void StreamCopy(int inFd, int outFd, long size, in EntryPath src, in EntryPath dst,
        IProgress<long>? bytesProgress, CancellationToken cancellationToken)
    {
        byte[] buffer = ArrayPool<byte>.Shared.Rent((int)Math.Clamp(size, 4096, 1 << 20));
        try
        {
            fixed (byte* p = buffer)
            {
                long done = 0;
                while (done < size)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    nint n = LinuxNative.Read(inFd, p, (nint)Math.Min(buffer.Length, size - done));
                    if (n < 0)
                    {
                        if (LastErrno == EINTR)
                        {
                            continue;
                        }
                        throw Fail("read", src);
                    }
                    if (n == 0)
                    {
                        throw ShrunkException(src.ToString());
                    }
                    WriteFull(outFd, p, n, dst);
                    done += n;
                    bytesProgress?.Report(n);
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>
    /// Metadata for a file this run just created: owner and mode only where creation did not
    /// already give the right ones, then the mtime. Three calls per file become one in the usual case.
    /// </summary>
    private void ApplyNewFileMetadata(int fd, in FileMeta meta, DirHandle dir, string name)
    {
        // chown first: it clears setuid/setgid bits, which the chmod below restores.
        (bool setPermissions, bool setOwners) = WritesFor(fd, null);
        if (CanSetOwner && setOwners && (meta.Uid != _euid || meta.Gid != NewFileGid(dir)) && FChown(fd, meta.Uid, meta.Gid) < 0)
        {
            throw Fail("set owner", new EntryPath(dir, name));
        }
        uint special = meta.Permissions & ~AccessBits;
        if (setPermissions && (special != 0 || (meta.Permissions & _umask) != 0) && FChmod(fd, meta.Permissions) < 0)
        {
            throw Fail("set mode", new EntryPath(dir, name));
        }
        if (!TrySetMtime(fd, meta))
        {
            throw Fail("set mtime", new EntryPath(dir, name));
        }
    }

    /// <summary>The group a new file in <paramref name="dir"/> gets: the directory's if it is setgid, else ours.</summary>
    private uint NewFileGid(DirHandle dir)
    {
        if (dir.NewFileGid is uint gid)
        {
            return gid;
        }
        FileMeta meta = FStat(dir.Fd, dir.DisplayPath);
        gid = (meta.Permissions & SetGid) != 0 ? meta.Gid : _egid;
        dir.NewFileGid = gid;
        return gid;
    }

    private static void SetMtime(int fd, in FileMeta meta, string display)
    {
        if (!TrySetMtime(fd, meta))
        {
            throw Fail("set mtime", display);
        }
    }

    private static bool TrySetMtime(int fd, in FileMeta meta)
    {
        Timespec* times = stackalloc Timespec[2];
        // atime "now", not UTIME_OMIT: exFAT through FUSE accepts an omitted atime and then
        // leaves the mtime at the time of the copy; with both times given it keeps the mtime.
        times[0] = new Timespec { Sec = 0, Nsec = UTIME_NOW };
        times[1] = new Timespec { Sec = meta.MtimeSec, Nsec = meta.MtimeNsec };
        return FUtimens(fd, times) == 0;
    }

    private void ApplyMetadata(int fd, in FileMeta meta, string display)
    {
        // chown first: it clears setuid/setgid bits that chmod then restores.
        (bool setPermissions, bool setOwners) = WritesFor(fd, null);
        if (CanSetOwner && setOwners && FChown(fd, meta.Uid, meta.Gid) < 0)
        {
            throw Fail("set owner", display);
        }
        if (setPermissions && FChmod(fd, meta.Permissions) < 0)
        {
            throw Fail("set mode", display);
        }
        SetMtime(fd, meta, display);
    }

    public bool ContentEquals(DirHandle srcDir, string srcName, DirHandle dstDir, string dstName, CancellationToken cancellationToken)
    {
        int a = OpenRegular(srcDir.Fd, srcName, O_RDONLY | O_NOCTTY | O_CLOEXEC, out int errno);
        if (a < 0)
        {
            throw OpenFailure(errno, srcDir.Child(srcName));
        }
        int b = OpenRegular(dstDir.Fd, dstName, O_RDONLY | O_NOCTTY | O_CLOEXEC, out errno);
        if (b < 0)
        {
            _ = Close(a);
            throw OpenFailure(errno, dstDir.Child(dstName));
        }
        byte[] bufA = ArrayPool<byte>.Shared.Rent(256 << 10);
        byte[] bufB = ArrayPool<byte>.Shared.Rent(256 << 10);
        try
        {
            fixed (byte* pa = bufA, pb = bufB)
            {
                while (true)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    int na = ReadFull(a, pa, bufA.Length, srcDir.Child(srcName));
                    int nb = ReadFull(b, pb, bufA.Length, dstDir.Child(dstName));
                    if (na != nb || !new ReadOnlySpan<byte>(pa, na).SequenceEqual(new ReadOnlySpan<byte>(pb, nb)))
                    {
                        return false;
                    }
                    if (na == 0)
                    {
                        return true;
                    }
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(bufA);
            ArrayPool<byte>.Shared.Return(bufB);
            _ = Close(a);
            _ = Close(b);
        }
    }

    private static NativeIOException OpenFailure(int errno, string path) => errno == NotRegular
        ? new NativeIOException($"open '{path}': no longer a regular file (a FIFO, socket, device or directory took its place)")
        : IOError(errno, "open", path);

    /// <summary>Writes all <paramref name="count"/> bytes, through short writes and EINTR.</summary>
    private static void WriteFull(int fd, byte* p, nint count, in EntryPath display)
    {
        nint written = 0;
        while (written < count)
        {
            nint w = LinuxNative.Write(fd, p + written, count - written);
            if (w < 0)
            {
                if (LastErrno == EINTR)
                {
                    continue;
                }
                throw Fail("write", display);
            }
            written += w;
        }
    }

    private static int ReadFull(int fd, byte* p, int count, string display)
    {
        int total = 0;
        while (total < count)
        {
            nint n = LinuxNative.Read(fd, p + total, count - total);
            if (n < 0)
            {
                if (LastErrno == EINTR)
                {
                    continue;
                }
                throw Fail("read", display);
            }
            if (n == 0)
            {
                break;
            }
            total += (int)n;
        }
        return total;
    }

    public void CreateDirectory(DirHandle parent, string name)
    {
        if (MkdirAt(parent.Fd, name, NewDirMode) < 0)
        {
            throw Fail("create directory", parent.Child(name));
        }
    }

    public void CreateSymlink(DirHandle dir, string name, string target, in FileMeta source)
    {
        if (SymlinkAt(target, dir.Fd, name) < 0)
        {
            throw Fail("create symlink", dir.Child(name));
        }
    }

    public void CreateSpecial(DirHandle dir, string name, in FileMeta meta)
    {
        uint type = meta.Special switch
        {
            SpecialKind.Fifo => S_IFIFO,
            SpecialKind.Socket => S_IFSOCK,
            SpecialKind.CharDevice => S_IFCHR,
            SpecialKind.BlockDevice => S_IFBLK,
            _ => throw new ArgumentException($"Not a special file: {meta.Kind}.", nameof(meta)),
        };
        uint mode = type | (meta.Permissions & AccessBits);
        int rc = -1;
        bool called = false;
        if (!_noMknodAt)
        {
            try
            {
                rc = MknodAt(dir.Fd, name, mode, meta.Device);
                called = true;
            }
            catch (EntryPointNotFoundException)
            {
                _noMknodAt = true; // glibc before 2.33
            }
        }
        if (!called)
        {
            ulong dev = meta.Device;
            rc = XMknodAt(0, dir.Fd, name, mode, &dev);
        }
        if (rc < 0)
        {
            throw Fail("create special file", dir.Child(name));
        }
    }

    private volatile bool _noMknodAt;

    public void Rename(DirHandle dir, string from, string to)
    {
        if (RenameAt(dir.Fd, from, dir.Fd, to) < 0)
        {
            throw Fail("rename", dir.Child(to));
        }
    }

    public void RenameNoReplace(DirHandle dir, string from, string to)
    {
        if (!_noRenameAt2)
        {
            try
            {
                if (RenameAt2(dir.Fd, from, dir.Fd, to, RENAME_NOREPLACE) == 0)
                {
                    return;
                }
                if (LastErrno is not (EINVAL or ENOSYS))
                {
                    throw Fail("rename", dir.Child(to));
                }
            }
            catch (EntryPointNotFoundException)
            {
                _noRenameAt2 = true; // a C library without renameat2 (glibc before 2.28, older musl)
            }
        }
        // Without rename flags (in the C library or the filesystem) a plain rename, which still
        // cannot replace a file or a non-empty directory with a directory.
        if (RenameAt(dir.Fd, from, dir.Fd, to) < 0)
        {
            throw Fail("rename", dir.Child(to));
        }
    }

    private volatile bool _noRenameAt2;

    public void Remove(DirHandle dir, string name, bool isDirectory)
    {
        if (UnlinkAt(dir.Fd, name, isDirectory ? AT_REMOVEDIR : 0) < 0 && LastErrno != ENOENT)
        {
            throw Fail("delete", dir.Child(name));
        }
    }

    public void SetMetadata(DirHandle dir, string name, in FileMeta meta)
    {
        string display = dir.Child(name);
        (bool setPermissions, bool setOwners) = WritesFor(dir.Fd, name);
        if (CanSetOwner && setOwners && FChownAt(dir.Fd, name, meta.Uid, meta.Gid, AT_SYMLINK_NOFOLLOW) < 0)
        {
            throw Fail("set owner", display);
        }
        // Linux has no symlink permissions; and fchmodat would follow the link. NOFOLLOW as well:
        // a directory or file swapped for a symlink since the scan must fail here, not chmod its target.
        if (setPermissions && meta.Kind != EntryKind.Symlink && FChmodAt(dir.Fd, name, meta.Permissions, AT_SYMLINK_NOFOLLOW) < 0)
        {
            throw Fail("set mode", display);
        }
        Timespec* times = stackalloc Timespec[2];
        times[0] = new Timespec { Sec = 0, Nsec = UTIME_NOW }; // see TrySetMtime
        times[1] = new Timespec { Sec = meta.MtimeSec, Nsec = meta.MtimeNsec };
        if (UtimensAt(dir.Fd, name, times, AT_SYMLINK_NOFOLLOW) < 0)
        {
            throw Fail("set mtime", display);
        }
    }

    public void SetMetadata(DirHandle dir, in FileMeta meta) => ApplyMetadata(dir.Fd, meta, dir.DisplayPath);

    public DirectoryRestriction GetRestriction(DirHandle dir)
    {
        int flags = 0;
        if (Ioctl(dir.Fd, FS_IOC_GETFLAGS, &flags) < 0)
        {
            return DirectoryRestriction.None; // no such attributes here (ENOTTY and the like)
        }
        return (flags & FS_IMMUTABLE_FL) != 0 ? DirectoryRestriction.Immutable
            : (flags & FS_APPEND_FL) != 0 ? DirectoryRestriction.AppendOnly
            : DirectoryRestriction.None;
    }
}
