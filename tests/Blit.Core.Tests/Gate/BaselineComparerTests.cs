using Blit.Benchmarking;
using Blit.Errors;
using Blit.Gate;
using static Blit.Tests.Gate.Synthetic;

namespace Blit.Tests.Gate;

public class BaselineComparerTests
{
    private static WorkloadDecision Single(GateSummary summary) => Assert.Single(summary.Decisions);

    private static WorkloadDecision Decide(params WorkloadMeasurement[] measurements) =>
        Single(BaselineComparer.Compare(measurements));

    // ---- threshold edges ----------------------------------------------------------------

    [Fact]
    public void Ratio_exactly_at_the_threshold_is_GO()
    {
        WorkloadDecision d = Decide(BlitRun(1.0), RsyncRun(0.95));
        Assert.Equal(GateDecision.Go, d.Decision);
        Assert.True(d.IsGo);
        Assert.Equal(0.95, d.Ratio!.Value, 12);
        Assert.Contains(d.Reasons, r => r.StartsWith("speed: ratio 0.95 ≥ threshold 0.95", StringComparison.Ordinal));
    }

    [Fact]
    public void Ratio_just_below_the_threshold_is_NO_GO_with_both_medians_in_the_reason()
    {
        WorkloadDecision d = Decide(BlitRun(1.0), RsyncRun(0.9499));
        Assert.Equal(GateDecision.NoGo, d.Decision);
        string reason = Assert.Single(d.Reasons);
        Assert.Equal("speed: ratio 0.9499 < threshold 0.95 (rsync 0.950 s / Blit 1.000 s, medians): Blit is slower than allowed", reason);
    }

    [Fact]
    public void Ratio_below_the_threshold_only_by_floating_point_rounding_is_GO()
    {
        // 0.57 / 0.6 is 0.94999999999999996 in binary floating point.
        Assert.True(Decide(BlitRun(0.6), RsyncRun(0.57)).IsGo);
    }

    [Theory]
    [InlineData(1.5, 1.0, 1.49, false)]
    [InlineData(1.5, 1.0, 1.5, true)]
    [InlineData(0.5, 1.0, 0.5, true)]
    [InlineData(0.5, 1.0, 0.49, false)]
    public void The_threshold_is_configurable(double threshold, double blit, double rsync, bool go)
    {
        GateSummary s = BaselineComparer.Compare([BlitRun(blit), RsyncRun(rsync)], options: new GateOptions { Threshold = threshold });
        Assert.Equal(go, Single(s).IsGo);
        Assert.Equal(threshold, Single(s).Threshold);
    }

    [Fact]
    public void A_GO_decision_carries_ratio_throughputs_and_noise()
    {
        WorkloadDecision d = Decide(BlitRun(0.5), RsyncRun(1.0));
        Assert.Equal(2.0, d.Ratio!.Value, 12);
        Assert.Equal(0.5, d.BlitMedianSeconds);
        Assert.Equal(1.0, d.ComparatorMedianSeconds);
        Assert.Equal(10.0, d.BlitMiBPerSecond!.Value, 9);            // 5 MiB in 0.5 s
        Assert.Equal(5.0, d.ComparatorMiBPerSecond!.Value, 9);
        Assert.Equal(2000.0, d.BlitFilesPerSecond!.Value, 9);
        Assert.Equal(0.475, d.BlitMinSeconds!.Value, 9);
        Assert.Equal(0.525, d.BlitMaxSeconds!.Value, 9);
        Assert.Equal(0.1, d.BlitSpread!.Value, 9);                   // (0.525 − 0.475) / 0.5
        Assert.Equal(0.95 / 0.525, d.WorstCaseRatio!.Value, 9);
        Assert.Equal("rsync", d.Comparator);
        Assert.Equal(5, d.Runs);
        Assert.Equal(1, d.WarmupRuns);
    }

    [Fact]
    public void A_GO_whose_worst_case_ratio_is_under_the_threshold_is_noted_as_borderline()
    {
        WorkloadDecision d = Single(BaselineComparer.Compare([
            Run("blit", 1.0, min: 0.8, max: 1.3), Run("rsync", 1.0, min: 0.9, max: 1.1)]));
        Assert.True(d.IsGo);
        Assert.Contains(d.Notes, n => n.StartsWith("borderline: the margin is within the noise", StringComparison.Ordinal));
    }

    [Fact]
    public void A_NO_GO_whose_noise_band_straddles_the_threshold_is_borderline()
    {
        // Blit 0.8–1.3 s (median 1.1), rsync 0.9–1.1 s (median 1.0): ratio 0.91, best case 1.1 / 0.8.
        WorkloadDecision d = Single(BaselineComparer.Compare([
            Run("blit", 1.1, min: 0.8, max: 1.3), Run("rsync", 1.0, min: 0.9, max: 1.1)]));
        Assert.False(d.IsGo);
        Assert.True(d.IsBorderline);
        Assert.Equal(1.1 / 0.8, d.BestCaseRatio!.Value, 9);
        Assert.Equal(0.9 / 1.3, d.WorstCaseRatio!.Value, 9);
        Assert.Equal([GateCheck.Speed], d.FailedChecks);
        Assert.Contains(d.Notes, n => n.StartsWith("borderline: within the noise", StringComparison.Ordinal));
    }

