using static Blit.Platform.LinuxNative;

namespace Blit.Platform;

/// <summary>Write protection, canonical paths and mount points, the Linux way.</summary>
internal sealed partial class LinuxFileSystem
{
    /// <summary>On Linux a directory's mode decides what may be created or removed in it (entries have no protection of their own).</summary>
    public bool MakeWritable(DirHandle dir, string? name)
    {
        FileMeta meta = FStat(dir.Fd, dir.DisplayPath);
        if ((meta.Permissions & OwnerAll) == OwnerAll)
        {
            return false; // already writable by its owner: something else refused
        }
        if (FChmod(dir.Fd, meta.Permissions | OwnerAll) < 0)
        {
            throw Fail("set mode", dir.DisplayPath);
        }
        return true;
    }

    public string? CanonicalPath(string fullPath) => RealPath(fullPath);

    /// <summary>True when <paramref name="canonicalPath"/> is where a filesystem is mounted (/proc/self/mountinfo).</summary>
    public bool IsMountPoint(string canonicalPath) => MountTable.IsMountPoint(canonicalPath);
}
