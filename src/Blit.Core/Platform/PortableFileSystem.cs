using System.Buffers;
using Blit.Errors;
using Microsoft.Win32.SafeHandles;

namespace Blit.Platform;

/// <summary>A directory the portable backend opened: its path (the backend works by path).</summary>
internal sealed class PortableDirHandle : DirHandle
{
    public PortableDirHandle(string path, string displayPath, bool isRoot = false) : base(displayPath)
    {
        Path = path;
        IsRoot = isRoot;
    }

    /// <summary>A root the user named: a symlink there is followed, as rsync does for SRC/ and DEST/.</summary>
    public bool IsRoot { get; }

    /// <summary>Where the directory is on disk (a staged directory keeps its temp name here while messages show the final one).</summary>
    public string Path { get; }

    public string Entry(string name) => System.IO.Path.Join(Path, name);

    /// <summary>
    /// Refuses to work in this directory if it was swapped for a symlink since it was opened: a path
    /// cannot pin the directory as a descriptor does, so each write checks it first (what remains is
    /// the moment between this check and the write; see the backend's limits).
    /// </summary>
    public void CheckStillDirectory()
    {
        FileAttributes attributes;
        try
        {
            attributes = new FileInfo(Path).Attributes;
        }
        catch (IOException ex)
        {
            throw new NativeIOException(IOErrorKind.InvalidName, 0, "open directory", DisplayPath, ex.Message);
        }
        if ((int)attributes == -1 || !attributes.HasFlag(FileAttributes.Directory) || !IsRoot && attributes.HasFlag(FileAttributes.ReparsePoint) &&
            PortableFileSystem.LinkTargetOf(new FileInfo(Path)) is not null)
        {
            throw new NativeIOException(IOErrorKind.Loop, 0, "open directory", DisplayPath, "No longer the directory that was opened (a symbolic link or gone)");
        }
    }

    public override DirHandle Relabel(string displayPath) => new PortableDirHandle(Path, displayPath, IsRoot);
}

/// <summary>
/// The backend for Windows and macOS, on documented .NET APIs only: FileSystemEnumerable for
/// listings, File.Copy for data (CopyFileEx on Windows, clonefile on APFS, the kernel copy on
/// Linux), RandomAccess for large files, File.SetUnixFileMode / File.SetAttributes and
/// File.SetLastWriteTimeUtc for metadata, File.Move for renames. What differs between Windows
/// and Unix (modes or attributes, error codes, directory links, special files) is in
/// <see cref="PortableOs"/>'s two halves. It can be chosen on Linux (BLIT_BACKEND=portable), so
/// the shared logic is tested there.
/// </summary>
/// <remarks>
/// Limits, against the Linux backend (docs/platforms.md): times are carried to 100 ns (DateTime);
/// owners are not set (no .NET API); FIFOs, sockets and devices are skipped (none can be
/// created); new files are written to a temp name and renamed (no unnamed files); and it works by
/// path, not by open directory: it checks that an entry is no symlink before it descends or
/// writes, but a directory swapped for a symlink between that check and the write is followed.
/// </remarks>
internal sealed class PortableFileSystem : IMirrorFileSystem
{
    /// <summary>Files up to this size go through File.Copy (the system's fastest path, not cancellable
    /// midway); larger ones are streamed in steps, so a stop is prompt and progress is shown.</summary>
    internal const long SystemCopyMaxBytes = 64L << 20;
    private const int StreamBuffer = 1 << 20;

    private readonly PortableOs _os;
    private readonly bool _useSystemCopy;
    private volatile bool _setPermissions = true;

    /// <param name="useSystemCopy">Copy files through File.Copy (which clones where the OS can); false streams every file.</param>
    public PortableFileSystem(bool useSystemCopy = true)
    {
        _os = PortableOs.Current;
        _useSystemCopy = useSystemCopy;
    }

    /// <summary>No documented .NET API sets owners.</summary>
    public bool CanSetOwner => false;

    // ---- errors ---------------------------------------------------------------------------

    /// <summary>The .NET exception <paramref name="ex"/> as a classified <see cref="NativeIOException"/>.</summary>
    private NativeIOException Classify(Exception ex, string operation, string path)
    {
        if (ex is NativeIOException native)
        {
            return native;
        }
        IOErrorKind kind = ex switch
        {
            UnauthorizedAccessException => IOErrorKind.PermissionDenied,
            FileNotFoundException or DirectoryNotFoundException => IOErrorKind.NotFound,
            PathTooLongException or ArgumentException => IOErrorKind.InvalidName,
            _ => _os.KindOf(ex.HResult),
        };
        return new NativeIOException(kind, ex is ArgumentException ? 0 : _os.NativeCode(ex.HResult), operation, path, ex.Message);
    }