    [Fact]
    public void A_NO_GO_outside_the_noise_is_not_borderline()
    {
        WorkloadDecision d = Decide(BlitRun(1.0), RsyncRun(0.5));       // Blit's fastest 0.95 s, rsync's slowest 0.525 s
        Assert.False(d.IsGo);
        Assert.False(d.IsBorderline);
        Assert.DoesNotContain(d.Notes, n => n.StartsWith("borderline", StringComparison.Ordinal));
    }

    [Fact]
    public void A_GO_has_no_failed_checks_and_a_NO_GO_names_each_failed_check_once()
    {
        Assert.Empty(Decide(BlitRun(0.5), RsyncRun(1.0)).FailedChecks);
        WorkloadDecision d = Decide(BlitRun(2.0, failed: 2), RsyncRun(1.0, system: Machine(cpus: 4), failed: 1));
        Assert.Equal([GateCheck.Verification, GateCheck.Machine, GateCheck.Speed], d.FailedChecks);
        Assert.Equal(4, d.Reasons.Count);
    }

    [Fact]
    public void A_clear_GO_has_no_borderline_note()
    {
        Assert.DoesNotContain(Decide(BlitRun(0.5), RsyncRun(1.0)).Notes, n => n.StartsWith("borderline", StringComparison.Ordinal));
    }

    // ---- missing and failed figures ----------------------------------------------------

    [Fact]
    public void Cp_figures_are_a_reference_and_never_the_gate_comparator()
    {
        WorkloadDecision alone = Decide(BlitRun(0.5), Run("cp", 0.6));
        Assert.Equal(GateDecision.NoGo, alone.Decision);
        Assert.Contains(alone.Reasons, r => r.StartsWith("no comparator figures", StringComparison.Ordinal));
        Assert.Contains(alone.Notes, n => n.StartsWith("1 cp measurement(s)", StringComparison.Ordinal));

        WorkloadDecision withRsync = Decide(BlitRun(0.5), Run("cp", 0.4), RsyncRun(1.0));
        Assert.Equal(GateDecision.Go, withRsync.Decision);
        Assert.Equal(2.0, withRsync.Ratio!.Value, 12);
    }

    [Fact]
    public void A_workload_without_comparator_figures_is_NO_GO_with_that_reason()
    {
        WorkloadDecision d = Decide(BlitRun(0.5));
        Assert.Equal(GateDecision.NoGo, d.Decision);
        Assert.Contains(d.Reasons, r => r.StartsWith("no comparator figures", StringComparison.Ordinal));
        Assert.Null(d.Ratio);
        Assert.Null(d.Comparator);
        Assert.Equal(0.5, d.BlitMedianSeconds);
    }

    [Fact]
    public void A_workload_without_Blit_figures_is_NO_GO_with_that_reason()
    {
        WorkloadDecision d = Decide(RsyncRun(1.0));
        Assert.False(d.IsGo);
        Assert.Contains(d.Reasons, r => r.StartsWith("no Blit figures", StringComparison.Ordinal));
        Assert.Equal(1.0, d.ComparatorMedianSeconds);
    }

    [Fact]
    public void Blit_runs_that_failed_verification_are_NO_GO_however_fast()
    {
        WorkloadDecision d = Decide(BlitRun(0.1, failed: 1), RsyncRun(1.0));
        Assert.False(d.IsGo);
        Assert.Contains(d.Reasons, r => r.Contains("Blit failed 1 of 5 measured runs", StringComparison.Ordinal)
                                      && r.Contains("destination has 999 files", StringComparison.Ordinal));
    }

    [Fact]
    public void Blit_with_no_measured_runs_is_NO_GO()
    {
        WorkloadDecision d = Decide(Run("blit", 0.5, runs: 0), RsyncRun(1.0));
        Assert.False(d.IsGo);
        Assert.Contains(d.Reasons, r => r == "no Blit figures: Blit has no measured runs");
    }

    [Fact]
    public void A_failed_comparator_makes_the_ratio_untrustworthy_and_the_decision_NO_GO()
    {
        WorkloadDecision d = Decide(BlitRun(0.5), RsyncRun(1.0, failed: 2));
        Assert.False(d.IsGo);
        Assert.Contains(d.Reasons, r => r.StartsWith("rsync failed 2 of 5", StringComparison.Ordinal)
                                      && r.EndsWith("its time cannot be compared", StringComparison.Ordinal));
    }

    [Fact]
    public void Blit_and_comparator_measured_on_different_machines_is_NO_GO()
    {
        WorkloadDecision d = Decide(BlitRun(0.5), RsyncRun(1.0, system: Machine(name: "other", cpus: 8)));
        Assert.False(d.IsGo);
        Assert.Contains(d.Reasons, r => r.StartsWith("machine mismatch: Blit and rsync", StringComparison.Ordinal)
                                      && r.Contains("MachineName 'bench1' ≠ 'other'", StringComparison.Ordinal)
                                      && r.Contains("CpuCount 2 ≠ 8", StringComparison.Ordinal));
    }

