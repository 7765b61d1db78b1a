using Blit.Benchmarking;
using Blit.Errors;
using Blit.Tests.Support;

namespace Blit.Tests.Benchmarking;

public sealed class BenchmarkRunnerTests : IDisposable
{
    private readonly TempTree _temp = new();
    private readonly string _root;
    private readonly string _logs;

    public BenchmarkRunnerTests()
    {
        _root = _temp.Combine("root");
        _logs = _temp.Combine("logs");
        Directory.CreateDirectory(_root);
    }

    public void Dispose() => _temp.Dispose();

    private sealed class Recorder : IBenchmarkListener
    {
        public List<RunRecord> Runs { get; } = [];
        public List<string> Warnings { get; } = [];
        public List<string> Lines { get; } = [];
        public List<WorkloadMeasurement> Measurements { get; } = [];
        public List<BenchmarkStatus> Statuses { get; } = [];
        public Action<RunRecord>? AfterRun { get; init; }

        public void OnStatus(BenchmarkStatus status) => Statuses.Add(status);
        public void OnLog(string line) => Lines.Add(line);
        public void OnWarning(string message) => Warnings.Add(message);
        public void OnMeasurement(WorkloadMeasurement measurement) => Measurements.Add(measurement);

        public void OnRun(RunRecord run)
        {
            Runs.Add(run);
            AfterRun?.Invoke(run);
        }
    }

    private static WorkloadSpec Small(Workload w = Workload.SmallFiles) => new()
    {
        Workload = w, FileCount = 60, MinFileBytes = 100, MaxFileBytes = 2000, FilesPerDirectory = 25,
    };

    private static WorkloadSpec Incremental() => Small(Workload.Incremental) with { TouchCount = 5, DeleteCount = 3, AddCount = 4 };

    private BenchmarkOptions Options(params WorkloadSpec[] specs) => new()
    {
        Specs = specs, Root = _root, LogRoot = _logs, Runs = 3, Warmup = 1, Comparator = ComparatorKind.None,
    };

    private string ScriptDir(string name, string body) => _temp.WriteScript(name, body);

    [Fact]
    public void Blit_alone_gives_one_verified_measurement_with_logs_and_no_workspace_left()
    {
        var rec = new Recorder();
        var runner = new BenchmarkRunner(Options(Small()), rec);
        WorkloadMeasurement m = Assert.Single(runner.Run());
        Assert.Equal(("blit", false, 3, 1, 60L), (m.Tool, m.IsComparator, m.Samples.Count, m.WarmupRuns, m.FileCount));
        Assert.True(m.Verified, string.Join("; ", m.Samples.Select(s => s.Failure)));
        Assert.Equal([1, 2, 3], m.Samples.Select(s => s.Run));
        Assert.All(m.Samples, s => Assert.True(s.WallSeconds > 0 && s.CpuSeconds >= 0 && s.PeakMemoryBytes >= 0));
        Assert.Contains("workers=", m.PlannerNotes);
        Assert.True(File.Exists(m.LogPath));
        Assert.True(File.Exists(m.ResultsPath));
        Assert.Equal(Path.GetDirectoryName(m.LogPath), Path.GetDirectoryName(m.ResultsPath));
        Assert.StartsWith(Path.Combine(_logs, "linux", "bench_smallfiles_"), m.LogPath);
        Assert.Equal(m.MedianSeconds, Assert.Single(ResultsFile.Load(m.ResultsPath!).Measurements).MedianSeconds);
        Assert.Empty(Directory.GetFileSystemEntries(_root));
        Assert.Equal(4, rec.Runs.Count);
        Assert.True(rec.Runs[0].IsWarmup);
        Assert.Empty(rec.Warnings);
        string log = File.ReadAllText(m.LogPath!);
        Assert.Contains("Comparator: none (-Comparator None)", log);
        Assert.Contains("Blit history/telemetry: none", log);
        Assert.Contains("Settle: sync(2) before and after each destination is prepared, outside the timed window", log);
        Assert.Contains("Summary SmallFiles 60files", log);
        Assert.Contains("Filesystem: ", log);
    }

