using Blit.Benchmarking;

namespace Blit.Tests.Benchmarking;

public class SystemProbeTests
{
    private static readonly string[] Mountinfo =
    [
        "22 27 0:21 / /proc rw,relatime - proc proc rw",
        "27 1 254:0 / / rw,relatime shared:1 - ext4 /dev/vda rw,discard",
        "40 27 0:35 / /tmp rw,nosuid - tmpfs tmpfs rw,size=1g",
        "41 27 7:0 / /mnt/bench\\040x rw,relatime shared:9 master:2 - xfs /dev/loop0 rw,attr2",
    ];

    [Theory]
    [InlineData("/home/user/data", "/", "ext4", "/dev/vda", "254:0")]
    [InlineData("/tmp/x/y", "/tmp", "tmpfs", "tmpfs", "0:35")]
    [InlineData("/tmpfoo", "/", "ext4", "/dev/vda", "254:0")]
    [InlineData("/mnt/bench x/work", "/mnt/bench x", "xfs", "/dev/loop0", "7:0")]
    public void The_mount_of_a_path_is_the_longest_matching_mount_point(string path, string mountPoint, string fs, string source,
        string device)
    {
        SystemProbe.MountEntry? m = SystemProbe.FindMount(Mountinfo, path);
        Assert.NotNull(m);
        Assert.Equal((mountPoint, fs, source, device), (m.MountPoint, m.FileSystem, m.Source, m.DeviceNumber));
    }

    private static Func<string, string?> Sysfs(Dictionary<string, string> files) => p => files.GetValueOrDefault(p);

    [Fact]
    public void A_loop_device_is_virtual_and_names_its_backing_file()
    {
        (string kind, string device) = SystemProbe.ClassifyBlockDevice("/sys/devices/virtual/block/loop0", "/dev/loop0",
            Sysfs(new() { ["/sys/devices/virtual/block/loop0/loop/backing_file"] = "/img/bench.img" }));
        Assert.Equal("virtual", kind);
        Assert.Contains("/img/bench.img", device);
    }

    [Fact]
    public void A_virtio_disk_is_virtual_even_when_it_claims_to_rotate()
    {
        const string vda = "/sys/devices/pci0000:00/0000:00:02.0/virtio1/block/vda";
        (string kind, _) = SystemProbe.ClassifyBlockDevice(vda, "/dev/vda", Sysfs(new() { [vda + "/queue/rotational"] = "1" }));
        Assert.Equal("virtual", kind);
    }

    [Fact]
    public void A_partition_takes_the_kind_of_its_disk()
    {
        const string disk = "/sys/devices/pci0000:00/0000:00:1d.0/nvme/nvme0/nvme0n1";
        var files = new Dictionary<string, string> { [disk + "/nvme0n1p2/partition"] = "2", [disk + "/queue/rotational"] = "0" };
        Assert.Equal("ssd", SystemProbe.ClassifyBlockDevice(disk + "/nvme0n1p2", "/dev/nvme0n1p2", Sysfs(files)).Kind);
        files[disk + "/queue/rotational"] = "1";
        Assert.Equal("rotational", SystemProbe.ClassifyBlockDevice(disk + "/nvme0n1p2", "/dev/nvme0n1p2", Sysfs(files)).Kind);
    }

    [Fact]
    public void Zram_is_memory_and_an_unreadable_disk_is_unknown()
    {
        Assert.Equal("memory", SystemProbe.ClassifyBlockDevice("/sys/devices/virtual/block/zram0", "/dev/zram0", Sysfs([])).Kind);
        Assert.Equal("unknown", SystemProbe.ClassifyBlockDevice("/sys/devices/pci0/ata1/sda", "/dev/sda", Sysfs([])).Kind);
    }

    [Fact]
    public void Cpu_model_comes_from_cpuinfo()
    {
        Assert.Equal("Intel(R) Xeon(R) Gold 6230", SystemProbe.ParseCpuModel(
            ["processor\t: 0", "vendor_id\t: GenuineIntel", "model name\t: Intel(R) Xeon(R) Gold 6230", "model name\t: other"]));
        Assert.Equal("Raspberry Pi 4 Model B", SystemProbe.ParseCpuModel(["processor : 0", "Model : Raspberry Pi 4 Model B"]));
        Assert.Null(SystemProbe.ParseCpuModel(["processor : 0"]));
    }

    [Fact]
    public void Probing_this_machine_fills_every_note()
    {
        SystemInfo info = SystemProbe.Probe(Path.GetTempPath(), out StorageInfo storage);
        Assert.Equal(OperatingSystem.IsLinux() ? "linux" : info.Platform, info.Platform);
        Assert.Equal(Environment.ProcessorCount, info.CpuCount);
        Assert.True(info.MemoryBytes > 0);
        Assert.False(string.IsNullOrWhiteSpace(info.OperatingSystem));
        Assert.False(string.IsNullOrWhiteSpace(info.Kernel));
        Assert.False(string.IsNullOrWhiteSpace(info.CpuModel));
        Assert.NotEqual("unknown", info.FileSystem);
        Assert.Contains(info.DeviceKind, new[] { "ssd", "rotational", "virtual", "memory", "unknown" });
        Assert.Equal(storage.FileSystem, info.FileSystem);
        Assert.StartsWith("0.", info.BlitVersion);
    }

