using Blit.Errors;

namespace Blit.Platform;

/// <summary>
/// What the portable backend does differently on Windows and on Unix: permission bits or
/// attributes, error codes, directory links, special files. One half per file
/// (PortableOs.Windows.cs, PortableOs.Unix.cs), chosen once; the shared logic never asks which OS it is on.
/// </summary>
internal abstract class PortableOs
{
    public static PortableOs Current { get; } = OperatingSystem.IsWindows() ? new WindowsOs() : new UnixOs();

    /// <summary>How paths compare on this system's usual filesystems (drive letters, mount points).</summary>
    public abstract StringComparison PathComparison { get; }

    /// <summary>True where a link to a directory is removed as a directory (Windows), false where it is unlinked like a file (Unix).</summary>
    public abstract bool DirectoryLinksAreDirectories { get; }

    /// <summary>A mount point as <see cref="DriveInfo.Name"/> gives it, as a path.</summary>
    public abstract string MountPointName(string driveName);

    /// <summary>The neutral kind of a .NET I/O exception's HResult.</summary>
    public abstract IOErrorKind KindOf(int hresult);

    /// <summary>The system's own code inside the HResult (errno on Unix, the Win32 error on Windows).</summary>
    public abstract int NativeCode(int hresult);

    /// <summary>True when .NET had to replace bytes of a name it could not decode (Unix names are bytes).</summary>
    public abstract bool HasUndecodableName(string name);

    /// <summary>What the mirror carries as <see cref="FileMeta.Mode"/>: permission bits on Unix, attributes on Windows.</summary>
    public abstract uint ModeOf(FileSystemInfo info, EntryKind kind);

    /// <summary>True for a FIFO, socket or device (only asked for empty non-directories).</summary>
    public abstract bool IsSpecialFile(string path);

    /// <summary>Creates a directory, private to its owner until its final metadata is set where the system allows.</summary>
    public abstract void CreateDirectory(string path);

    public abstract void CreateSymlink(string path, string target, in FileMeta source);

    /// <summary>Sets mode or attributes (when <paramref name="setPermissions"/>) and the mtime, never following a link.</summary>
    public abstract void SetMetadata(string path, in FileMeta meta, bool isLink, bool setPermissions);

    /// <summary>See <see cref="IMirrorFileSystem.MakeWritable"/>.</summary>
    public abstract bool MakeWritable(string directory, string? entry);

    /// <summary>The filesystem type holding <paramref name="path"/>, as the system names it.</summary>
    public abstract string FileSystemType(string path);

    /// <summary>Sets the probe file's mode or attributes to a distinctive value; <see cref="ProbeModeKept"/> reads it back.</summary>
    public abstract void SetProbeMode(string path);

    public abstract bool ProbeModeKept(string path);

    /// <summary>Sets an mtime, the directory or file way as the entry is (Windows opens them differently).</summary>
    protected static void SetMtime(string path, in FileMeta meta, bool asDirectory)
    {
        DateTime time = PortableFileSystem.ToDateTime(meta.MtimeSec, meta.MtimeNsec);
        if (asDirectory)
        {
            Directory.SetLastWriteTimeUtc(path, time);
        }
        else
        {
            File.SetLastWriteTimeUtc(path, time);
        }
    }
}