    [Fact]
    public void Tools_alternate_order_each_round_and_rsync_verifies()
    {
        var rec = new Recorder();
        BenchmarkOptions options = Options(Small()) with { Comparator = ComparatorKind.Rsync };
        IReadOnlyList<WorkloadMeasurement> result = new BenchmarkRunner(options, rec).Run();
        Assert.Equal(["blit", "rsync"], result.Select(m => m.Tool));
        Assert.All(result, m => Assert.True(m.Verified, string.Join("; ", m.Samples.Select(s => s.Failure))));
        Assert.Equal(["blit", "rsync", "rsync", "blit", "blit", "rsync", "rsync", "blit"], rec.Runs.Select(r => r.Tool));
        Assert.Equal("rsync -a --delete", string.Join(' ', result[1].Command.Split(' ').Take(3)));
        Assert.True(result[1].IsComparator);
        Assert.Null(result[1].PlannerNotes);
    }

    [Fact]
    public void Every_incremental_run_is_a_real_update_pass()
    {
        var rec = new Recorder();
        IReadOnlyList<WorkloadMeasurement> result =
            new BenchmarkRunner(Options(Incremental()) with { Comparator = ComparatorKind.Rsync }, rec).Run();
        Assert.All(result, m => Assert.True(m.Verified, string.Join("; ", m.Samples.Select(s => s.Failure))));
        var blitRuns = rec.Runs.Where(r => r.Tool == "blit").ToList();
        Assert.Equal(4, blitRuns.Count);
        Assert.All(blitRuns, r =>
        {
            Assert.Equal(4, r.BlitResult!.FilesCopied);
            Assert.Equal(5, r.BlitResult.FilesUpdated);
            Assert.Equal(3, r.BlitResult.FilesDeleted);
        });
        Assert.Equal(60 - 3 + 4, result[0].FileCount);
    }

    [Fact]
    public void NoOp_runs_copy_nothing()
    {
        var rec = new Recorder();
        WorkloadMeasurement m = Assert.Single(new BenchmarkRunner(Options(Small(Workload.NoOp)), rec).Run());
        Assert.True(m.Verified);
        Assert.All(rec.Runs, r => Assert.Equal((0L, 0L, 0L), (r.BlitResult!.FilesCopied, r.BlitResult.FilesUpdated, r.BlitResult.FilesDeleted)));
    }

    [Fact]
    public void A_comparator_that_copies_wrongly_is_reported_as_failed_runs()
    {
        BenchmarkOptions options = Options(Small()) with
        {
            Comparator = ComparatorKind.Rsync,
            ComparatorArguments = ["-a", "--delete", "--exclude=f0000007.bin"],
        };
        IReadOnlyList<WorkloadMeasurement> result = new BenchmarkRunner(options).Run();
        WorkloadMeasurement rsync = result.Single(m => m.Tool == "rsync");
        Assert.False(rsync.Verified);
        Assert.Equal(3, rsync.FailedRuns);
        Assert.All(rsync.Samples, s => Assert.Contains("missing from the destination (d00000/f0000007.bin)", s.Failure));
        Assert.True(result.Single(m => m.Tool == "blit").Verified);
        Assert.Contains("FAILED: verification failed", File.ReadAllText(rsync.LogPath!));
    }