    [Fact]
    public void Blit_and_comparator_on_different_trees_is_NO_GO()
    {
        WorkloadDecision d = Decide(BlitRun(0.5), Run("rsync", 1.0, files: 999));
        Assert.False(d.IsGo);
        Assert.Contains(d.Reasons, r => r.StartsWith("size mismatch", StringComparison.Ordinal));
    }

    [Fact]
    public void Every_failed_check_is_listed_not_just_the_first()
    {
        WorkloadDecision d = Decide(BlitRun(2.0), RsyncRun(1.0, system: Machine(fileSystem: "xfs")));
        Assert.Equal(2, d.Reasons.Count);
        Assert.Contains(d.Reasons, r => r.StartsWith("machine mismatch", StringComparison.Ordinal));
        Assert.Contains(d.Reasons, r => r.StartsWith("speed: ratio 0.50 < threshold", StringComparison.Ordinal));
    }

    // ---- memory and CPU against the baseline -------------------------------------------

    private static WorkloadDecision WithBaseline(WorkloadMeasurement current, BaselineStore store, GateOptions? options = null) =>
        Single(BaselineComparer.Compare([current, RsyncRun(1.0)], store, options));

    private static BaselineStore ThreeEarlierRuns(long memory = 100L << 20, double cpu = 1.0) => Store(
        BlitRun(0.5, memory: memory, cpu: cpu, at: Now.AddDays(-3)),
        BlitRun(0.5, memory: memory, cpu: cpu, at: Now.AddDays(-2)),
        BlitRun(0.5, memory: memory, cpu: cpu, at: Now.AddDays(-1)));

    [Fact]
    public void Peak_memory_more_than_the_tolerance_above_the_baseline_is_a_NO_GO_regression()
    {
        WorkloadDecision d = WithBaseline(BlitRun(0.5, memory: 126L << 20), ThreeEarlierRuns());
        Assert.False(d.IsGo);
        string reason = Assert.Single(d.Reasons);
        Assert.Equal("memory regression: in-process growth 126.0 MiB vs baseline 100.0 MiB (+26.0 %) from 3 earlier run(s); allowed up to 125.0 MiB (+25 %, at least +8.0 MiB)", reason);
        Assert.Equal(100L << 20, d.BaselineMemoryBytes);
        Assert.Equal(0.26, d.MemoryChange!.Value, 9);
        Assert.Equal(3, d.BaselineRuns);
        Assert.Equal(3, d.BaselineFiles.Count);
    }

    [Fact]
    public void Peak_memory_exactly_at_the_tolerance_is_GO()
    {
        WorkloadDecision d = WithBaseline(BlitRun(0.5, memory: 125L << 20), ThreeEarlierRuns());
        Assert.True(d.IsGo);
        Assert.Contains(d.Reasons, r => r.StartsWith("memory: in-process growth 125.0 MiB vs baseline 100.0 MiB (+25.0 %)", StringComparison.Ordinal));
    }

    [Fact]
    public void The_memory_tolerance_is_configurable()
    {
        var strict = new GateOptions { MemoryTolerance = 0.05 };
        Assert.False(WithBaseline(BlitRun(0.5, memory: 110L << 20), ThreeEarlierRuns(), strict).IsGo);
        Assert.True(WithBaseline(BlitRun(0.5, memory: 105L << 20), ThreeEarlierRuns(), strict).IsGo);
    }

    [Fact]
    public void Small_absolute_memory_rises_are_noise_not_regressions()
    {
        // Baseline 2 MiB: +25 % would be 0.5 MiB, less than one GC segment; the noise allowance (8 MiB) applies.
        Assert.True(WithBaseline(BlitRun(0.5, memory: 10L << 20), ThreeEarlierRuns(memory: 2L << 20)).IsGo);
        WorkloadDecision d = WithBaseline(BlitRun(0.5, memory: (10L << 20) + 1), ThreeEarlierRuns(memory: 2L << 20));
        Assert.False(d.IsGo);
        Assert.StartsWith("memory regression", Assert.Single(d.Reasons), StringComparison.Ordinal);
    }

    [Fact]
    public void CPU_seconds_more_than_the_tolerance_above_the_baseline_is_a_NO_GO_regression()
    {
        WorkloadDecision d = WithBaseline(BlitRun(0.5, cpu: 1.3), ThreeEarlierRuns());
        Assert.False(d.IsGo);
        Assert.Equal("CPU regression: 1.300 s median vs baseline 1.000 s (+30.0 %) from 3 earlier run(s); allowed up to 1.250 s (+25 %, at least +0.050 s)",
            Assert.Single(d.Reasons));
        Assert.Equal(0.3, d.CpuChange!.Value, 9);
        Assert.True(WithBaseline(BlitRun(0.5, cpu: 1.25), ThreeEarlierRuns()).IsGo);
    }

    [Fact]
    public void The_CPU_tolerance_is_configurable()
    {
        Assert.True(WithBaseline(BlitRun(0.5, cpu: 1.9), ThreeEarlierRuns(), new GateOptions { CpuTolerance = 1.0 }).IsGo);
        Assert.False(WithBaseline(BlitRun(0.5, cpu: 1.1), ThreeEarlierRuns(), new GateOptions { CpuTolerance = 0.05 }).IsGo);
    }

