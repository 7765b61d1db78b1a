using System.Formats.Tar;
using System.Runtime.Versioning;
using Blit.Errors;

namespace Blit.Platform;

/// <summary>The portable backend's Unix half (macOS, and Linux when chosen for tests): permission bits, errno values.</summary>
[UnsupportedOSPlatform("windows")]
internal sealed class UnixOs : PortableOs
{
    private const UnixFileMode OwnerAll = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    private const UnixFileMode ProbeMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead; // 0640

    private static readonly bool s_bsd = OperatingSystem.IsMacOS() || OperatingSystem.IsFreeBSD();

    public override StringComparison PathComparison => StringComparison.Ordinal;

    public override bool DirectoryLinksAreDirectories => false;

    public override int NativeCode(int hresult) => hresult; // .NET puts the raw errno there

    public override IOErrorKind KindOf(int hresult) => s_bsd ? BsdKindOf(hresult) : LinuxNative.KindOf(hresult);

    /// <summary>errno values of macOS and FreeBSD (those that differ from Linux: ENOTEMPTY, ELOOP, EDQUOT, ENOTSUP, ...).</summary>
    private static IOErrorKind BsdKindOf(int errno) => errno switch
    {
        1 or 13 => IOErrorKind.PermissionDenied,          // EPERM, EACCES
        2 => IOErrorKind.NotFound,                         // ENOENT
        17 => IOErrorKind.AlreadyExists,                   // EEXIST
        66 => IOErrorKind.NotEmpty,                        // ENOTEMPTY
        28 or 69 => IOErrorKind.DiskFull,                  // ENOSPC, EDQUOT
        20 => IOErrorKind.NotADirectory,                   // ENOTDIR
        21 => IOErrorKind.IsADirectory,                    // EISDIR
        62 => IOErrorKind.Loop,                            // ELOOP
        18 => IOErrorKind.CrossDevice,                     // EXDEV
        45 or 78 or 102 => IOErrorKind.NotSupported,       // ENOTSUP, ENOSYS, EOPNOTSUPP (macOS)
        30 => IOErrorKind.ReadOnlyFileSystem,              // EROFS
        63 => IOErrorKind.InvalidName,                     // ENAMETOOLONG
        4 or 16 or 26 or 35 => IOErrorKind.Transient,      // EINTR, EBUSY, ETXTBSY, EAGAIN
        _ => IOErrorKind.Other,
    };

    /// <summary>.NET lists Linux mount points as the mount table spells them: space, tab, newline and backslash octal-escaped.</summary>
    public override string MountPointName(string driveName) =>
        driveName.Contains('\\', StringComparison.Ordinal)
            ? driveName.Replace("\\040", " ", StringComparison.Ordinal).Replace("\\011", "\t", StringComparison.Ordinal)
                .Replace("\\012", "\n", StringComparison.Ordinal).Replace("\\134", "\\", StringComparison.Ordinal)
            : driveName;

    public override bool HasUndecodableName(string name) => name.Contains('\uFFFD', StringComparison.Ordinal);

    public override uint ModeOf(FileSystemInfo info, EntryKind kind) =>
        kind == EntryKind.Symlink ? 0 : (uint)info.UnixFileMode & 0xFFF;

    /// <summary>
    /// .NET names no file type beyond directory and link, and opening a FIFO to look blocks. The tar
    /// writer reads the type with lstat and opens only regular files, so it tells FIFOs and devices
    /// apart; sockets it refuses. Asked only for empty entries (every special file has size 0).
    /// </summary>
    public override bool IsSpecialFile(string path)
    {
        using var buffer = new MemoryStream();
        try
        {
            using (var writer = new TarWriter(buffer, TarEntryFormat.Ustar, leaveOpen: true))
            {
                writer.WriteEntry(path, "entry");
            }
        }
        catch (UnauthorizedAccessException)
        {
            return false; // an unreadable regular file: the copy reports it
        }
        catch (FileNotFoundException)
        {
            return false; // vanished: the copy reports it
        }
        catch (IOException)
        {
            return true; // a socket: "not supported for tar archiving"
        }
        buffer.Position = 0;
        using var reader = new TarReader(buffer);
        return reader.GetNextEntry()?.EntryType is not (TarEntryType.RegularFile or TarEntryType.V7RegularFile);
    }

    public override void CreateDirectory(string path) => Directory.CreateDirectory(path, OwnerAll);

    public override void CreateSymlink(string path, string target, in FileMeta source) => File.CreateSymbolicLink(path, target);

    public override void SetMetadata(string path, in FileMeta meta, bool isLink, bool setPermissions)
    {
        if (setPermissions && !isLink)
        {
            File.SetUnixFileMode(path, (UnixFileMode)(meta.Permissions & 0xFFF));
        }
        // .NET sets times with utimensat(AT_SYMLINK_NOFOLLOW): a link's own time, never its target's.
        SetMtime(path, meta, asDirectory: meta.Kind == EntryKind.Directory);
    }

    public override bool MakeWritable(string directory, string? entry)
    {
        // On Unix a directory's mode decides what may be created or removed in it.
        UnixFileMode mode = File.GetUnixFileMode(directory);
        if ((mode & OwnerAll) == OwnerAll)
        {
            return false;
        }
        File.SetUnixFileMode(directory, mode | OwnerAll);
        return true;
    }

    public override string FileSystemType(string path)
    {
        try
        {
            return new DriveInfo(path).DriveFormat; // statfs(2) of the path itself
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException)
        {
            return "unknown";
        }
    }

    public override void SetProbeMode(string path) => File.SetUnixFileMode(path, ProbeMode);

    public override bool ProbeModeKept(string path) => File.GetUnixFileMode(path) == ProbeMode;
}
