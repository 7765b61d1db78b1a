using Blit.Benchmarking;
using Blit.Gate;

namespace Blit.Tests.Gate;

/// <summary>Synthetic measurements: every figure is chosen by the test, so decision rules can be pinned exactly.</summary>
internal static class Synthetic
{
    public static readonly DateTimeOffset Now = new(2025, 11, 28, 12, 0, 0, TimeSpan.Zero);

    public static SystemInfo Machine(string name = "bench1", string fileSystem = "ext4", int cpus = 2,
        long memory = 24L << 30, string cpu = "AMD EPYC 7B13") => new()
    {
        Platform = "linux",
        OperatingSystem = "Ubuntu 24.04.1 LTS",
        Kernel = "6.8.0-49-generic",
        CpuModel = cpu,
        CpuCount = cpus,
        MemoryBytes = memory,
        MachineName = name,
        FileSystem = fileSystem,
        DeviceKind = "ssd",
        BlitVersion = "0.1.0",
    };

    /// <summary>A measurement of <paramref name="runs"/> runs whose median is <paramref name="median"/>, spread min..max.</summary>
    public static WorkloadMeasurement Run(string tool, double median, double? min = null, double? max = null,
        long memory = 100L << 20, double cpu = 1.0, Workload workload = Workload.SmallFiles, string size = "1000files",
        long bytes = 5L << 20, long files = 1000, DateTimeOffset? at = null, SystemInfo? system = null,
        int failed = 0, string? resultsPath = null, string? logPath = null, int runs = 5,
        IReadOnlyList<string>? options = null, string? command = null, BenchmarkMode mode = BenchmarkMode.Warm, string? runsOn = null)
    {
        // Warm Blit's figure is its in-process growth; every other measurement's is a whole-process peak.
        bool growth = tool == "blit" && mode == BenchmarkMode.Warm;
        double lo = min ?? median * 0.95, hi = max ?? median * 1.05;
        var samples = new List<RunSample>();
        for (int i = 0; i < runs; i++)
        {
            double wall = i == 0 ? lo : i == runs - 1 ? hi : median;
            samples.Add(new RunSample
            {
                Run = i + 1,
                WallSeconds = wall,
                CpuSeconds = cpu,
                PeakMemoryBytes = growth ? null : memory,
                MemoryGrowthBytes = growth ? memory : null,
                Verified = i >= failed,
                Failure = i < failed ? "destination has 999 files, source 1000" : null,
            });
        }
        bool isComparator = tool != "blit";
        return new WorkloadMeasurement
        {
            Workload = workload,
            SizeLabel = size,
            TotalBytes = bytes,
            FileCount = files,
            Tool = tool,
            Command = command ?? (isComparator ? $"{tool} -a --delete /tmp/bench/src/ /tmp/bench/{tool}/" : "Invoke-BlitMirror -Path /tmp/bench/src -Destination /tmp/bench/blit"),
            IsComparator = isComparator,
            WarmupRuns = 1,
            Samples = samples,
            MedianSeconds = median,
            MinSeconds = lo,
            MaxSeconds = hi,
            MedianCpuSeconds = cpu,
            PeakMemoryBytes = growth ? null : memory,
            MemoryGrowthBytes = growth ? memory : null,
            Mode = mode,
            MiBPerSecond = bytes / (double)(1 << 20) / median,
            FilesPerSecond = files / median,
            FailedRuns = failed,
            PlannerNotes = isComparator ? null : "2 workers",
            Timestamp = at ?? Now,
            System = system ?? Machine(),
            LogPath = logPath,
            ResultsPath = resultsPath,
            Options = options ?? [],
            RunsOn = runsOn,
        };
    }

    public static WorkloadMeasurement BlitRun(double median, long memory = 100L << 20, double cpu = 1.0, DateTimeOffset? at = null,
        SystemInfo? system = null, string? resultsPath = null, Workload workload = Workload.SmallFiles, string size = "1000files",
        int failed = 0, IReadOnlyList<string>? options = null, BenchmarkMode mode = BenchmarkMode.Warm, string? runsOn = null) =>
        Run("blit", median, memory: memory, cpu: cpu, at: at, system: system, resultsPath: resultsPath, workload: workload,
            size: size, failed: failed, options: options, mode: mode, runsOn: runsOn);

    public static WorkloadMeasurement RsyncRun(double median, DateTimeOffset? at = null, SystemInfo? system = null,
        string? resultsPath = null, Workload workload = Workload.SmallFiles, string size = "1000files", int failed = 0,
        BenchmarkMode mode = BenchmarkMode.Warm) =>
        Run("rsync", median, at: at, system: system, resultsPath: resultsPath, workload: workload, size: size, failed: failed,
            cpu: 2.0, memory: 20L << 20, mode: mode);

    /// <summary>Earlier logged Blit runs as a baseline store (each in its own results file).</summary>
    public static BaselineStore Store(params WorkloadMeasurement[] earlier) =>
        new(earlier.Select((m, i) => new LoggedMeasurement(m, $"/logs/linux/bench_{i}/results.json")), "/logs");
}