    [Fact]
    public void Memory_and_CPU_regressions_are_both_reported()
    {
        WorkloadDecision d = WithBaseline(BlitRun(0.5, memory: 200L << 20, cpu: 3.0), ThreeEarlierRuns());
        Assert.Equal(2, d.Reasons.Count);
        Assert.Equal([GateCheck.Memory, GateCheck.Cpu], d.FailedChecks);
    }

    [Fact]
    public void Less_memory_and_CPU_than_the_baseline_is_GO()
    {
        WorkloadDecision d = WithBaseline(BlitRun(0.5, memory: 50L << 20, cpu: 0.5), ThreeEarlierRuns());
        Assert.True(d.IsGo);
        Assert.Equal(-0.5, d.MemoryChange!.Value, 9);
        Assert.Equal(-0.5, d.CpuChange!.Value, 9);
    }

    [Fact]
    public void The_baseline_is_the_median_of_the_latest_earlier_runs_so_one_outlier_does_not_move_it()
    {
        BaselineStore store = Store(
            BlitRun(0.5, memory: 100L << 20, at: Now.AddDays(-3)),
            BlitRun(0.5, memory: 900L << 20, at: Now.AddDays(-2)),     // an outlier, e.g. a regression that was logged
            BlitRun(0.5, memory: 100L << 20, at: Now.AddDays(-1)));
        WorkloadDecision d = WithBaseline(BlitRun(0.5, memory: 120L << 20), store);
        Assert.Equal(100L << 20, d.BaselineMemoryBytes);
        Assert.True(d.IsGo);
    }

    [Fact]
    public void Only_the_latest_BaselineRuns_earlier_runs_count()
    {
        BaselineStore store = Store(
            BlitRun(0.5, memory: 500L << 20, at: Now.AddDays(-10)),
            BlitRun(0.5, memory: 100L << 20, at: Now.AddDays(-2)),
            BlitRun(0.5, memory: 100L << 20, at: Now.AddDays(-1)));
        WorkloadDecision d = WithBaseline(BlitRun(0.5), store, new GateOptions { BaselineRuns = 2 });
        Assert.Equal(2, d.BaselineRuns);
        Assert.Equal(100L << 20, d.BaselineMemoryBytes);
    }

    [Fact]
    public void Runs_at_or_after_the_current_measurement_are_not_its_baseline()
    {
        BaselineStore store = Store(
            BlitRun(0.5, memory: 10L << 20, at: Now),                  // the current run's own log
            BlitRun(0.5, memory: 10L << 20, at: Now.AddHours(1)));
        WorkloadDecision d = WithBaseline(BlitRun(0.5, memory: 500L << 20), store);
        Assert.True(d.IsGo);
        Assert.Equal(0, d.BaselineRuns);
        Assert.Contains(d.Notes, n => n.StartsWith("no baseline", StringComparison.Ordinal));
    }

    [Fact]
    public void The_current_measurements_own_results_file_is_never_its_baseline()
    {
        var store = new BaselineStore([new LoggedMeasurement(BlitRun(0.5, memory: 10L << 20, at: Now.AddMinutes(-1)), "/logs/now/results.json")], "/logs");
        WorkloadDecision d = WithBaseline(BlitRun(0.5, memory: 500L << 20, resultsPath: "/logs/now/results.json"), store);
        Assert.Equal(0, d.BaselineRuns);
        Assert.True(d.IsGo);
    }

    [Fact]
    public void Warm_and_cold_are_decided_apart_each_against_its_own_comparator_runs()
    {
        GateSummary s = BaselineComparer.Compare([
            BlitRun(0.010, workload: Workload.Tiny, size: "5entries"),
            RsyncRun(0.020, workload: Workload.Tiny, size: "5entries"),
            BlitRun(0.800, workload: Workload.Tiny, size: "5entries", mode: BenchmarkMode.Cold),
            RsyncRun(0.021, workload: Workload.Tiny, size: "5entries", mode: BenchmarkMode.Cold),
        ]);
        Assert.Equal(2, s.Decisions.Count);
        WorkloadDecision warm = s.Decisions[0], cold = s.Decisions[1];
        Assert.Equal((BenchmarkMode.Warm, GateDecision.Go), (warm.Mode, warm.Decision));
        // By default the cold ratio is reported, not gated (ColdThreshold 0).
        Assert.Equal((BenchmarkMode.Cold, GateDecision.Go), (cold.Mode, cold.Decision));
        Assert.Equal(0.021 / 0.800, cold.Ratio!.Value, 9);
        Assert.Equal("Tiny 5entries (cold)", cold.Name);
        Assert.Contains(cold.Reasons, r => r.StartsWith("speed (cold): ratio 0.03, reported, not gated (ColdThreshold 0)", StringComparison.Ordinal)
            && r.Contains("cold: Blit timed as a whole fresh process", StringComparison.Ordinal));
        Assert.Equal((MemoryFigure.InProcessGrowth, MemoryFigure.ProcessPeak), (warm.MemoryFigure!.Value, cold.MemoryFigure!.Value));
        // And it says so wherever the decision is shown, not only in the reasons.
        Assert.Equal((0.0, false, "GO, not gated"), (cold.Threshold, cold.SpeedGated, cold.DecisionLabel));
        Assert.Equal((0.95, true, "GO"), (warm.Threshold, warm.SpeedGated, warm.DecisionLabel));
        Assert.Equal("GO (2 of 2 workloads GO; 1 of them with the speed reported, not gated)", s.ToString());
        Assert.Contains("Decision: GO, not gated (blit 3 % of rsync throughput)", GateReport.FormatDecision(cold), StringComparison.Ordinal);
        Assert.Contains("| 0.03 | GO, not gated |", GateReport.FormatTable(s), StringComparison.Ordinal);
    }

