using System.Runtime.Versioning;
using Blit.Errors;

namespace Blit.Platform;

/// <summary>
/// The portable backend's Windows half: the attributes robocopy /MIR copies (ReadOnly, Hidden,
/// System, Archive) stand where Unix has permission bits, a read-only file is made writable to be
/// replaced or deleted, links are made as file or directory links as the source was, and Win32
/// error codes are classified.
/// </summary>
[SupportedOSPlatform("windows")]
internal sealed class WindowsOs : PortableOs
{
    /// <summary>The attributes that are mirrored.</summary>
    internal const FileAttributes Carried = FileAttributes.ReadOnly | FileAttributes.Hidden | FileAttributes.System | FileAttributes.Archive;

    public override StringComparison PathComparison => StringComparison.OrdinalIgnoreCase;

    public override bool DirectoryLinksAreDirectories => true;

    public override int NativeCode(int hresult) =>
        (hresult & unchecked((int)0xFFFF0000)) == unchecked((int)0x80070000) ? hresult & 0xFFFF : hresult;

    public override IOErrorKind KindOf(int hresult) => NativeCode(hresult) switch
    {
        5 or 1314 => IOErrorKind.PermissionDenied,     // ERROR_ACCESS_DENIED, ERROR_PRIVILEGE_NOT_HELD (links)
        2 or 3 => IOErrorKind.NotFound,                // ERROR_FILE_NOT_FOUND, ERROR_PATH_NOT_FOUND
        80 or 183 => IOErrorKind.AlreadyExists,        // ERROR_FILE_EXISTS, ERROR_ALREADY_EXISTS
        145 => IOErrorKind.NotEmpty,                   // ERROR_DIR_NOT_EMPTY
        39 or 112 or 1295 => IOErrorKind.DiskFull,     // ERROR_HANDLE_DISK_FULL, ERROR_DISK_FULL, ERROR_DISK_QUOTA_EXCEEDED
        267 => IOErrorKind.NotADirectory,              // ERROR_DIRECTORY
        1921 => IOErrorKind.Loop,                      // ERROR_CANT_RESOLVE_FILENAME
        17 => IOErrorKind.CrossDevice,                 // ERROR_NOT_SAME_DEVICE
        1 or 50 or 4390 => IOErrorKind.NotSupported,   // ERROR_INVALID_FUNCTION, ERROR_NOT_SUPPORTED, ERROR_NOT_A_REPARSE_POINT
        19 => IOErrorKind.ReadOnlyFileSystem,          // ERROR_WRITE_PROTECT
        123 or 206 => IOErrorKind.InvalidName,         // ERROR_INVALID_NAME, ERROR_FILENAME_EXCED_RANGE
        32 or 33 => IOErrorKind.Transient,             // ERROR_SHARING_VIOLATION, ERROR_LOCK_VIOLATION
        _ => IOErrorKind.Other,
    };

    public override string MountPointName(string driveName) => driveName;

    public override bool HasUndecodableName(string name) => false; // names are UTF-16 and stay so

    public override uint ModeOf(FileSystemInfo info, EntryKind kind)
    {
        FileAttributes attributes = info.Attributes;
        uint mode = (uint)(attributes & Carried);
        // A link remembers whether it was made as a directory link, so it is recreated as one.
        return kind == EntryKind.Symlink && attributes.HasFlag(FileAttributes.Directory) ? mode | (uint)FileAttributes.Directory : mode;
    }

    public override bool IsSpecialFile(string path) => false; // no FIFOs or devices in Windows filesystems

    public override void CreateDirectory(string path) => Directory.CreateDirectory(path);

    public override void CreateSymlink(string path, string target, in FileMeta source)
    {
        if ((source.Mode & (uint)FileAttributes.Directory) != 0)
        {
            Directory.CreateSymbolicLink(path, target);
        }
        else
        {
            File.CreateSymbolicLink(path, target);
        }
    }

    public override void SetMetadata(string path, in FileMeta meta, bool isLink, bool setPermissions)
    {
        bool asDirectory = meta.Kind == EntryKind.Directory || (isLink && (meta.Mode & (uint)FileAttributes.Directory) != 0);
        // .NET opens the entry with FILE_FLAG_OPEN_REPARSE_POINT to set times: a link's own, never its target's.
        SetMtime(path, meta, asDirectory);
        if (setPermissions)
        {
            FileAttributes current = File.GetAttributes(path);
            FileAttributes wanted = (current & ~Carried) | ((FileAttributes)meta.Mode & Carried);
            if (wanted != current)
            {
                File.SetAttributes(path, wanted);
            }
        }
    }

    public override bool MakeWritable(string directory, string? entry)
    {
        // Windows protects entries, not directories: a read-only file can be neither replaced nor deleted.
        if (entry is null)
        {
            return false;
        }
        var info = new FileInfo(entry);
        FileAttributes attributes = info.Attributes;
        if ((int)attributes == -1 || !attributes.HasFlag(FileAttributes.ReadOnly))
        {
            return false;
        }
        info.Attributes = attributes & ~FileAttributes.ReadOnly;
        return true;
    }

    public override string FileSystemType(string path)
    {
        try
        {
            return new DriveInfo(Path.GetPathRoot(Path.GetFullPath(path)) ?? path).DriveFormat;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException)
        {
            return "unknown";
        }
    }

    public override void SetProbeMode(string path) => File.SetAttributes(path, FileAttributes.Hidden | FileAttributes.ReadOnly);

    public override bool ProbeModeKept(string path) =>
        (File.GetAttributes(path) & Carried) == (FileAttributes.Hidden | FileAttributes.ReadOnly);
}