    [Fact]
    public void The_log_folder_follows_the_OS()
    {
        Assert.Equal("linux", SystemProbe.PlatformName); // these tests run on Linux
        Assert.Equal("windows", SystemProbe.PlatformFolder(windows: true, macOS: false, linux: false, "Microsoft Windows 10.0.22631"));
        Assert.Equal("macos", SystemProbe.PlatformFolder(windows: false, macOS: true, linux: false, "Darwin 23.5.0 Darwin Kernel Version 23.5.0"));
        Assert.Equal("linux", SystemProbe.PlatformFolder(windows: false, macOS: false, linux: true, "Linux 6.8.0"));
        Assert.Equal("freebsd", SystemProbe.PlatformFolder(windows: false, macOS: false, linux: false, "FreeBSD 14.1-RELEASE"));
    }

    // The macOS samples below are hand-written, not captured (no macOS here), in the shape sw_vers, sysctl, df -P,
    // mount and diskutil info print them.
    [Fact]
    public void The_macOS_name_and_memory_come_from_sw_vers_and_sysctl()
    {
        Assert.Equal("macOS 14.5 (23F79)", SystemProbe.ParseSwVers("ProductName:\t\tmacOS\nProductVersion:\t\t14.5\nBuildVersion:\t\t23F79\n"));
        Assert.Null(SystemProbe.ParseSwVers(string.Empty));
        Assert.Equal(17179869184L, SystemProbe.ParseNumber("17179869184\n"));
        Assert.Null(SystemProbe.ParseNumber("sysctl: unknown oid 'hw.memsize'"));
        Assert.Null(SystemProbe.ParseNumber(null));
    }

    [Fact]
    public void The_macOS_storage_is_read_from_df_mount_and_diskutil()
    {
        const string df = """
            Filesystem    512-blocks      Used Available Capacity  Mounted on
            /dev/disk3s5   971350180 601874144 337212792    65%    /System/Volumes/Data
            """;
        Assert.Equal(("/dev/disk3s5", "/System/Volumes/Data"), SystemProbe.ParseDf(df));
        Assert.Equal(("/dev/disk4s1", "/Volumes/Bench Disk"), SystemProbe.ParseDf(
            "Filesystem 512-blocks Used Available Capacity Mounted on\n/dev/disk4s1 1953456 120 1953336 1% /Volumes/Bench Disk\n"));
        Assert.Equal(("//bench@nas/share", "/Volumes/share"), SystemProbe.ParseDf(
            "Filesystem 512-blocks Used Available Capacity Mounted on\n//bench@nas/share 1000 10 990 2% /Volumes/share\n"));
        Assert.Null(SystemProbe.ParseDf("df: /nope: No such file or directory"));

        const string mount = """
            /dev/disk3s1s1 on / (apfs, sealed, local, read-only, journaled)
            devfs on /dev (devfs, local, nobrowse)
            /dev/disk3s5 on /System/Volumes/Data (apfs, local, journaled, nobrowse, protect, root data)
            /dev/disk4s1 on /Volumes/Bench Disk (exfat, local, nodev, nosuid, noowners)
            //bench@nas/share on /Volumes/share (smbfs, nodev, nosuid, mounted by bench)
            """;
        Assert.Equal(("apfs", true), SystemProbe.ParseMacMount(mount, "/System/Volumes/Data"));
        Assert.Equal(("apfs", true), SystemProbe.ParseMacMount(mount, "/"));
        Assert.Equal(("exfat", true), SystemProbe.ParseMacMount(mount, "/Volumes/Bench Disk"));
        Assert.Equal(("smbfs", false), SystemProbe.ParseMacMount(mount, "/Volumes/share"));
        Assert.Null(SystemProbe.ParseMacMount(mount, "/Volumes"));

        Assert.Equal("ssd", SystemProbe.ParseSolidState("   Device Identifier:         disk3s5\n   Solid State:               Yes\n"));
        Assert.Equal("rotational", SystemProbe.ParseSolidState("   Solid State:               No\n"));
        Assert.Null(SystemProbe.ParseSolidState("   Device Identifier:         disk4s1\n"));
    }

    [Theory]
    [InlineData(DriveType.Ram, "memory")]
    [InlineData(DriveType.Network, "network")]
    [InlineData(DriveType.Removable, "removable")]
    [InlineData(DriveType.Fixed, SystemProbe.Unknown)]
    public void A_Windows_drive_type_gives_the_kind_it_can_tell(DriveType type, string kind) =>
        Assert.Equal(kind, SystemProbe.DriveKind(type));
}