    [Fact]
    public void A_cold_threshold_gates_the_cold_ratio_and_leaves_the_warm_one_to_Threshold()
    {
        GateSummary s = BaselineComparer.Compare([
            BlitRun(0.010, workload: Workload.Tiny, size: "5entries"),
            RsyncRun(0.020, workload: Workload.Tiny, size: "5entries"),
            BlitRun(0.800, workload: Workload.Tiny, size: "5entries", mode: BenchmarkMode.Cold),
            RsyncRun(0.021, workload: Workload.Tiny, size: "5entries", mode: BenchmarkMode.Cold),
        ], options: new GateOptions { ColdThreshold = 1.0 });
        WorkloadDecision warm = s.Decisions[0], cold = s.Decisions[1];
        Assert.Equal((GateDecision.Go, GateDecision.NoGo), (warm.Decision, cold.Decision));
        Assert.Contains(s.Reasons, r => r.StartsWith("Tiny 5entries (cold): speed: ratio 0.03 < threshold 1.00", StringComparison.Ordinal));
        Assert.False(s.IsGo);
        // The cold decision carries the cold threshold, not the warm one.
        Assert.Equal((0.95, 1.0, "NO-GO"), (warm.Threshold, cold.Threshold, cold.DecisionLabel));
    }

    [Fact]
    public void A_cold_run_is_never_the_baseline_of_a_warm_one_nor_the_other_way()
    {
        BaselineStore store = Store(
            BlitRun(0.5, memory: 300L << 20, at: Now.AddDays(-2), mode: BenchmarkMode.Cold),
            BlitRun(0.5, memory: 10L << 20, at: Now.AddDays(-1)));
        WorkloadDecision warm = WithBaseline(BlitRun(0.5, memory: 12L << 20), store);
        Assert.Equal((1, (long?)(10L << 20)), (warm.BaselineRuns, warm.BaselineMemoryBytes));
        WorkloadDecision cold = BaselineComparer.Compare([BlitRun(0.5, memory: 310L << 20, mode: BenchmarkMode.Cold),
            RsyncRun(1.0, mode: BenchmarkMode.Cold)], store).Decisions.Single();
        Assert.Equal((1, (long?)(300L << 20)), (cold.BaselineRuns, cold.BaselineMemoryBytes));
        Assert.Contains(cold.Reasons, r => r.StartsWith("memory: whole-process peak 310.0 MiB vs baseline 300.0 MiB", StringComparison.Ordinal));
    }

    [Fact]
    public void No_baseline_is_said_so_and_is_not_a_failure()
    {
        WorkloadDecision d = WithBaseline(BlitRun(0.5, memory: 5L << 30, cpu: 100), Store());
        Assert.True(d.IsGo);
        Assert.Null(d.BaselineMemoryBytes);
        Assert.Null(d.BaselineCpuSeconds);
        Assert.Contains(d.Notes, n => n == "no baseline: no earlier verified run of SmallFiles 1000files by blit on this machine under '/logs'; memory and CPU were not compared");
    }

    [Fact]
    public void A_missing_baseline_folder_is_said_so_and_is_not_a_failure()
    {
        var store = new BaselineStore([], "/nowhere/logs", folderExists: false);
        WorkloadDecision d = WithBaseline(BlitRun(0.5), store);
        Assert.True(d.IsGo);
        Assert.Contains(d.Notes, n => n.StartsWith("no baseline: '/nowhere/logs' does not exist", StringComparison.Ordinal));
    }

    [Fact]
    public void Earlier_runs_on_another_machine_are_not_a_baseline_and_the_mismatch_is_noted()
    {
        BaselineStore store = Store(
            BlitRun(0.5, memory: 10L << 20, at: Now.AddDays(-1), system: Machine(fileSystem: "xfs")),
            BlitRun(0.5, memory: 10L << 20, at: Now.AddDays(-2), system: Machine(memory: 8L << 30)),
            BlitRun(0.5, memory: 10L << 20, at: Now.AddDays(-3), system: Machine(cpu: "Intel Xeon")));
        WorkloadDecision d = WithBaseline(BlitRun(0.5, memory: 500L << 20), store);
        Assert.True(d.IsGo);
        Assert.Equal(0, d.BaselineRuns);
        string mismatch = Assert.Single(d.Notes, n => n.StartsWith("machine mismatch", StringComparison.Ordinal));
        Assert.Contains("3 earlier run(s)", mismatch, StringComparison.Ordinal);
        Assert.Contains("FileSystem 'ext4' ≠ 'xfs'", mismatch, StringComparison.Ordinal);
        Assert.Contains("MemoryBytes", mismatch, StringComparison.Ordinal);
        Assert.Contains("CpuModel", mismatch, StringComparison.Ordinal);
        Assert.Contains(d.Notes, n => n.StartsWith("no baseline", StringComparison.Ordinal));
    }