    /// <summary>What .NET's file APIs throw for a failed operation (an ArgumentException for a name or path the system refuses).</summary>
    private static bool IsIOError(Exception ex) => ex is IOException or UnauthorizedAccessException or ArgumentException;

    private static NativeIOException Error(IOErrorKind kind, string operation, string path, string reason) =>
        new(kind, 0, operation, path, reason);

    // ---- reading --------------------------------------------------------------------------

    public DirHandle OpenRoot(string fullPath)
    {
        // The root is the path the user named: a symlink there is followed, as rsync does for SRC/.
        if (Directory.Exists(fullPath))
        {
            return new PortableDirHandle(fullPath, fullPath, isRoot: true);
        }
        throw File.Exists(fullPath)
            ? Error(IOErrorKind.NotADirectory, "open directory", fullPath, "Not a directory")
            : Error(IOErrorKind.NotFound, "open directory", fullPath, "No such directory");
    }

    public DirHandle OpenDirectory(DirHandle parent, string name)
    {
        var p = (PortableDirHandle)parent;
        if (name == ".")
        {
            return new PortableDirHandle(p.Path, p.DisplayPath, p.IsRoot);
        }
        string path = p.Entry(name);
        string display = parent.Child(name);
        FileSystemInfo info = Lstat(path, "open directory", display);
        if (LinkTargetOf(info) is not null)
        {
            throw Error(IOErrorKind.NotADirectory, "open directory", display, "Is a symbolic link (not followed), as O_NOFOLLOW | O_DIRECTORY answers");
        }
        if (!info.Attributes.HasFlag(FileAttributes.Directory))
        {
            throw Error(IOErrorKind.NotADirectory, "open directory", display, "Not a directory");
        }
        return new PortableDirHandle(path, display);
    }

    /// <summary>The entry itself (a symlink is not followed), or NotFound.</summary>
    private FileSystemInfo Lstat(string path, string operation, string display)
    {
        try
        {
            var file = new FileInfo(path);
            FileAttributes attributes = file.Attributes; // of the entry itself; -1 when there is none
            FileSystemInfo info = (int)attributes != -1 && attributes.HasFlag(FileAttributes.Directory) ? new DirectoryInfo(path) : file;
            if ((int)attributes == -1)
            {
                _ = File.GetAttributes(path); // throws the real error (not found, path too long, ...)
                throw Error(IOErrorKind.NotFound, operation, display, "No such file or directory");
            }
            return info;
        }
        catch (Exception ex) when (IsIOError(ex))
        {
            throw Classify(ex, operation, display);
        }
    }

