using Blit.Platform;

namespace Blit.Tests.Support;

/// <summary>
/// The backend the suites run against (BLIT_BACKEND: the Linux backend by default, the portable
/// one when build.sh's second run sets it), and what it can carry, measured the way a mirror
/// measures its destination. Expected results are derived from these, so a limit of the
/// portable backend changes what a test expects, never whether it runs.
/// </summary>
internal static class Backend
{
    private static readonly Lazy<(bool Portable, FileSystemCapabilities Caps, bool SetsOwners)> s_probe = new(Probe);

    private static (bool, FileSystemCapabilities, bool) Probe()
    {
        IMirrorFileSystem fs = FileSystemFactory.Create();
        string dir = Path.Combine(Path.GetTempPath(), "blit-backend-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(dir);
        try
        {
            using DirHandle handle = fs.OpenRoot(dir);
            FileSystemCapabilities caps = fs.ProbeDestination(handle, ".probe");
            return (fs is PortableFileSystem, caps, fs.CanSetOwner && caps.Owners);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    public static bool IsPortable => s_probe.Value.Portable;

    /// <summary>What the backend keeps on the test machine's temp filesystem.</summary>
    public static FileSystemCapabilities Capabilities => s_probe.Value.Caps;

    /// <summary>The mtime step the backend carries there (1 ns for the Linux backend, 100 ns through .NET's DateTime).</summary>
    public static long TimestampPrecisionNs => Math.Max(1, Capabilities.TimestampPrecisionNs);

    /// <summary>Owners are carried (root, and a backend that can set them).</summary>
    public static bool SetsOwners => s_probe.Value.SetsOwners;

    /// <summary>Unnamed temp files (O_TMPFILE) are used for new files.</summary>
    public static bool UnnamedTempFiles => Capabilities.UnnamedTempFiles;

    /// <summary>Names and link targets are bytes (non-UTF-8 ones mirrored); the portable backend
    /// gets names from .NET as UTF-16 strings and refuses to read a directory holding one that is not UTF-8.</summary>
    public static bool NamesAsBytes => !IsPortable;

    /// <summary>FIFOs, sockets and devices are made (the portable backend has no .NET API for them and skips them).</summary>
    public static bool CreatesSpecials => !IsPortable;

    /// <summary>Holes of sparse files are kept (the portable backend copies them dense: .NET finds no holes).</summary>
    public static bool KeepsHoles => !IsPortable;

    /// <summary>A destination file's link count is seen (.NET has none: the portable backend sets metadata in place).</summary>
    public static bool SeesLinkCounts => !IsPortable;

    /// <summary>Directory identity is device and inode (the portable backend's is the canonical path, blind to bind mounts).</summary>
    public static bool SeesBindMounts => !IsPortable;

    /// <summary>Append-only directories are seen (.NET reads no such attribute: the portable backend treats them as any other).</summary>
    public static bool SeesRestrictions => !IsPortable;

    /// <summary>
    /// An entry as the backend can mirror it: the mtime cut to its precision and the owner left out
    /// where it sets none, so snapshots of a source and its mirror compare what the backend promises.
    /// </summary>
    public static EntryState AsCarried(EntryState e)
    {
        long step = TimestampPrecisionNs;
        EntryState carried = step > 1 ? e with { MtimeNsec = (int)(e.MtimeNsec / step * step) } : e;
        return SetsOwners ? carried : carried with { Uid = 0, Gid = 0 };
    }
}