    [Fact]
    public void A_CPU_regression_notes_when_the_comparator_CPU_rose_as_much_in_the_same_run()
    {
        static WorkloadMeasurement Rsync(double cpu, int daysAgo) =>
            Run("rsync", 1.0, cpu: cpu, memory: 20L << 20, at: Now.AddDays(-daysAgo));
        BaselineStore store = Store(BlitRun(0.5, cpu: 1.0, at: Now.AddDays(-1)), BlitRun(0.5, cpu: 1.0, at: Now.AddDays(-2)),
            Rsync(2.0, 1), Rsync(2.0, 2));

        // The whole machine slower: Blit +40 %, rsync +60 %. Still a NO-GO, with the note beside it.
        WorkloadDecision slow = Single(BaselineComparer.Compare([BlitRun(0.5, cpu: 1.4), Rsync(3.2, 0)], store));
        Assert.False(slow.IsGo);
        Assert.Contains(slow.Reasons, r => r.StartsWith("CPU regression", StringComparison.Ordinal));
        Assert.Contains("rsync's CPU rose too in the same run: 3.200 s median vs its baseline 2.000 s (+60.0 %) from 2 earlier run(s); " +
            "the machine itself may have been slower", Assert.Single(slow.Notes, n => n.StartsWith("rsync's CPU", StringComparison.Ordinal)));

        // Blit alone slower: no such note.
        WorkloadDecision blitOnly = Single(BaselineComparer.Compare([BlitRun(0.5, cpu: 1.4), Rsync(2.1, 0)], store));
        Assert.False(blitOnly.IsGo);
        Assert.DoesNotContain(blitOnly.Notes, n => n.Contains("rose too", StringComparison.Ordinal));

        // No CPU regression: no note either, whatever rsync did.
        Assert.DoesNotContain(Single(BaselineComparer.Compare([BlitRun(0.5, cpu: 1.1), Rsync(3.2, 0)], store)).Notes,
            n => n.Contains("rose too", StringComparison.Ordinal));
    }

    [Fact]
    public void Cold_runs_on_another_pwsh_are_not_a_baseline_and_the_mismatch_is_noted()
    {
        const string il = "PowerShell 7.6.9 on .NET 10.0.12; pwsh IL only, JIT-compiled at start-up (/a/System.Management.Automation.dll); Blit.Core precompiled (/a/bin/linux-x64/Blit.Core.dll)";
        const string precompiled = "PowerShell 7.6.9 on .NET 10.0.12; pwsh precompiled (/b/System.Management.Automation.dll); Blit.Core precompiled (/b/bin/linux-x64/Blit.Core.dll)";
        const string elsewhere = "PowerShell 7.6.9 on .NET 10.0.12; pwsh precompiled (/c/System.Management.Automation.dll); Blit.Core precompiled (/clone/bin/linux-x64/Blit.Core.dll)";
        WorkloadMeasurement Cold(long memory, string? runsOn, int daysAgo) =>
            BlitRun(0.5, memory: memory, at: Now.AddDays(-daysAgo), mode: BenchmarkMode.Cold, runsOn: runsOn);
        WorkloadDecision WithBaseline(WorkloadMeasurement current, BaselineStore store) =>
            Single(BaselineComparer.Compare([current, RsyncRun(1.0, mode: BenchmarkMode.Cold)], store));
        BaselineStore store = Store(Cold(100L << 20, precompiled, 1), Cold(100L << 20, precompiled, 2));

        // The IL pwsh needs more memory than the precompiled one: not a regression of Blit.
        WorkloadDecision d = WithBaseline(Cold(145L << 20, il, 0), store);
        Assert.True(d.IsGo, string.Join("; ", d.Reasons));
        Assert.Equal(0, d.BaselineRuns);
        string mismatch = Assert.Single(d.Notes, n => n.StartsWith("runtime mismatch", StringComparison.Ordinal));
        Assert.Equal("runtime mismatch: 2 earlier run(s) of SmallFiles 1000files (cold) by blit under '/logs' ran on " +
            "'PowerShell 7.6.9 on .NET 10.0.12; pwsh precompiled; Blit.Core precompiled', not " +
            "'PowerShell 7.6.9 on .NET 10.0.12; pwsh IL only, JIT-compiled at start-up; Blit.Core precompiled', and are not a baseline", mismatch);

        // The same kind of pwsh installed elsewhere (another clone) is the same runtime.
        Assert.False(WithBaseline(Cold(145L << 20, elsewhere, 0), store).IsGo);
        Assert.Equal(2, WithBaseline(Cold(100L << 20, elsewhere, 0), store).BaselineRuns);

        // A run that did not record its pwsh (logged before RunsOn existed) may have run on either: it is the baseline of
        // no run that did, or a regression as large as the difference would pass unseen.
        BaselineStore unrecorded = Store(Cold(100L << 20, null, 1));
        WorkloadDecision first = WithBaseline(Cold(100L << 20, precompiled, 0), unrecorded);
        Assert.Equal(0, first.BaselineRuns);
        Assert.Contains(first.Notes, n => n.StartsWith("runtime mismatch: 1 earlier run(s) of SmallFiles 1000files (cold) by blit under '/logs' " +
            "ran on an unrecorded pwsh, not 'PowerShell 7.6.9 on .NET 10.0.12; pwsh precompiled; Blit.Core precompiled'", StringComparison.Ordinal));
        Assert.Equal(1, WithBaseline(Cold(100L << 20, null, 0), unrecorded).BaselineRuns);
        Assert.Equal(1, Single(BaselineComparer.Compare([BlitRun(0.5), RsyncRun(1.0)], Store(BlitRun(0.5, at: Now.AddDays(-1)))))
            .BaselineRuns); // warm runs record no pwsh and match each other
    }