    [Fact]
    public void Robocopy_exit_code_8_is_a_failed_run_and_below_8_a_success()
    {
        string bin = ScriptDir("robocopy",
            $"echo \"$@\" >> '{_temp.Combine("args.txt")}'; /usr/bin/rsync -a --delete \"$1/\" \"$2/\"; exit $(cat '{_temp.Combine("code")}')");
        File.WriteAllText(_temp.Combine("code"), "1");
        BenchmarkOptions options = Options(Small()) with { Comparator = ComparatorKind.Robocopy, PathVariable = bin, Runs = 1 };
        WorkloadMeasurement ok = new BenchmarkRunner(options).Run().Single(m => m.Tool == "robocopy");
        Assert.True(ok.Verified, ok.Samples[0].Failure);
        File.WriteAllText(_temp.Combine("code"), "8");
        WorkloadMeasurement bad = new BenchmarkRunner(options).Run().Single(m => m.Tool == "robocopy");
        Assert.False(bad.Verified);
        Assert.Contains("robocopy exit code 8", bad.Samples[0].Failure);
        Assert.Contains("/MIR /COPY:DAT", File.ReadAllLines(_temp.Combine("args.txt"))[0]);
    }

    [Fact]
    public void Cp_is_a_comparator_for_the_full_copy_workloads()
    {
        BenchmarkOptions options = Options(Small(), new WorkloadSpec { Workload = Workload.LargeFile, LargeFileBytes = 3 << 20 })
            with { Comparator = ComparatorKind.Cp, Runs = 2 };
        IReadOnlyList<WorkloadMeasurement> all = new BenchmarkRunner(options).Run();

        Assert.Equal(4, all.Count);
        foreach (WorkloadMeasurement cp in all.Where(m => m.IsComparator))
        {
            Assert.Equal("cp", cp.Tool);
            Assert.True(cp.Verified, string.Join("; ", cp.Samples.Select(s => s.Failure)));
            Assert.StartsWith("cp -a ", cp.Command);
            Assert.Contains("/source/. ", cp.Command);
        }
    }

    [Fact]
    public void Cp_is_refused_where_a_mirror_is_needed_before_anything_is_created()
    {
        BenchmarkOptions options = Options(Small(), Incremental()) with { Comparator = ComparatorKind.Cp };
        var ex = Assert.Throws<BlitException>(() => new BenchmarkRunner(options).Run());
        Assert.Equal(BlitErrorCode.InvalidArgument, ex.Code);
        Assert.Contains("Incremental", ex.Message);
        Assert.Empty(Directory.GetFileSystemEntries(_root));
    }

    [Fact]
    public void Cold_cache_and_flush_are_done_and_recorded()
    {
        string dropFile = _temp.Combine("drop_caches");
        File.WriteAllText(dropFile, "");
        BenchmarkOptions options = Options(Small()) with { DropCaches = true, Flush = true, DropCachesPath = dropFile, Runs = 1 };
        WorkloadMeasurement m = Assert.Single(new BenchmarkRunner(options).Run());
        Assert.Equal(["DropCaches", "Flush"], m.Options);
        Assert.Equal("3", File.ReadAllText(dropFile));
        string log = File.ReadAllText(m.LogPath!);
        Assert.Contains($"Cold cache (-DropCaches): on: sync, then \"3\" written to {dropFile}", log);
        Assert.Contains("Flush (-Flush): on: sync(2)", log);
    }

    [Fact]
    public void Cold_cache_that_is_not_permitted_warns_and_is_recorded()
    {
        var rec = new Recorder();
        BenchmarkOptions options = Options(Small()) with { DropCaches = true, DropCachesPath = _temp.Combine("no", "such"), Runs = 1 };
        WorkloadMeasurement m = Assert.Single(new BenchmarkRunner(options, rec).Run());
        Assert.Equal(["DropCachesUnavailable"], m.Options);
        Assert.Contains(rec.Warnings, w => w.Contains("cannot drop the page cache", StringComparison.Ordinal));
        Assert.Contains("requested but not permitted", File.ReadAllText(m.LogPath!));
    }

    [Fact]
    public void KeepWorkspace_keeps_the_trees()
    {
        var runner = new BenchmarkRunner(Options(Small()) with { KeepWorkspace = true, Runs = 1 });
        runner.Run();
        Assert.True(Directory.Exists(Path.Combine(runner.Workspace!, "smallfiles-60files", "source")));
        Assert.True(Directory.Exists(Path.Combine(runner.Workspace!, "smallfiles-60files", "blit")));
    }

