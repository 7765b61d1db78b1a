using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using System.Runtime.InteropServices;

namespace Blit.Benchmarking;

/// <summary>Where the benchmark root lives: its filesystem and the kind of device under it.</summary>
/// <param name="FileSystem">ext4, xfs, tmpfs, NTFS, ...</param>
/// <param name="DeviceKind">ssd, rotational, virtual, memory or unknown.</param>
/// <param name="Device">What the kind was read from, e.g. "/dev/vda (virtio)" or "loop0 backed by /img/x.img".</param>
/// <param name="MountPoint">The mount point holding the root.</param>
public sealed record StorageInfo(string FileSystem, string DeviceKind, string Device, string MountPoint);

/// <summary>
/// System notes for a measurement: OS and kernel, CPU, RAM, and the filesystem and device kind
/// of the benchmark root (Linux: /proc/self/mountinfo and /sys/dev/block; elsewhere DriveInfo).
/// Reads only; every figure degrades to "unknown" rather than failing the benchmark.
/// </summary>
public static class SystemProbe
{
    /// <summary>What a figure that cannot be read is reported as.</summary>
    public const string Unknown = "unknown";

    /// <summary>linux, macos or windows: the folder under logs/.</summary>
    public static string PlatformName =>
        OperatingSystem.IsWindows() ? "windows" : OperatingSystem.IsMacOS() ? "macos" : OperatingSystem.IsLinux() ? "linux"
        : RuntimeInformation.OSDescription.Split(' ')[0].ToLowerInvariant();

    /// <summary>This machine's notes, with the filesystem and device kind of <paramref name="root"/> (also returned in <paramref name="storage"/>).</summary>
    public static SystemInfo Probe(string root, out StorageInfo storage)
    {
        storage = DescribeStorage(root);
        return new SystemInfo
        {
            Platform = PlatformName,
            OperatingSystem = OperatingSystemName(),
            Kernel = KernelVersion(),
            CpuModel = CpuModel(),
            CpuCount = Environment.ProcessorCount,
            MemoryBytes = MemoryBytes(),
            MachineName = Environment.MachineName,
            FileSystem = storage.FileSystem,
            DeviceKind = storage.DeviceKind,
            BlitVersion = BlitVersion,
        };
    }

    /// <summary>Blit's version (informational version of Blit.Core).</summary>
    public static string BlitVersion
    {
        get
        {
            Assembly asm = typeof(SystemProbe).Assembly;
            return asm.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
                ?? asm.GetName().Version?.ToString() ?? Unknown;
        }
    }

    /// <summary>The operating system's name and version (Linux: PRETTY_NAME of /etc/os-release).</summary>
    public static string OperatingSystemName()
    {
        if (OperatingSystem.IsLinux())
        {
            string? pretty = ReadLines("/etc/os-release")
                .Where(l => l.StartsWith("PRETTY_NAME=", StringComparison.Ordinal))
                .Select(l => l["PRETTY_NAME=".Length..].Trim('"'))
                .FirstOrDefault();
            if (!string.IsNullOrWhiteSpace(pretty))
            {
                return pretty;
            }
        }
        return RuntimeInformation.OSDescription;
    }

    /// <summary>The kernel release.</summary>
    public static string KernelVersion()
    {
        if (OperatingSystem.IsLinux())
        {
            string? release = ReadLines("/proc/sys/kernel/osrelease").FirstOrDefault();
            if (!string.IsNullOrWhiteSpace(release))
            {
                return $"Linux {release.Trim()} {RuntimeInformation.OSArchitecture.ToString().ToLowerInvariant()}";
            }
        }
        return $"{Environment.OSVersion.VersionString} {RuntimeInformation.OSArchitecture.ToString().ToLowerInvariant()}";
    }