    [Fact]
    public void Same_machine_runs_are_used_even_when_other_machines_logged_too()
    {
        BaselineStore store = Store(
            BlitRun(0.5, memory: 10L << 20, at: Now.AddDays(-1), system: Machine(name: "laptop")),
            BlitRun(0.5, memory: 100L << 20, at: Now.AddDays(-2)));
        WorkloadDecision d = WithBaseline(BlitRun(0.5, memory: 130L << 20), store);
        Assert.False(d.IsGo);
        Assert.Equal(1, d.BaselineRuns);
        Assert.Contains(d.Notes, n => n.StartsWith("machine mismatch: 1 earlier run(s)", StringComparison.Ordinal));
    }

    [Fact]
    public void Earlier_runs_of_another_size_tool_or_workload_are_not_a_baseline()
    {
        BaselineStore store = Store(
            BlitRun(0.5, memory: 10L << 20, at: Now.AddDays(-1), size: "100000files"),
            BlitRun(0.5, memory: 10L << 20, at: Now.AddDays(-1), workload: Workload.NoOp),
            RsyncRun(0.5, at: Now.AddDays(-1)));
        Assert.Equal(0, WithBaseline(BlitRun(0.5), store).BaselineRuns);
    }

    [Fact]
    public void Earlier_failed_runs_and_runs_with_other_options_are_not_a_baseline()
    {
        BaselineStore store = Store(
            BlitRun(0.5, memory: 10L << 20, at: Now.AddDays(-1), failed: 1),
            BlitRun(0.5, memory: 10L << 20, at: Now.AddDays(-2), options: ["cold-cache"]));
        WorkloadDecision d = WithBaseline(BlitRun(0.5), store);
        Assert.Equal(0, d.BaselineRuns);
        Assert.Contains(d.Notes, n => n.Contains("failed verification", StringComparison.Ordinal));
        Assert.Contains(d.Notes, n => n.Contains("other benchmark options", StringComparison.Ordinal));
    }

    [Fact]
    public void A_failed_Blit_run_is_not_compared_with_the_baseline()
    {
        WorkloadDecision d = WithBaseline(BlitRun(0.5, memory: 900L << 20, failed: 1), ThreeEarlierRuns());
        Assert.Equal(0, d.BaselineRuns);
        Assert.DoesNotContain(d.Reasons, r => r.StartsWith("memory", StringComparison.Ordinal));
    }

    // ---- grouping and the overall decision ---------------------------------------------

    [Fact]
    public void Each_workload_and_size_gets_its_own_decision_in_workload_then_size_order()
    {
        GateSummary s = BaselineComparer.Compare([
            Run("blit", 1, workload: Workload.NoOp), Run("rsync", 2, workload: Workload.NoOp),
            Run("blit", 1, workload: Workload.LargeFile, size: "1024MiB", bytes: 1L << 30, files: 1),
            Run("rsync", 2, workload: Workload.LargeFile, size: "1024MiB", bytes: 1L << 30, files: 1),
            Run("blit", 1, workload: Workload.LargeFile, size: "512MiB", bytes: 512L << 20, files: 1),
            Run("rsync", 2, workload: Workload.LargeFile, size: "512MiB", bytes: 512L << 20, files: 1)]);
        Assert.Equal(["LargeFile 512MiB", "LargeFile 1024MiB", "NoOp 1000files"],
            s.Decisions.Select(d => $"{d.Workload} {d.SizeLabel}"));
        Assert.True(s.IsGo);
        Assert.Equal(3, s.GoCount);
        Assert.Equal("GO (3 of 3 workloads GO)", s.ToString());
    }