    [Fact]
    public void Cancelling_stops_and_removes_the_workspace()
    {
        using var cts = new CancellationTokenSource();
        var rec = new Recorder { AfterRun = _ => cts.Cancel() };
        var runner = new BenchmarkRunner(Options(Small()) with { Comparator = ComparatorKind.Rsync }, rec);
        Assert.ThrowsAny<OperationCanceledException>(() => runner.Run(cts.Token));
        Assert.Single(rec.Runs);
        Assert.False(Directory.Exists(runner.Workspace));
        string log = Directory.GetFiles(_logs, "bench.log", SearchOption.AllDirectories).Single();
        Assert.Contains("Stopped (cancelled)", File.ReadAllText(log));
    }

    [Fact]
    public void Progress_counts_every_step()
    {
        var rec = new Recorder();
        new BenchmarkRunner(Options(Small(), Small(Workload.NoOp)), rec).Run();
        Assert.All(rec.Statuses, s => Assert.Equal(2 * (1 + 4), s.TotalSteps));
        Assert.Equal(Enumerable.Range(0, 10).ToList(), rec.Statuses.Select(s => s.Step).ToList());
        Assert.Contains(rec.Statuses, s => s is { Activity: "Run", Tool: "blit", Run: 3, Runs: 3 });
    }

    [Theory]
    [InlineData(0, 1)]
    [InlineData(-1, 1)]
    [InlineData(BenchmarkOptions.MaxRuns + 1, 1)]
    [InlineData(3, -1)]
    [InlineData(3, BenchmarkOptions.MaxWarmup + 1)]
    public void Bad_run_counts_are_InvalidArgument(int runs, int warmup)
    {
        BlitException ex = Assert.Throws<BlitException>(() => new BenchmarkRunner(Options(Small()) with { Runs = runs, Warmup = warmup }).Run());
        Assert.Equal(BlitErrorCode.InvalidArgument, ex.Code);
    }

    [Fact]
    public void A_missing_root_is_BenchmarkRootNotFound_and_a_file_root_is_unusable()
    {
        BlitException missing = Assert.Throws<BlitException>(() =>
            new BenchmarkRunner(Options(Small()) with { Root = _temp.Combine("nope") }).Run());
        Assert.Equal(BlitErrorCode.BenchmarkRootNotFound, missing.Code);
        File.WriteAllText(_temp.Combine("file"), "x");
        BlitException file = Assert.Throws<BlitException>(() =>
            new BenchmarkRunner(Options(Small()) with { Root = _temp.Combine("file") }).Run());
        Assert.Equal(BlitErrorCode.BenchmarkRootUnusable, file.Code);
    }

    [Fact]
    public void A_workload_bigger_than_the_free_space_is_refused_before_anything_is_written()
    {
        var huge = new WorkloadSpec { Workload = Workload.LargeFile, LargeFileBytes = WorkloadSpec.MaxLargeFileBytes };
        BlitException ex = Assert.Throws<BlitException>(() => new BenchmarkRunner(Options(huge)).Run());
        Assert.Equal(BlitErrorCode.BenchmarkRootUnusable, ex.Code);
        Assert.Contains("free", ex.Message);
        Assert.Empty(Directory.GetFileSystemEntries(_root));
    }

    [Fact]
    public void An_unwritable_log_path_is_refused_and_the_workspace_removed()
    {
        File.WriteAllText(_temp.Combine("logfile"), "x");
        BlitException ex = Assert.Throws<BlitException>(() =>
            new BenchmarkRunner(Options(Small()) with { LogRoot = _temp.Combine("logfile") }).Run());
        Assert.Equal(BlitErrorCode.LogPathUnusable, ex.Code);
        Assert.Empty(Directory.GetFileSystemEntries(_root));
    }
}
