using Blit.Benchmarking;
using Blit.Errors;
using Blit.Tests.Support;

namespace Blit.Tests.Benchmarking;

public sealed class BenchmarkLogTests : IDisposable
{
    private readonly TempTree _temp = new();

    public void Dispose() => _temp.Dispose();

    private static readonly DateTimeOffset Started = new(2025, 6, 1, 10, 15, 0, TimeSpan.Zero);

    [Fact]
    public void The_directory_name_carries_the_workload_and_a_UTC_timestamp()
    {
        Assert.Equal("bench_smallfiles_20250601T101500Z", BenchmarkLog.DirectoryName(Workload.SmallFiles, Started));
        Assert.Equal("bench_noop_20250601T101500Z", BenchmarkLog.DirectoryName(Workload.NoOp, Started.ToOffset(TimeSpan.FromHours(2))));
    }

    [Fact]
    public void Logs_go_under_the_platform_folder_and_never_overwrite_each_other()
    {
        using BenchmarkLog a = BenchmarkLog.Create(_temp.Root, "linux", Workload.Mixed, Started);
        using BenchmarkLog b = BenchmarkLog.Create(_temp.Root, "linux", Workload.Mixed, Started);
        Assert.Equal(_temp.Combine("linux", "bench_mixed_20250601T101500Z", "bench.log"), a.LogPath);
        Assert.Equal(_temp.Combine("linux", "bench_mixed_20250601T101500Z-2", "bench.log"), b.LogPath);
        Assert.Equal(_temp.Combine("linux", "bench_mixed_20250601T101500Z", "results.json"), a.ResultsPath);
    }

    [Fact]
    public void Lines_are_written_at_once_and_echoed()
    {
        var echoed = new List<string>();
        using BenchmarkLog log = BenchmarkLog.Create(_temp.Root, "linux", Workload.NoOp, Started, echoed.Add);
        log.Line("first");
        log.Line($"second {1.5}");
        using var reader = new StreamReader(new FileStream(log.LogPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite));
        Assert.Equal("first\nsecond 1.5\n", reader.ReadToEnd());
        Assert.Equal(["first", "second 1.5"], echoed);
    }

    [Fact]
    public void An_unwritable_log_path_is_LogPathUnusable()
    {
        string file = _temp.Combine("afile");
        File.WriteAllText(file, "x");
        BlitException ex = Assert.Throws<BlitException>(() => BenchmarkLog.EnsureWritable(file, "linux"));
        Assert.Equal(BlitErrorCode.LogPathUnusable, ex.Code);
    }

    [Fact]
    public void Results_round_trip_through_results_json()
    {
        var system = SystemProbe.Probe(_temp.Root, out _);
        var m = Statistics.Summarize(new MeasurementContext
        {
            Workload = Workload.LargeFile, SizeLabel = "8MiB", TotalBytes = 8 << 20, FileCount = 1, Tool = "blit", Command = "c",
            IsComparator = false, WarmupRuns = 1, Timestamp = Started, System = system, PlannerNotes = "workers=1",
            Options = ["Flush"],
        }, [new RunSample { Run = 1, WallSeconds = 0.5, CpuSeconds = 0.25, PeakMemoryBytes = 1234, Verified = true }]);
        using BenchmarkLog log = BenchmarkLog.Create(_temp.Root, "linux", Workload.LargeFile, Started);
        log.SaveResults(Started, system, [m]);
        ResultsFile back = ResultsFile.Load(log.ResultsPath);
        WorkloadMeasurement r = Assert.Single(back.Measurements);
        Assert.Equal((Workload.LargeFile, "8MiB", 0.5, 16.0, "workers=1", 1234L), (r.Workload, r.SizeLabel, r.MedianSeconds, r.MiBPerSecond, r.PlannerNotes, r.PeakMemoryBytes));
        Assert.Equal(["Flush"], r.Options);
        Assert.True(r.Verified);
        Assert.Equal(system.CpuModel, back.System.CpuModel);
    }
}

public sealed class PerEntryMemoryTests
{
    [Fact]
    public void States_each_whole_process_peak_per_entry_of_the_tree()
    {
        WorkloadMeasurement blit = Blit.Tests.Gate.Synthetic.BlitRun(3.0, memory: 400_000_000, mode: BenchmarkMode.Cold);
        WorkloadMeasurement rsync = Blit.Tests.Gate.Synthetic.RsyncRun(6.0, mode: BenchmarkMode.Cold);
        blit = With(blit, 1_000_000);
        rsync = With(rsync, 1_000_000);

        Assert.Equal(400.0, blit.PeakBytesPerEntry);
        Assert.Equal("  memory per entry: blit 400 B, rsync 21 B (whole-process peak, start-up memory included, / 1,000,000 entries)",
            BenchmarkLog.PerEntryLine([blit, rsync]));
    }

    [Fact]
    public void Says_nothing_for_warm_blit_or_without_an_entry_count()
    {
        WorkloadMeasurement warm = With(Blit.Tests.Gate.Synthetic.BlitRun(1.0), 1000);
        Assert.Null(warm.PeakBytesPerEntry); // an in-process growth is not a process peak
        Assert.Null(BenchmarkLog.PerEntryLine([warm, Blit.Tests.Gate.Synthetic.RsyncRun(2.0)])); // no entry count: written before it was recorded
    }

    private static WorkloadMeasurement With(WorkloadMeasurement m, long entries) => new()
    {
        Workload = m.Workload, SizeLabel = m.SizeLabel, TotalBytes = m.TotalBytes, FileCount = m.FileCount, EntryCount = entries,
        Tool = m.Tool, Command = m.Command, IsComparator = m.IsComparator, Mode = m.Mode, WarmupRuns = m.WarmupRuns, Samples = m.Samples,
        MedianSeconds = m.MedianSeconds, MinSeconds = m.MinSeconds, MaxSeconds = m.MaxSeconds, MedianCpuSeconds = m.MedianCpuSeconds,
        PeakMemoryBytes = m.PeakMemoryBytes, MemoryGrowthBytes = m.MemoryGrowthBytes, MiBPerSecond = m.MiBPerSecond,
        FilesPerSecond = m.FilesPerSecond, FailedRuns = m.FailedRuns, Timestamp = m.Timestamp, System = m.System,
    };
}