    [Fact]
    public void The_overall_decision_is_NO_GO_if_any_workload_is_and_lists_its_reasons()
    {
        GateSummary s = BaselineComparer.Compare([
            BlitRun(0.5), RsyncRun(1.0),
            BlitRun(0.5, workload: Workload.Mixed, size: "mixed")]);
        Assert.Equal(GateDecision.NoGo, s.Decision);
        Assert.False(s.IsGo);
        Assert.Equal(1, s.NoGoCount);
        string reason = Assert.Single(s.Reasons);
        Assert.StartsWith("Mixed mixed: no comparator figures", reason, StringComparison.Ordinal);
        Assert.Equal("NO-GO (1 of 2 workloads GO)", s.ToString());
    }

    [Fact]
    public void Nothing_to_decide_on_is_NO_GO()
    {
        GateSummary s = BaselineComparer.Compare([]);
        Assert.False(s.IsGo);
        Assert.Empty(s.Decisions);
        Assert.Equal("no measurements: there is nothing to decide on", Assert.Single(s.Reasons));
    }

    [Fact]
    public void A_summary_can_be_rebuilt_from_decisions()
    {
        GateSummary s = BaselineComparer.Compare([BlitRun(0.5), RsyncRun(1.0)]);
        var again = new GateSummary(s.Decisions);
        Assert.True(again.IsGo);
        Assert.Equal(s.Decisions, again.Decisions);
    }

    [Fact]
    public void The_latest_Blit_measurement_is_decided_on_and_older_ones_are_noted()
    {
        WorkloadDecision d = Decide(BlitRun(5.0, at: Now.AddDays(-1)), BlitRun(0.5), RsyncRun(1.0));
        Assert.True(d.IsGo);
        Assert.Equal(0.5, d.BlitMedianSeconds);
        Assert.Contains(d.Notes, n => n.StartsWith("1 older Blit measurement(s)", StringComparison.Ordinal));
    }

    [Fact]
    public void The_comparator_from_the_same_results_file_as_Blit_is_preferred()
    {
        WorkloadDecision d = Decide(
            BlitRun(1.0, resultsPath: "/logs/a/results.json"),
            RsyncRun(0.5, at: Now, resultsPath: "/logs/b/results.json"),
            RsyncRun(2.0, at: Now.AddDays(-1), resultsPath: "/logs/a/results.json"));
        Assert.Equal(2.0, d.ComparatorMedianSeconds);
        Assert.Contains(d.Notes, n => n.StartsWith("1 other comparator measurement(s)", StringComparison.Ordinal));
    }

    // ---- options --------------------------------------------------------------------------

    [Theory]
    [InlineData(0.0, 0.25, 0.25, "Threshold")]
    [InlineData(-1.0, 0.25, 0.25, "Threshold")]
    [InlineData(double.NaN, 0.25, 0.25, "Threshold")]
    [InlineData(101.0, 0.25, 0.25, "Threshold")]
    [InlineData(0.95, -0.01, 0.25, "MemoryTolerance")]
    [InlineData(0.95, double.PositiveInfinity, 0.25, "MemoryTolerance")]
    [InlineData(0.95, 0.25, -1.0, "CpuTolerance")]
    [InlineData(0.95, 0.25, 101.0, "CpuTolerance")]
    public void Options_out_of_range_are_InvalidArgument(double threshold, double memory, double cpu, string named)
    {
        var options = new GateOptions { Threshold = threshold, MemoryTolerance = memory, CpuTolerance = cpu };
        var ex = Assert.Throws<BlitException>(() => BaselineComparer.Compare([BlitRun(1), RsyncRun(1)], options: options));
        Assert.Equal(BlitErrorCode.InvalidArgument, ex.Code);
        Assert.StartsWith(named + " ", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Boundary_options_are_accepted_and_applied()
    {
        var options = new GateOptions { Threshold = GateOptions.MaxThreshold, MemoryTolerance = 0, CpuTolerance = GateOptions.MaxTolerance };
        WorkloadDecision d = Single(BaselineComparer.Compare([BlitRun(0.5), RsyncRun(1.0)], options: options));
        Assert.Equal((GateOptions.MaxThreshold, 0.0, GateOptions.MaxTolerance), (d.Threshold, d.MemoryTolerance, d.CpuTolerance));
        // Twice as fast is still far below a threshold of 100.
        Assert.False(d.IsGo);
        Assert.Contains(d.Reasons, r => r.StartsWith("speed: ratio 2.00 < threshold 100.00 ", StringComparison.Ordinal));
    }
}

public class BaselineComparerInputTests
{
    [Fact]
    public void Empty_log_and_results_paths_are_treated_as_absent()
    {
        // PowerShell gives unset [string] values as "" rather than null.
        WorkloadMeasurement blit = Synthetic.Run("blit", 0.5, resultsPath: "", logPath: "");
        WorkloadMeasurement rsync = Synthetic.Run("rsync", 1.0, resultsPath: "", logPath: "");
        GateSummary s = BaselineComparer.Compare([blit, rsync], Synthetic.Store(Synthetic.BlitRun(0.5, at: Synthetic.Now.AddDays(-1))));
        WorkloadDecision d = Assert.Single(s.Decisions);
        Assert.True(d.IsGo);
        Assert.Null(d.LogPath);
        Assert.Equal(1, d.BaselineRuns);
        Assert.EndsWith("Logs: none (not logged)\n", GateReport.FormatDecision(d), StringComparison.Ordinal);
    }
}