    /// <summary>The CPU model name.</summary>
    public static string CpuModel()
    {
        if (OperatingSystem.IsLinux())
        {
            string? model = ParseCpuModel(ReadLines("/proc/cpuinfo"));
            if (model is not null)
            {
                return model;
            }
        }
        else if (OperatingSystem.IsMacOS())
        {
            string? brand = RunForLine("/usr/sbin/sysctl", "-n", "machdep.cpu.brand_string");
            if (!string.IsNullOrWhiteSpace(brand))
            {
                return brand;
            }
        }
        else if (OperatingSystem.IsWindows())
        {
            string? id = Environment.GetEnvironmentVariable("PROCESSOR_IDENTIFIER");
            if (!string.IsNullOrWhiteSpace(id))
            {
                return id;
            }
        }
        return $"{RuntimeInformation.ProcessArchitecture} ({Unknown} model)";
    }

    /// <summary>The CPU model from /proc/cpuinfo text (x86 "model name"; Arm "Hardware"/"Model"/"CPU part").</summary>
    internal static string? ParseCpuModel(IEnumerable<string> cpuinfo)
    {
        string? fallback = null;
        foreach (string line in cpuinfo)
        {
            int colon = line.IndexOf(':');
            if (colon < 0)
            {
                continue;
            }
            string key = line[..colon].Trim();
            string value = line[(colon + 1)..].Trim();
            if (value.Length == 0)
            {
                continue;
            }
            if (key is "model name" or "cpu model" or "uarch")
            {
                return value;
            }
            if (key is "Hardware" or "Model" && fallback is null)
            {
                fallback = value;
            }
        }
        return fallback;
    }

    /// <summary>Physical memory, in bytes.</summary>
    public static long MemoryBytes()
    {
        if (OperatingSystem.IsLinux())
        {
            long kib = ResourceUsage.ReadStatusKiB("/proc/meminfo", "MemTotal:");
            if (kib > 0)
            {
                return kib * 1024;
            }
        }
        return GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;
    }

    /// <summary>The filesystem type and device kind of the filesystem holding <paramref name="root"/>.</summary>
    public static StorageInfo DescribeStorage(string root)
    {
        if (OperatingSystem.IsLinux())
        {
            string real = Platform.FileSystemFactory.Create().CanonicalPath(Path.GetFullPath(root)) ?? Path.GetFullPath(root);
            MountEntry? mount = FindMount(ReadLines("/proc/self/mountinfo"), real);
            if (mount is not null)
            {
                (string kind, string device) = ClassifyLinuxDevice(mount);
                return new StorageInfo(mount.FileSystem, kind, device, mount.MountPoint);
            }
        }
        try
        {
            var drive = new DriveInfo(Path.GetPathRoot(Path.GetFullPath(root)) ?? root);
            return new StorageInfo(drive.DriveFormat, drive.DriveType == DriveType.Ram ? "memory" : Unknown,
                drive.Name, drive.RootDirectory.FullName);
        }
        catch (Exception ex) when (ex is IOException or ArgumentException or UnauthorizedAccessException)
        {
            return new StorageInfo(Unknown, Unknown, Unknown, Unknown);
        }
    }

    /// <summary>One line of /proc/self/mountinfo.</summary>
    internal sealed record MountEntry(string MountPoint, string DeviceNumber, string FileSystem, string Source);

    /// <summary>The mount that holds <paramref name="path"/>: the longest mount point that is a prefix of it (the last one wins on ties, as mounts stack).</summary>
    internal static MountEntry? FindMount(IEnumerable<string> mountinfo, string path)
    {
        MountEntry? best = null;
        foreach (Platform.MountEntry m in Platform.MountTable.Parse(mountinfo))
        {
            string mountPoint = m.MountPoint;
            bool inside = mountPoint == "/" || path == mountPoint || path.StartsWith(mountPoint + "/", StringComparison.Ordinal);
            if (inside && (best is null || mountPoint.Length >= best.MountPoint.Length))
            {
                best = new MountEntry(mountPoint, m.Device, m.FileSystemType, m.Source);
            }
        }
        return best;
    }