    /// <summary>Where a symlink (or junction) points; null for anything else, including other reparse points and missing entries.</summary>
    internal static string? LinkTargetOf(FileSystemInfo info)
    {
        FileAttributes attributes = info.Attributes;
        if ((int)attributes == -1 || !attributes.HasFlag(FileAttributes.ReparsePoint))
        {
            return null;
        }
        try
        {
            return info.LinkTarget;
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
    }

    /// <summary>A directory itself, not a link to one.</summary>
    private static bool IsRealDirectory(string path)
    {
        var info = new FileInfo(path);
        FileAttributes attributes = info.Attributes;
        return (int)attributes != -1 && attributes.HasFlag(FileAttributes.Directory) && LinkTargetOf(info) is null;
    }

    /// <summary>A link that .NET treats as a directory (its target is one, or on Windows it was made as a directory link).</summary>
    private static bool IsDirectoryLink(string path)
    {
        var info = new FileInfo(path);
        FileAttributes attributes = info.Attributes;
        return (int)attributes != -1 && attributes.HasFlag(FileAttributes.Directory) && LinkTargetOf(info) is not null;
    }

    public TreeEntry[] ReadDirectory(DirHandle dir, bool readLinkTargets, bool keep)
    {
        var p = (PortableDirHandle)dir;
        var options = new EnumerationOptions
        {
            AttributesToSkip = 0,
            IgnoreInaccessible = false,
            RecurseSubdirectories = false,
            ReturnSpecialDirectories = false,
            MatchType = MatchType.Simple,
        };
        var entries = new List<TreeEntry>();
        try
        {
            var enumerable = new System.IO.Enumeration.FileSystemEnumerable<FileSystemInfo>(p.Path,
                (ref System.IO.Enumeration.FileSystemEntry entry) => entry.ToFileSystemInfo(), options);
            foreach (FileSystemInfo info in enumerable)
            {
                if (_os.HasUndecodableName(info.Name))
                {
                    // .NET decodes names as UTF-8 with replacement: the entry would turn into another
                    // name that every later call misses. Fail loudly, as the Linux backend does.
                    throw Error(IOErrorKind.InvalidName, $"read directory (the name '{info.Name}' is not valid UTF-8, which Blit cannot mirror yet)",
                        dir.DisplayPath, "Invalid name");
                }
                if (TryMeta(info, readLinkTargets, out FileMeta meta, out string? target))
                {
                    entries.Add(new TreeEntry { Name = info.Name, Meta = meta, LinkTarget = target });
                }
            }
        }
        catch (Exception ex) when (IsIOError(ex))
        {
            throw Classify(ex, "read directory", dir.DisplayPath);
        }
        TreeEntry[] listed = [.. entries];
        return NameOrder.SortedCopy(listed, listed.Length, keep);
    }

    /// <summary>The metadata of an entry as the mirror compares it; false when it vanished meanwhile.</summary>
    private bool TryMeta(FileSystemInfo info, bool readLinkTarget, out FileMeta meta, out string? linkTarget)
    {
        linkTarget = null;
        meta = default;
        try
        {
            FileAttributes attributes = info.Attributes;
            if ((int)attributes == -1)
            {
                // .NET folds every stat failure into -1; File.GetAttributes throws the real error, so an
                // entry that cannot be read (a path over PATH_MAX) is reported, and only one that is gone is left out.
                _ = File.GetAttributes(info.FullName);
                return false;
            }
            EntryKind kind;
            string? target = attributes.HasFlag(FileAttributes.ReparsePoint) ? LinkTargetOf(info) : null;
            if (target is not null)
            {
                // A symlink or junction: never followed. Other reparse points (deduplicated or cloud
                // files) hold data and are read as what their attributes say.
                kind = EntryKind.Symlink;
                linkTarget = readLinkTarget ? target : null;
            }
            else if (attributes.HasFlag(FileAttributes.Directory))
            {
                kind = EntryKind.Directory;
            }
            else
            {
                kind = info is FileInfo { Length: 0 } && _os.IsSpecialFile(info.FullName) ? EntryKind.Special : EntryKind.File;
            }
            long size = kind == EntryKind.File && info is FileInfo file ? file.Length : 0;
            (long sec, int nsec) = ToUnixTime(info.LastWriteTimeUtc);
            meta = new FileMeta(kind, size, sec, nsec, _os.ModeOf(info, kind), 0, 0);
            return true;
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            return false;
        }
    }

    public FileMeta StatRoot(string fullPath)
    {
        // Followed, as the Linux backend's root stat is.
        try
        {
            FileSystemInfo info = Directory.Exists(fullPath) ? new DirectoryInfo(fullPath) : new FileInfo(fullPath);
            if (!info.Exists)
            {
                throw Error(IOErrorKind.NotFound, "stat", fullPath, "No such file or directory");
            }
            (long sec, int nsec) = ToUnixTime(info.LastWriteTimeUtc);
            EntryKind kind = info is DirectoryInfo ? EntryKind.Directory : EntryKind.File;
            return new FileMeta(kind, kind == EntryKind.File ? ((FileInfo)info).Length : 0, sec, nsec, _os.ModeOf(info, kind), 0, 0);
        }
        catch (Exception ex) when (IsIOError(ex))
        {
            throw Classify(ex, "stat", fullPath);
        }
    }

    // ---- times ----------------------------------------------------------------------------

    internal static (long Sec, int Nsec) ToUnixTime(DateTime utc)
    {
        long ticks = utc.Ticks - DateTime.UnixEpoch.Ticks;
        long sec = Math.DivRem(ticks, TimeSpan.TicksPerSecond, out long rest);
        if (rest < 0)
        {
            sec--;
            rest += TimeSpan.TicksPerSecond;
        }
        return (sec, (int)(rest * 100));
    }

    internal static DateTime ToDateTime(long sec, int nsec)
    {
        long ticks = DateTime.UnixEpoch.Ticks + sec * TimeSpan.TicksPerSecond + nsec / 100;
        return new DateTime(Math.Clamp(ticks, DateTime.MinValue.Ticks, DateTime.MaxValue.Ticks), DateTimeKind.Utc);
    }

    // ---- copying --------------------------------------------------------------------------

    public CopyMethod CopyFile(DirHandle srcDir, string name, in FileMeta expected, DirHandle dstDir, string tempName,
        IProgress<long>? bytesProgress, CancellationToken cancellationToken)
    {
        string src = ((PortableDirHandle)srcDir).Entry(name);
        string dst = ((PortableDirHandle)dstDir).Entry(tempName);
        string srcDisplay = srcDir.Child(name);
        string dstDisplay = dstDir.Child(tempName);
        cancellationToken.ThrowIfCancellationRequested();
        ((PortableDirHandle)dstDir).CheckStillDirectory();
        CheckSource(src, srcDisplay);
        bool keep = false;
        try
        {
            CopyMethod method;
            try
            {
                method = CopyData(src, dst, expected.Size, srcDisplay, bytesProgress, cancellationToken);
            }
            catch (Exception ex) when (IsIOError(ex) && ex is not NativeIOException)
            {
                throw (Exception?)SourceError(ex, src, srcDisplay) ?? Classify(ex, "write", dstDisplay);
            }
            // A file that changed while it was read must not get the old mtime: the next run would skip it.
            FileMeta after = StatSource(src, srcDisplay);
            if (after.Kind != EntryKind.File || after.Size != expected.Size || !after.SameMtime(expected))
            {
                throw new BlitException(BlitErrorCode.SourceChanged,
                    $"Source file changed while it was copied; the destination keeps its previous version: '{srcDisplay}'.", srcDisplay);
            }
            SetFileMetadata(dst, expected, dstDisplay);
            keep = true;
            return method;
        }
        finally
        {
            if (!keep)
            {
                TryDeleteFile(dst);
            }
        }
    }

    public CopyMethod CopyNewFile(DirHandle srcDir, string name, in FileMeta expected, DirHandle dstDir, Func<string> newTempName,
        IProgress<long>? bytesProgress, CancellationToken cancellationToken)
    {
        // No unnamed files here: a temp name, renamed into place when complete.
        string tempName = newTempName();
        CopyMethod method = CopyFile(srcDir, name, expected, dstDir, tempName, bytesProgress, cancellationToken);
        try
        {
            Rename(dstDir, tempName, name);
        }
        catch
        {
            TryDeleteFile(((PortableDirHandle)dstDir).Entry(tempName));
            throw;
        }
        return method;
    }

    /// <summary>Refuses a source that is no longer a regular file (a symlink swapped in is never followed).</summary>
    private void CheckSource(string src, string display)
    {
        FileMeta meta = StatSource(src, display);
        if (meta.Kind != EntryKind.File)
        {
            throw new BlitException(BlitErrorCode.SourceChanged, meta.Kind == EntryKind.Symlink
                ? $"Source file was replaced by a symlink before it was copied; the destination keeps its previous version: '{display}'."
                : $"Source file was replaced by a {meta.Kind.ToString().ToLowerInvariant()} before it was copied; the destination keeps its previous version: '{display}'.",
                display);
        }
    }

    private FileMeta StatSource(string src, string display)
    {
        FileSystemInfo info;
        try
        {
            info = Lstat(src, "stat", display);
        }
        catch (NativeIOException ex) when (ex.Kind == IOErrorKind.NotFound)
        {
            throw new BlitException(BlitErrorCode.SourceVanished, $"Source file vanished before it was copied: '{display}'.", display, ex);
        }
        return TryMeta(info, readLinkTarget: false, out FileMeta meta, out _)
            ? meta
            : throw new BlitException(BlitErrorCode.SourceVanished, $"Source file vanished before it was copied: '{display}'.", display);
    }

    /// <summary>The error as a read problem of the source, or null when it was the destination's.</summary>
    private static BlitException? SourceError(Exception ex, string src, string display)
    {
        if (File.Exists(src) && ex is not UnauthorizedAccessException)
        {
            return null;
        }
        if (!File.Exists(src))
        {
            return new BlitException(BlitErrorCode.SourceVanished, $"Source file vanished before it was copied: '{display}'.", display, ex);
        }
        try
        {
            using (File.OpenHandle(src, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete))
            {
                return null; // readable: the write failed
            }
        }
        catch (Exception openEx) when (IsIOError(openEx))
        {
            return new BlitException(BlitErrorCode.SourceUnreadable, $"Cannot read source file '{display}': {openEx.Message}", display, openEx);
        }
    }

    private CopyMethod CopyData(string src, string dst, long size, string srcDisplay,
        IProgress<long>? bytesProgress, CancellationToken cancellationToken)
    {
        if (size == 0)
        {
            File.OpenHandle(dst, FileMode.CreateNew, FileAccess.Write).Dispose();
            return CopyMethod.Empty;
        }
        if (_useSystemCopy && size <= SystemCopyMaxBytes)
        {
            // CopyFileEx on Windows, clonefile on APFS, FICLONE or copy_file_range on Linux: which of
            // them moved the bytes is not reported, so it is counted as the system's copy (Kernel).
            File.Copy(src, dst, overwrite: false);
            bytesProgress?.Report(size);
            return CopyMethod.Kernel;
        }
        StreamCopy(src, dst, size, srcDisplay, bytesProgress, cancellationToken);
        return CopyMethod.Stream;
    }

    private static void StreamCopy(string src, string dst, long size, string srcDisplay,
        IProgress<long>? bytesProgress, CancellationToken cancellationToken)
    {
        using SafeFileHandle input = File.OpenHandle(src, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete,
            FileOptions.SequentialScan);
        using SafeFileHandle output = File.OpenHandle(dst, FileMode.CreateNew, FileAccess.Write, FileShare.None,
            FileOptions.None, preallocationSize: size);
        byte[] buffer = ArrayPool<byte>.Shared.Rent(StreamBuffer);
        try
        {
            long done = 0;
            while (done < size)
            {
                cancellationToken.ThrowIfCancellationRequested();
                int want = (int)Math.Min(buffer.Length, size - done);
                int n = RandomAccess.Read(input, buffer.AsSpan(0, want), done);
                if (n == 0)
                {
                    throw new BlitException(BlitErrorCode.SourceChanged,
                        $"Source file shrank while it was copied; the destination keeps its previous version: '{srcDisplay}'.", srcDisplay);
                }
                RandomAccess.Write(output, buffer.AsSpan(0, n), done);
                done += n;
                bytesProgress?.Report(n);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static void TryDeleteFile(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (UnauthorizedAccessException)
        {
            try
            {
                File.SetAttributes(path, FileAttributes.Normal); // a read-only copy on Windows
                File.Delete(path);
            }
            catch (Exception ex) when (IsIOError(ex))
            {
            }
        }
        catch (IOException)
        {
        }
    }

    public bool ContentEquals(DirHandle srcDir, string srcName, DirHandle dstDir, string dstName, CancellationToken cancellationToken)
    {
        string a = ((PortableDirHandle)srcDir).Entry(srcName);
        string b = ((PortableDirHandle)dstDir).Entry(dstName);
        byte[] bufA = ArrayPool<byte>.Shared.Rent(256 << 10);
        byte[] bufB = ArrayPool<byte>.Shared.Rent(256 << 10);
        string current = srcDir.Child(srcName);
        // .NET opens without O_NONBLOCK, so a FIFO swapped in for the source since the scan would
        // block the open: its type is checked first, as a copy checks it (what remains is the moment
        // between this check and the open; see the backend's limits).
        try
        {
            CheckRegular(a, current);
            CheckRegular(b, dstDir.Child(dstName));
            using SafeFileHandle ha = File.OpenHandle(a, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            current = dstDir.Child(dstName);
            using SafeFileHandle hb = File.OpenHandle(b, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            long offset = 0;
            while (true)
            {
                cancellationToken.ThrowIfCancellationRequested();
                int na = ReadFull(ha, bufA, offset);
                int nb = ReadFull(hb, bufB, offset);
                if (na != nb || !bufA.AsSpan(0, na).SequenceEqual(bufB.AsSpan(0, nb)))
                {
                    return false;
                }
                if (na == 0)
                {
                    return true;
                }
                offset += na;
            }
        }
        catch (Exception ex) when (IsIOError(ex))
        {
            throw Classify(ex, "read", current);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(bufA);
            ArrayPool<byte>.Shared.Return(bufB);
        }
    }

    /// <summary>Refuses to open anything but a regular file (a FIFO would block the open), as the Linux backend's non-blocking open does.</summary>
    private void CheckRegular(string path, string display)
    {
        FileSystemInfo info = Lstat(path, "open", display);
        if (!TryMeta(info, readLinkTarget: false, out FileMeta meta, out _))
        {
            throw Error(IOErrorKind.NotFound, "open", display, "No such file or directory");
        }
        if (meta.Kind != EntryKind.File)
        {
            throw new NativeIOException($"open '{display}': no longer a regular file (a FIFO, socket, device or directory took its place)");
        }
    }

    private static int ReadFull(SafeFileHandle handle, byte[] buffer, long offset)
    {
        int total = 0;
        while (total < buffer.Length)
        {
            int n = RandomAccess.Read(handle, buffer.AsSpan(total), offset + total);
            if (n == 0)
            {
                break;
            }
            total += n;
        }
        return total;
    }

    // ---- writing --------------------------------------------------------------------------

    public void CreateDirectory(DirHandle parent, string name)
    {
        ((PortableDirHandle)parent).CheckStillDirectory();
        string path = ((PortableDirHandle)parent).Entry(name);
        string display = parent.Child(name);
        try
        {
            // Directory.CreateDirectory succeeds on an existing directory and follows a symlink to
            // one; mkdir(2) refuses both, and so must this.
            if ((int)new FileInfo(path).Attributes != -1)
            {
                throw Error(IOErrorKind.AlreadyExists, "create directory", display, "File exists");
            }
            _os.CreateDirectory(path);
        }
        catch (Exception ex) when (IsIOError(ex))
        {
            throw Classify(ex, "create directory", display);
        }
    }

    public void CreateSymlink(DirHandle dir, string name, string target, in FileMeta source)
    {
        ((PortableDirHandle)dir).CheckStillDirectory();
        string path = ((PortableDirHandle)dir).Entry(name);
        try
        {
            _os.CreateSymlink(path, target, source);
        }
        catch (Exception ex) when (IsIOError(ex))
        {
            throw Classify(ex, "create symlink", dir.Child(name));
        }
    }

    public void Rename(DirHandle dir, string from, string to)
    {
        ((PortableDirHandle)dir).CheckStillDirectory();
        var p = (PortableDirHandle)dir;
        string source = p.Entry(from);
        string target = p.Entry(to);
        try
        {
            if (IsRealDirectory(source))
            {
                // A directory is renamed onto a name that is free (the executor removes what was there)
                // or onto itself in other letter case (a case-insensitive destination).
                MoveDirectory(source, target);
            }
            else if (IsDirectoryLink(source))
            {
                // File.Move refuses what .NET sees as a directory; Directory.Move never replaces.
                if (!string.Equals(source, target, _os.PathComparison))
                {
                    RemoveNonDirectory(target, dir.Child(to));
                }
                Directory.Move(source, target);
            }
            else if (IsRealDirectory(target))
            {
                throw Error(IOErrorKind.IsADirectory, "rename", dir.Child(to), "Is a directory");
            }
            else
            {
                if (IsDirectoryLink(target))
                {
                    DeleteDirectoryLink(target); // File.Move cannot replace what .NET sees as a directory
                }
                File.Move(source, target, overwrite: true);
            }
        }
        catch (Exception ex) when (IsIOError(ex))
        {
            throw Classify(ex, "rename", dir.Child(to));
        }
    }

    /// <summary>
    /// Directory.Move, also onto the same directory in other letter case: .NET on Linux takes a
    /// case-insensitive filesystem (exFAT) for case-sensitive and refuses that rename as "already
    /// exists", so it goes through a free temp name there.
    /// </summary>
    private static void MoveDirectory(string source, string target)
    {
        // No look-up of the target first: on exFAT through FUSE the kernel would keep that name cached
        // as the directory, and .NET's own check before the second rename would find it.
        if (string.Equals(source, target, StringComparison.Ordinal) || !string.Equals(source, target, StringComparison.OrdinalIgnoreCase))
        {
            Directory.Move(source, target);
            return;
        }
        string temp = Path.Join(Path.GetDirectoryName(source), TempName.New()); // a leftover is cleaned as any temp
        Directory.Move(source, temp);
        try
        {
            Directory.Move(temp, target);
        }
        catch
        {
            Directory.Move(temp, source); // back under its old name: nothing is lost
            throw;
        }
    }

    /// <summary>Removes a file or link at <paramref name="path"/> if there is one; refuses a directory.</summary>
    private void RemoveNonDirectory(string path, string display)
    {
        if (IsRealDirectory(path))
        {
            throw Error(IOErrorKind.IsADirectory, "rename", display, "Is a directory");
        }
        if (IsDirectoryLink(path))
        {
            DeleteDirectoryLink(path);
        }
        else
        {
            File.Delete(path);
        }
    }

    /// <summary>Removes the link itself: a directory entry on Windows, a file entry (unlink) on Unix.</summary>
    private void DeleteDirectoryLink(string path)
    {
        if (_os.DirectoryLinksAreDirectories)
        {
            Directory.Delete(path, recursive: false);
        }
        else
        {
            File.Delete(path);
        }
    }

    public void RenameNoReplace(DirHandle dir, string from, string to)
    {
        ((PortableDirHandle)dir).CheckStillDirectory();
        var p = (PortableDirHandle)dir;
        string source = p.Entry(from);
        string target = p.Entry(to);
        try
        {
            if ((int)new FileInfo(target).Attributes != -1)
            {
                throw Error(IOErrorKind.AlreadyExists, "rename", dir.Child(to), "File exists");
            }
            if (IsRealDirectory(source) || IsDirectoryLink(source))
            {
                // Refuses an existing target itself: atomically on Windows (MoveFileEx), by a check
                // before rename(2) on Unix.
                Directory.Move(source, target);
            }
            else
            {
                File.Move(source, target, overwrite: false); // link(2) + unlink(2) on Unix: never replaces
            }
        }
        catch (Exception ex) when (IsIOError(ex))
        {
            throw Classify(ex, "rename", dir.Child(to));
        }
    }

    public void Remove(DirHandle dir, string name, bool isDirectory)
    {
        ((PortableDirHandle)dir).CheckStillDirectory();
        string path = ((PortableDirHandle)dir).Entry(name);
        try
        {
            if (isDirectory || IsDirectoryLink(path) && _os.DirectoryLinksAreDirectories)
            {
                // Not recursive: an empty directory, or a directory link itself (never its target).
                Directory.Delete(path, recursive: false);
            }
            else
            {
                File.Delete(path); // a missing file is no error, as for the Linux backend
            }
        }
        catch (DirectoryNotFoundException)
        {
        }
        catch (Exception ex) when (IsIOError(ex))
        {
            throw Classify(ex, "delete", dir.Child(name));
        }
    }

    public void SetMetadata(DirHandle dir, string name, in FileMeta meta)
    {
        ((PortableDirHandle)dir).CheckStillDirectory();
        string path = ((PortableDirHandle)dir).Entry(name);
        string display = dir.Child(name);
        // A directory or file swapped for a symlink since the scan must fail here, not change its target.
        FileSystemInfo info = Lstat(path, "set metadata", display);
        bool isLink = LinkTargetOf(info) is not null;
        if (isLink != (meta.Kind == EntryKind.Symlink))
        {
            throw Error(IOErrorKind.Loop, "set metadata", display, isLink ? "Is a symbolic link (not followed)" : "Is no longer a symbolic link");
        }
        SetPathMetadata(path, meta, display, isLink);
    }

    public void SetMetadata(DirHandle dir, in FileMeta meta) =>
        SetPathMetadata(((PortableDirHandle)dir).Path, meta, dir.DisplayPath, isLink: false);

    private void SetFileMetadata(string path, in FileMeta meta, string display) => SetPathMetadata(path, meta, display, isLink: false);

    private void SetPathMetadata(string path, in FileMeta meta, string display, bool isLink)
    {
        try
        {
            _os.SetMetadata(path, meta, isLink, _setPermissions);
        }
        catch (Exception ex) when (IsIOError(ex))
        {
            throw Classify(ex, "set metadata", display);
        }
    }

    public bool MakeWritable(DirHandle dir, string? name)
    {
        var p = (PortableDirHandle)dir;
        try
        {
            return _os.MakeWritable(p.Path, name is null ? null : p.Entry(name));
        }
        catch (Exception ex) when (IsIOError(ex))
        {
            throw Classify(ex, "set mode", name is null ? dir.DisplayPath : dir.Child(name));
        }
    }

    // ---- paths ----------------------------------------------------------------------------

    public string? CanonicalPath(string fullPath) => CanonicalPath(fullPath, depth: 0);

    private string? CanonicalPath(string fullPath, int depth)
    {
        if (depth > 40)
        {
            return null; // a symlink loop: nothing there exists
        }
        string full = Path.GetFullPath(fullPath);
        string? root = Path.GetPathRoot(full);
        if (string.IsNullOrEmpty(root))
        {
            return null;
        }
        string current = root;
        foreach (string part in full[root.Length..].Split(Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar,
            StringSplitOptions.RemoveEmptyEntries))
        {
            string next = Path.Join(current, part);
            var info = new FileInfo(next);
            string? target = LinkTargetOf(info);
            if (target is not null)
            {
                string resolved = Path.IsPathFullyQualified(target) ? target : Path.Join(current, target);
                string? real = CanonicalPath(resolved, depth + 1);
                if (real is null)
                {
                    return null;
                }
                current = real;
                continue;
            }
            if (!info.Exists && !Directory.Exists(next))
            {
                return null;
            }
            current = next;
        }
        return current;
    }

    public bool IsMountPoint(string canonicalPath)
    {
        string path = Path.TrimEndingDirectorySeparator(canonicalPath);
        try
        {
            foreach (DriveInfo drive in DriveInfo.GetDrives())
            {
                if (string.Equals(Path.TrimEndingDirectorySeparator(_os.MountPointName(drive.Name)), path, _os.PathComparison))
                {
                    return true;
                }
            }
        }
        catch (Exception ex) when (IsIOError(ex))
        {
        }
        return false;
    }

    /// <summary>
    /// .NET has no device or file number, so a directory's identity here is its canonical path
    /// (symlinks resolved): the directory and each of its parents. Windows has no bind mounts; a
    /// bind mount on Linux or macOS is not seen through by this backend (docs/platforms.md).
    /// </summary>
    public IReadOnlyList<FileIdentity>? DirectoryAndAncestors(string fullPath)
    {
        string? canonical = CanonicalPath(fullPath);
        if (canonical is null || !Directory.Exists(canonical))
        {
            return null;
        }
        var identities = new List<FileIdentity>();
        for (string? dir = canonical; dir is not null; dir = Path.GetDirectoryName(dir))
        {
            string key = _os.PathComparison == StringComparison.OrdinalIgnoreCase ? dir.ToUpperInvariant() : dir;
            byte[] hash = System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(Path.TrimEndingDirectorySeparator(key)));
            identities.Add(new FileIdentity(BitConverter.ToUInt64(hash, 0), BitConverter.ToUInt64(hash, 8)));
        }
        return identities;
    }

    /// <summary>Other filesystems mounted inside <paramref name="dir"/>, from the drive list .NET gives.</summary>
    public IReadOnlyList<string> MountPointsBelow(DirHandle dir)
    {
        string? canonical = CanonicalPath(((PortableDirHandle)dir).Path);
        if (canonical is null)
        {
            return [];
        }
        string prefix = Path.EndsInDirectorySeparator(canonical) ? canonical : canonical + Path.DirectorySeparatorChar;
        var below = new SortedSet<string>(StringComparer.Ordinal);
        try
        {
            foreach (DriveInfo drive in DriveInfo.GetDrives())
            {
                string mount = Path.TrimEndingDirectorySeparator(_os.MountPointName(drive.Name));
                if (mount.Length > prefix.Length && mount.StartsWith(prefix, _os.PathComparison))
                {
                    below.Add(mount[prefix.Length..].Replace(Path.DirectorySeparatorChar, '/'));
                }
            }
        }
        catch (Exception ex) when (IsIOError(ex))
        {
        }
        return [.. below];
    }

    /// <summary>.NET reads no append-only or immutable attribute: never restricted here (docs/platforms.md).</summary>
    public DirectoryRestriction GetRestriction(DirHandle dir) => DirectoryRestriction.None;

    /// <summary>Devices need system calls .NET does not offer.</summary>
    public bool CanCreateDevices => false;

    /// <summary>.NET has no API to make a FIFO, socket or device: refused as not supported (counted, said once).</summary>
    public void CreateSpecial(DirHandle dir, string name, in FileMeta meta) =>
        throw Error(IOErrorKind.NotSupported, "create special file", dir.Child(name), "this backend cannot create special files");

    // ---- the destination ------------------------------------------------------------------

    public FileSystemCapabilities ProbeDestination(DirHandle dir, string tempName) =>
        new PortableProbe(_os, ((PortableDirHandle)dir).Path, tempName).Run();

    public void UseDestination(FileSystemCapabilities capabilities)
    {
        // Where the destination drops modes (or attributes), asking per file would make every entry an error.
        _setPermissions = capabilities.Permissions;
    }
}
