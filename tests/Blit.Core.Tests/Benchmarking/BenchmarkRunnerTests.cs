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
        Modes = [BenchmarkMode.Warm],
    };

    private string ScriptDir(string name, string body) => _temp.WriteScript(name, body);

    private static string? FindRsync() => ComparatorTool.FindOnPath("rsync", Environment.GetEnvironmentVariable("PATH"));

    [Fact]
    public void Blit_alone_gives_one_verified_measurement_with_logs_and_no_workspace_left()
    {
        var rec = new Recorder();
        var runner = new BenchmarkRunner(Options(Small()), rec);
        WorkloadMeasurement m = Assert.Single(runner.Run());
        Assert.Equal(("blit", false, 3, 1, 60L), (m.Tool, m.IsComparator, m.Samples.Count, m.WarmupRuns, m.FileCount));
        Assert.True(m.Verified, string.Join("; ", m.Samples.Select(s => s.Failure)));
        Assert.Equal([1, 2, 3], m.Samples.Select(s => s.Run));
        Assert.All(m.Samples, s => Assert.True(s.WallSeconds > 0 && s.CpuSeconds >= 0 && s.MemoryGrowthBytes >= 0 && s.PeakMemoryBytes is null));
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

    private static WorkloadSpec Tiny(int runs = 4, int warmup = 1) =>
        Assert.Single(WorkloadSpec.Defaults(Workload.Tiny)) with { Runs = runs, Warmup = warmup };

    /// <summary>
    /// A stand-in for the cold pwsh child (xunit has no module to import): a script that mirrors with rsync and prints
    /// the result line a real child prints, or exits with the code in a file.
    /// </summary>
    private BlitProcessCommand FakeChild(string extraRsyncFlag = "--links")
    {
        string code = _temp.Combine("child-code");
        if (!File.Exists(code))
        {
            File.WriteAllText(code, "0");
        }
        string bin = ScriptDir("blit-child",
            $"rsync -a --delete {extraRsyncFlag} \"$1/\" \"$2/\" || exit 9\n" +
            "echo \"blit-result copied=2 updated=0 deleted=0 unchanged=0 symlinks=1 dirs=2 workers=1 cloned=0 kernel-copied=1 streamed=1 errors=0\"\n" +
            $"exit $(cat '{code}')");
        string script = Path.Combine(bin, "blit-child");
        return new BlitProcessCommand(script, (src, dst) => [src, dst], $"{script} SRC DEST", "a fake child on /bin/sh");
    }

    [Fact]
    public void Tiny_runs_its_own_run_count_alternates_and_verifies_against_rsync()
    {
        var rec = new Recorder();
        BenchmarkOptions options = Options(Tiny(runs: 4, warmup: 2)) with { Comparator = ComparatorKind.Rsync };
        IReadOnlyList<WorkloadMeasurement> result = new BenchmarkRunner(options, rec).Run();
        Assert.Equal(["blit", "rsync"], result.Select(m => m.Tool));
        Assert.All(result, m => Assert.True(m.Verified, string.Join("; ", m.Samples.Select(s => s.Failure))));
        Assert.All(result, m => Assert.Equal((4, 2, "5entries", 2L), (m.Samples.Count, m.WarmupRuns, m.SizeLabel, m.FileCount)));
        Assert.Equal(["blit", "rsync", "rsync", "blit", "blit", "rsync", "rsync", "blit", "blit", "rsync", "rsync", "blit"],
            rec.Runs.Select(r => r.Tool));
        Assert.All(rec.Runs.Where(r => r.Tool == "blit"), r =>
            Assert.Equal((2L, 1L), (r.BlitResult!.FilesCopied, r.BlitResult.SymlinksCopied)));
        Assert.All(rec.Runs, r => Assert.Equal(WorkloadSpec.TinyEntries, r.Verification.DestinationEntries));
        string log = File.ReadAllText(result[0].LogPath!);
        Assert.Contains("Workload Tiny 5entries: 2 files, 2 directories, 1 symlink(s)", log);
        Assert.Contains("Rounds: 2 warm-up + 4 measured per mode", log);
        // Every tool's version is recorded, in the log and in results.json.
        Assert.Equal(SystemProbe.BlitVersion, result[0].ToolVersion);
        Assert.StartsWith("rsync  version ", result[1].ToolVersion);
        Assert.Contains($"Comparator: rsync at {FindRsync()} ({result[1].ToolVersion})", log);
        ResultsFile saved = ResultsFile.Load(result[0].ResultsPath!);
        Assert.Equal([SystemProbe.BlitVersion, result[1].ToolVersion], saved.Measurements.Select(m => m.ToolVersion));
    }

    [Fact]
    public void Tiny_with_a_comparator_that_drops_the_symlink_is_reported_as_failed_runs()
    {
        BenchmarkOptions options = Options(Tiny(runs: 2)) with { Comparator = ComparatorKind.Rsync, ComparatorArguments = ["-a", "--delete", "--no-links"] };
        IReadOnlyList<WorkloadMeasurement> result = new BenchmarkRunner(options).Run();
        WorkloadMeasurement rsync = result.Single(m => m.Tool == "rsync");
        Assert.Equal((false, 2), (rsync.Verified, rsync.FailedRuns));
        Assert.All(rsync.Samples, s => Assert.Contains("missing from the destination (link)", s.Failure));
        Assert.True(result.Single(m => m.Tool == "blit").Verified);
    }

    [Fact]
    public void Cold_mode_runs_blit_as_a_child_process_measured_like_the_comparator()
    {
        var rec = new Recorder();
        BenchmarkOptions options = Options(Tiny(runs: 3)) with
        {
            Comparator = ComparatorKind.Rsync, Modes = [BenchmarkMode.Warm, BenchmarkMode.Cold], BlitProcess = FakeChild(),
        };
        IReadOnlyList<WorkloadMeasurement> result = new BenchmarkRunner(options, rec).Run();

        Assert.Equal(["blit/Warm", "rsync/Warm", "blit/Cold", "rsync/Cold"], result.Select(m => $"{m.Tool}/{m.Mode}"));
        Assert.All(result, m => Assert.True(m.Verified, string.Join("; ", m.Samples.Select(s => s.Failure))));
        WorkloadMeasurement warm = result[0], cold = result[2];
        Assert.Equal((null, MemoryFigure.InProcessGrowth), (warm.PeakMemoryBytes, warm.MemoryFigure));
        Assert.NotNull(warm.MemoryGrowthBytes);
        Assert.Equal((null, MemoryFigure.ProcessPeak), (cold.MemoryGrowthBytes, cold.MemoryFigure));
        Assert.True(cold.PeakMemoryBytes > 0, "the child's whole-process peak is sampled as the comparator's is");
        Assert.All(cold.Samples, s => Assert.True(s.PeakMemoryBytes > 0 && s.MemoryGrowthBytes is null));
        Assert.Contains("blit-child", cold.Command);
        Assert.Equal("workers=1, cloned=0, kernel-copied=1, streamed=1", cold.PlannerNotes);
        Assert.Equal(("a fake child on /bin/sh", null), (cold.RunsOn, warm.RunsOn));
        Assert.All(result.Where(m => m.IsComparator), m => Assert.Null(m.RunsOn));

        var coldRuns = rec.Runs.Where(r => r.Mode == BenchmarkMode.Cold && r.Tool == "blit").ToList();
        Assert.Equal(4, coldRuns.Count);
        Assert.All(coldRuns, r => Assert.Equal((null, 2L), (r.BlitResult, r.Blit!.FilesCopied)));
        Assert.Equal(["blit", "rsync", "rsync", "blit", "blit", "rsync", "rsync", "blit"],
            rec.Runs.Where(r => r.Mode == BenchmarkMode.Cold).Select(r => r.Tool));

        string log = File.ReadAllText(cold.LogPath!);
        Assert.Contains("Blit (cold): a fresh process per run", log);
        Assert.Contains("timing: the whole child process, start to exit", log);
        Assert.Contains("Summary Tiny 5entries, Cold", log);
        Assert.Contains("Summary Tiny 5entries, Warm", log);
        Assert.Contains("growth MiB", log);
        Assert.Contains("rsync median / blit median (Cold) = ", log);
        Assert.Contains("    runs on: a fake child on /bin/sh", log);
        IReadOnlyList<WorkloadMeasurement> saved = ResultsFile.Load(cold.ResultsPath!).Measurements;
        Assert.Equal(4, saved.Count);
        Assert.Equal("a fake child on /bin/sh", saved.Single(m => m.Mode == BenchmarkMode.Cold && !m.IsComparator).RunsOn);
    }

    [Fact]
    public void A_cold_child_that_fails_or_prints_no_result_is_a_failed_run()
    {
        File.WriteAllText(_temp.Combine("child-code"), "1");
        BenchmarkOptions options = Options(Tiny(runs: 2)) with { Modes = [BenchmarkMode.Cold], BlitProcess = FakeChild() };
        WorkloadMeasurement failed = Assert.Single(new BenchmarkRunner(options).Run());
        Assert.Equal((false, 2), (failed.Verified, failed.FailedRuns));
        Assert.All(failed.Samples, s => Assert.StartsWith("blit (cold) exit code 1; output: blit-result copied=2", s.Failure));

        var silent = new BlitProcessCommand("/bin/sh", (src, dst) => ["-c", $"rsync -a --delete '{src}/' '{dst}/'"], "sh");
        WorkloadMeasurement mute = Assert.Single(new BenchmarkRunner(options with { BlitProcess = silent }).Run());
        Assert.False(mute.Verified);
        Assert.All(mute.Samples, s => Assert.Equal("blit (cold) printed no blit-result line", s.Failure));
    }

    [Fact]
    public void A_broken_cold_destination_is_a_failed_run()
    {
        BenchmarkOptions options = Options(Tiny(runs: 2)) with { Modes = [BenchmarkMode.Cold], BlitProcess = FakeChild("--no-links") };
        WorkloadMeasurement m = Assert.Single(new BenchmarkRunner(options).Run());
        Assert.Equal((false, 2), (m.Verified, m.FailedRuns));
        Assert.All(m.Samples, s => Assert.Contains("verification failed: 1 entry missing from the destination (link)", s.Failure));
    }

    [Fact]
    public void Cold_mode_without_a_child_command_is_InvalidArgument_before_anything_is_created()
    {
        BlitException ex = Assert.Throws<BlitException>(() =>
            new BenchmarkRunner(Options(Small(Workload.NoOp)) with { Modes = null }).Run());
        Assert.Equal(BlitErrorCode.InvalidArgument, ex.Code);
        Assert.Contains("cold", ex.Message);
        Assert.Empty(Directory.GetFileSystemEntries(_root));
    }

    [Fact]
    public void The_result_line_of_a_cold_child_is_parsed_and_a_partial_one_refused()
    {
        BlitRunSummary? r = BlitRunSummary.Parse(
            "WARNING: x\nblit-result copied=3 updated=1 deleted=2 unchanged=4 symlinks=1 dirs=2 workers=5 cloned=0 kernel-copied=3 streamed=0 errors=0\n");
        Assert.Equal(new BlitRunSummary(3, 1, 2, 4, 1, 2, 5, 0, 3, 0, 0), r);
        Assert.Null(BlitRunSummary.Parse("blit-result copied=3 updated=1"));
        Assert.Null(BlitRunSummary.Parse("no line"));
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
        // Its command line and success rule are recorded as rsync's are: the flags in bench.log and results.json.
        string log = File.ReadAllText(bad.LogPath!);
        Assert.Contains("    command: robocopy SRC DEST /MIR /COPY:DAT /DCOPY:DAT /R:0 /W:0 /MT:8 /NP /NFL /NDL /NJH /NJS (default flags)", log);
        Assert.Contains("    success: exit code below 8", log);
        Assert.Matches(@"^robocopy \S+/source \S+/robocopy /MIR /COPY:DAT /DCOPY:DAT /R:0 /W:0 /MT:8 /NP /NFL /NDL /NJH /NJS$", bad.Command);
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