    private static (string Kind, string Device) ClassifyLinuxDevice(MountEntry mount)
    {
        if (mount.FileSystem is "tmpfs" or "ramfs")
        {
            return ("memory", mount.FileSystem);
        }
        if (mount.DeviceNumber.StartsWith("0:", StringComparison.Ordinal))
        {
            // No block device: overlay, network and shared-folder filesystems.
            string kind = mount.FileSystem is "virtiofs" or "9p" or "vboxsf" or "vmhgfs" or "fuse.vmhgfs-fuse" ? "virtual" : Unknown;
            return (kind, $"{mount.Source} ({mount.FileSystem}, no block device)");
        }
        string sysLink = $"/sys/dev/block/{mount.DeviceNumber}";
        string? target;
        try
        {
            target = new FileInfo(sysLink).ResolveLinkTarget(true)?.FullName;
        }
        catch (IOException)
        {
            target = null;
        }
        if (target is null)
        {
            return (Unknown, mount.Source);
        }
        return ClassifyBlockDevice(target, mount.Source, ReadFirstLine);
    }

    /// <summary>
    /// The kind of a block device from its sysfs path: loop and zram devices, and disks under
    /// virtio, Xen or Hyper-V buses, are virtual (or memory); otherwise queue/rotational says
    /// rotational or ssd. <paramref name="read"/> reads a sysfs file's first line (null if absent).
    /// </summary>
    internal static (string Kind, string Device) ClassifyBlockDevice(string sysfsPath, string source, Func<string, string?> read)
    {
        string name = Path.GetFileName(sysfsPath);
        if (name.StartsWith("loop", StringComparison.Ordinal))
        {
            string? backing = read(Path.Combine(sysfsPath, "loop", "backing_file"));
            return ("virtual", backing is null ? $"{source} (loop)" : $"{source} (loop, backed by {backing})");
        }
        if (name.StartsWith("zram", StringComparison.Ordinal) || name.StartsWith("ram", StringComparison.Ordinal)
            || name.StartsWith("pmem", StringComparison.Ordinal))
        {
            return ("memory", $"{source} ({name})");
        }
        string disk = read(Path.Combine(sysfsPath, "partition")) is not null
            ? Path.GetDirectoryName(sysfsPath) ?? sysfsPath
            : sysfsPath;
        foreach ((string marker, string label) in new[]
                 {
                     ("/virtio", "virtio"), ("/xen", "xen"), ("/vbd-", "xen"), ("/VMBUS", "hyper-v"), ("/vmbus", "hyper-v"),
                 })
        {
            if (disk.Contains(marker, StringComparison.Ordinal))
            {
                return ("virtual", $"{source} ({label})");
            }
        }
        return read(Path.Combine(disk, "queue", "rotational")) switch
        {
            "0" => ("ssd", $"{source} (rotational=0)"),
            "1" => ("rotational", $"{source} (rotational=1)"),
            _ => (Unknown, source),
        };
    }

    private static string? ReadFirstLine(string path)
    {
        try
        {
            return File.Exists(path) ? File.ReadLines(path).FirstOrDefault()?.Trim() : null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static IEnumerable<string> ReadLines(string path)
    {
        try
        {
            return File.Exists(path) ? File.ReadAllLines(path) : [];
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return [];
        }
    }

    private static string? RunForLine(string file, params string[] args)
    {
        try
        {
            var psi = new ProcessStartInfo(file) { RedirectStandardOutput = true, UseShellExecute = false };
            foreach (string a in args)
            {
                psi.ArgumentList.Add(a);
            }
            using Process? p = Process.Start(psi);
            if (p is null)
            {
                return null;
            }
            string text = p.StandardOutput.ReadToEnd();
            p.WaitForExit();
            return p.ExitCode == 0 ? text.Trim() : null;
        }
        catch (Exception ex) when (ex is System.ComponentModel.Win32Exception or InvalidOperationException)
        {
            return null;
        }
    }
}
