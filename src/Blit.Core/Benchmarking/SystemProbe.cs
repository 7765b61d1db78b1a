using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Runtime.Versioning;

namespace Blit.Benchmarking;

/// <summary>Where the benchmark root lives: its filesystem and the kind of device under it.</summary>
/// <param name="FileSystem">ext4, xfs, tmpfs, NTFS, ...</param>
/// <param name="DeviceKind">ssd, rotational, virtual, memory or unknown.</param>
/// <param name="Device">What the kind was read from, e.g. "/dev/vda (virtio)" or "loop0 backed by /img/x.img".</param>
/// <param name="MountPoint">The mount point holding the root.</param>
public sealed record StorageInfo(string FileSystem, string DeviceKind, string Device, string MountPoint);

/// <summary>
/// System notes for a measurement: OS and kernel, CPU, RAM, and the filesystem and device kind
/// of the benchmark root. Linux: /etc/os-release, /proc/cpuinfo, /proc/meminfo, /proc/self/mountinfo and
/// /sys/dev/block. macOS: sw_vers, sysctl (machdep.cpu.brand_string, hw.memsize), df, mount and diskutil info.
/// Windows: the registry's ProcessorNameString, the GC's view of physical memory, and DriveInfo of the root's drive.
/// The parsing is in pure functions over the tools' text (tested on Linux with sample texts; this code has not been
/// run on macOS or Windows). Reads only; every figure degrades to "unknown" rather than failing the benchmark.
/// </summary>
public static class SystemProbe
{
    /// <summary>What a figure that cannot be read is reported as.</summary>
    public const string Unknown = "unknown";

    /// <summary>linux, macos or windows: the folder under logs/.</summary>
    public static string PlatformName =>
        PlatformFolder(OperatingSystem.IsWindows(), OperatingSystem.IsMacOS(), OperatingSystem.IsLinux(), RuntimeInformation.OSDescription);

