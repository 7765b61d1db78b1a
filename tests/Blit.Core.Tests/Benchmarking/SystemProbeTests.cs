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
}