    /// <summary>The folder under logs/ for an OS: windows, macos, linux, else the first word of its description in lower case.</summary>
    internal static string PlatformFolder(bool windows, bool macOS, bool linux, string osDescription) =>
        windows ? "windows" : macOS ? "macos" : linux ? "linux"
        : osDescription.Split(' ', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault()?.ToLowerInvariant() ?? Unknown;

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

    /// <summary>The operating system's name and version (Linux: PRETTY_NAME of /etc/os-release; macOS: sw_vers).</summary>
    public static string OperatingSystemName()
    {
        if (OperatingSystem.IsMacOS() && ParseSwVers(RunForText("/usr/bin/sw_vers")) is { } mac)
        {
            return mac;
        }
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
            string? brand = RunForText("/usr/sbin/sysctl", "-n", "machdep.cpu.brand_string");
            if (!string.IsNullOrWhiteSpace(brand))
            {
                return brand;
            }
        }
        else if (OperatingSystem.IsWindows())
        {
            string? name = WindowsProcessorName() ?? Environment.GetEnvironmentVariable("PROCESSOR_IDENTIFIER");
            if (!string.IsNullOrWhiteSpace(name))
            {
                return name.Trim();
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

    /// <summary>The CPU's marketing name from the registry (HKLM\HARDWARE\DESCRIPTION\System\CentralProcessor\0).</summary>
    [SupportedOSPlatform("windows")]
    private static string? WindowsProcessorName()
    {
        try
        {
            using Microsoft.Win32.RegistryKey? key =
                Microsoft.Win32.Registry.LocalMachine.OpenSubKey(@"HARDWARE\DESCRIPTION\System\CentralProcessor\0");
            return key?.GetValue("ProcessorNameString") as string;
        }
        catch (Exception ex) when (ex is System.Security.SecurityException or UnauthorizedAccessException or IOException)
        {
            return null;
        }
    }

    /// <summary>Physical memory, in bytes (Linux: MemTotal; macOS: sysctl hw.memsize; Windows: what the GC sees as physical memory).</summary>
    public static long MemoryBytes()
    {
        if (OperatingSystem.IsMacOS() && ParseNumber(RunForText("/usr/sbin/sysctl", "-n", "hw.memsize")) is long memsize and > 0)
        {
            return memsize;
        }
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
        string full = Path.GetFullPath(root);
        if (OperatingSystem.IsLinux())
        {
            string real = Platform.FileSystemFactory.Create().CanonicalPath(full) ?? full;
            MountEntry? mount = FindMount(ReadLines("/proc/self/mountinfo"), real);
            if (mount is not null)
            {
                (string kind, string device) = ClassifyLinuxDevice(mount);
                return new StorageInfo(mount.FileSystem, kind, device, mount.MountPoint);
            }
        }
        else if (OperatingSystem.IsMacOS() && DescribeMacStorage(full) is { } mac)
        {
            return mac;
        }
        string driveRoot = Path.GetPathRoot(full) ?? full;
        if (OperatingSystem.IsWindows() && driveRoot.StartsWith(@"\\", StringComparison.Ordinal))
        {
            return new StorageInfo(Unknown, "network", driveRoot, driveRoot); // a UNC share: DriveInfo takes drive letters only
        }
        try
        {
            var drive = new DriveInfo(driveRoot);
            return new StorageInfo(drive.DriveFormat, DriveKind(drive.DriveType), $"{drive.Name} ({drive.DriveType} drive)",
                drive.RootDirectory.FullName);
        }
        catch (Exception ex) when (ex is IOException or ArgumentException or UnauthorizedAccessException)
        {
            return new StorageInfo(Unknown, Unknown, Unknown, Unknown);
        }
    }

    /// <summary>The device kind DriveInfo can tell (Windows): a RAM disk is memory, a mapped share network; a fixed disk does not say ssd or rotational.</summary>
    internal static string DriveKind(DriveType type) => type switch
    {
        DriveType.Ram => "memory",
        DriveType.Network => "network",
        DriveType.Removable => "removable",
        _ => Unknown,
    };

    /// <summary>
    /// macOS: the mount holding <paramref name="path"/> from <c>df -P</c>, its type from <c>mount</c>, and for a local
    /// disk ssd or rotational from <c>diskutil info</c>; null when df cannot tell.
    /// </summary>
    private static StorageInfo? DescribeMacStorage(string path)
    {
        if (ParseDf(RunForText("/bin/df", "-P", path)) is not { } df)
        {
            return null;
        }
        (string fileSystem, bool local) = ParseMacMount(RunForText("/sbin/mount"), df.MountPoint) ?? (Unknown, true);
        string kind = !local ? "network"
            : df.Device.StartsWith("/dev/", StringComparison.Ordinal)
                ? ParseSolidState(RunForText("/usr/sbin/diskutil", "info", df.Device)) ?? Unknown
                : Unknown;
        return new StorageInfo(fileSystem, kind, df.Device, df.MountPoint);
    }

    /// <summary>"macOS 14.5 (23F79)" from <c>sw_vers</c> ("ProductName:\tmacOS", "ProductVersion:\t14.5", "BuildVersion:\t23F79").</summary>
    internal static string? ParseSwVers(string? text)
    {
        Dictionary<string, string> fields = KeyValues(text);
        if (!fields.TryGetValue("ProductName", out string? name))
        {
            return null;
        }
        string version = fields.TryGetValue("ProductVersion", out string? v) ? " " + v : string.Empty;
        string build = fields.TryGetValue("BuildVersion", out string? b) ? $" ({b})" : string.Empty;
        return name + version + build;
    }

    /// <summary>A whole number printed alone (<c>sysctl -n hw.memsize</c>); null otherwise.</summary>
    internal static long? ParseNumber(string? text) =>
        long.TryParse(text?.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out long n) ? n : null;

    /// <summary>
    /// The device and mount point in <c>df -P PATH</c>'s output: the second line is "device blocks used available
    /// capacity% mount point", the mount point everything after the capacity (it may hold spaces).
    /// </summary>
    internal static (string Device, string MountPoint)? ParseDf(string? text)
    {
        string[] lines = (text ?? string.Empty).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        if (lines.Length < 2)
        {
            return null;
        }
        string[] fields = lines[1].Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries);
        int capacity = Array.FindIndex(fields, f => f.EndsWith('%'));
        return capacity < 4 || capacity == fields.Length - 1
            ? null
            : (string.Join(' ', fields[..(capacity - 3)]), string.Join(' ', fields[(capacity + 1)..]));
    }

    /// <summary>
    /// The type of the mount at <paramref name="mountPoint"/> in macOS <c>mount</c> output ("/dev/disk3s5 on
    /// /System/Volumes/Data (apfs, local, journaled, nobrowse)"), and whether it is local (a network mount lacks "local").
    /// </summary>
    internal static (string FileSystem, bool Local)? ParseMacMount(string? text, string mountPoint)
    {
        string marker = $" on {mountPoint} (";
        foreach (string line in (text ?? string.Empty).Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            int at = line.IndexOf(marker, StringComparison.Ordinal);
            if (at < 0 || !line.TrimEnd().EndsWith(')'))
            {
                continue;
            }
            string[] options = line[(at + marker.Length)..].TrimEnd().TrimEnd(')').Split(',', StringSplitOptions.TrimEntries);
            return (options[0], options.Contains("local", StringComparer.Ordinal));
        }
        return null;
    }

    /// <summary>ssd or rotational from <c>diskutil info</c>'s "Solid State: Yes/No" line; null when it has none.</summary>
    internal static string? ParseSolidState(string? text) =>
        KeyValues(text).GetValueOrDefault("Solid State") switch
        {
            "Yes" => "ssd",
            "No" => "rotational",
            _ => null,
        };

    /// <summary>"Key: value" lines (the first colon splits; both sides trimmed).</summary>
    private static Dictionary<string, string> KeyValues(string? text)
    {
        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (string line in (text ?? string.Empty).Split('\n'))
        {
            int colon = line.IndexOf(':');
            if (colon > 0)
            {
                fields.TryAdd(line[..colon].Trim(), line[(colon + 1)..].Trim());
            }
        }
        return fields;
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

    /// <summary>The standard output of <paramref name="file"/>, trimmed, when it exits 0; null when it fails or cannot start.</summary>
    private static string? RunForText(string file, params string[] args)
    {
        try
        {
            ChildProcessResult result = ChildProcess.Run(file, args);
            return result.ExitCode == 0 ? result.Output.Trim() : null;
        }
        catch (Exception ex) when (ex is System.ComponentModel.Win32Exception or InvalidOperationException)
        {
            return null;
        }
    }
}
