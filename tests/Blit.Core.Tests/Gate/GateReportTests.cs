using Blit.Benchmarking;
using Blit.Gate;
using static Blit.Tests.Gate.Synthetic;

namespace Blit.Tests.Gate;

public class GateReportTests
{
    private const string Log = "/repo/logs/linux/bench_smallfiles_20251128T120000Z/bench.log";

    private static GateSummary GoSummary() => BaselineComparer.Compare([
        Run("blit", 0.5, min: 0.45, max: 0.6, logPath: Log, resultsPath: "/repo/logs/linux/bench_smallfiles_20251128T120000Z/results.json"),
        Run("rsync", 1.09, min: 1.0, max: 1.2, logPath: Log, resultsPath: "/repo/logs/linux/bench_smallfiles_20251128T120000Z/results.json")]);

    [Fact]
    public void The_template_has_the_shape_of_DESIGN_section_5()
    {
        string text = GateReport.FormatDecision(Assert.Single(GoSummary().Decisions), "/repo");
        string[] lines = text.Split('\n');
        Assert.Equal("Platform: Ubuntu 24.04.1 LTS 6.8.0-49-generic (ext4, ssd)", lines[0]);
        Assert.Equal("Workload: SmallFiles 1000files — 1,000 files, 5.0 MiB (1 warmup, 5 runs)", lines[1]);
        Assert.Equal("  blit mirror: 0.500 s median (10.0 MiB/s, 2,000 files/s); runs 0.450–0.600 s", lines[2]);
        Assert.Equal("  rsync -a --delete: 1.090 s median (4.6 MiB/s, 917 files/s); runs 1.000–1.200 s", lines[3]);
        Assert.Equal("  memory: 100.0 MiB in-process growth; CPU: 1.000 s median; no baseline", lines[4]);
        Assert.Equal("Decision: GO (blit 218 % of rsync throughput)", lines[5]);
        Assert.StartsWith("  note: no baseline", lines[6], StringComparison.Ordinal);
        Assert.Equal("Logs: logs/linux/bench_smallfiles_20251128T120000Z/bench.log", lines[7]);
        Assert.Equal(string.Empty, lines[8]);
        Assert.Equal(9, lines.Length);
    }

    [Fact]
    public void A_NO_GO_template_lists_every_reason()
    {
        GateSummary s = BaselineComparer.Compare([Run("blit", 2.0, failed: 1)]);
        string text = GateReport.FormatDecision(Assert.Single(s.Decisions));
        Assert.Contains("\n  comparator: no figures\n", text, StringComparison.Ordinal);
        Assert.Contains("\nDecision: NO-GO\n", text, StringComparison.Ordinal);
        Assert.Contains("\n  - Blit failed 1 of 5 measured runs (verification or tool error): destination has 999 files, source 1000\n", text, StringComparison.Ordinal);
        Assert.Contains("\n  - no comparator figures:", text, StringComparison.Ordinal);
        Assert.Contains("; 1 failed\n", text, StringComparison.Ordinal);
        Assert.EndsWith("Logs: none (not logged)\n", text, StringComparison.Ordinal);
    }

    [Fact]
    public void A_NO_GO_template_with_a_ratio_shows_it_and_a_baseline_comparison_shows_the_change()
    {
        BaselineStore store = Store(BlitRun(0.5, memory: 100L << 20, cpu: 1.0, at: Now.AddDays(-1)));
        GateSummary s = BaselineComparer.Compare([BlitRun(1.0, memory: 150L << 20, cpu: 1.1), RsyncRun(0.9)], store);
        string text = GateReport.FormatDecision(Assert.Single(s.Decisions));
        Assert.Contains("\n  memory: 150.0 MiB in-process growth (baseline 100.0 MiB, +50.0 %; allowed +25 % or +8.0 MiB); CPU: 1.100 s median (baseline 1.000 s, +10.0 %; allowed +25 % or +0.050 s); baseline of 1 earlier run(s)\n", text, StringComparison.Ordinal);
        Assert.Contains("\nDecision: NO-GO (blit 90 % of rsync throughput)\n", text, StringComparison.Ordinal);
        Assert.Contains("\n  - speed: ratio 0.90 < threshold 0.95", text, StringComparison.Ordinal);
        Assert.Contains("\n  - memory regression: in-process growth 150.0 MiB", text, StringComparison.Ordinal);
    }

    [Fact]
    public void The_DEVLOG_table_has_one_row_per_workload_with_a_relative_log_link()
    {
        string table = GateReport.FormatTable(GoSummary(), "/repo");
        Assert.Equal(
            "| workload | blit | comparator | ratio | decision | log |\n" +
            "|---|---|---|---|---|---|\n" +
            "| SmallFiles 1000files | 0.500 s (10.0 MiB/s) | rsync 1.090 s (4.6 MiB/s) | 2.18 | GO | [bench.log](logs/linux/bench_smallfiles_20251128T120000Z/bench.log) |\n",
            table);
    }

    [Fact]
    public void A_NO_GO_row_is_marked_and_missing_figures_are_dashes()
    {
        string table = GateReport.FormatTable(BaselineComparer.Compare([Run("blit", 1.0, workload: Workload.NoOp)]));
        Assert.EndsWith("| NoOp 1000files | 1.000 s (5.0 MiB/s) | — | — | **NO-GO** | — |\n", table, StringComparison.Ordinal);
    }

    [Fact]
    public void The_DEVLOG_entry_is_dated_and_carries_the_overall_decision_reasons_and_notes()
    {
        GateSummary s = BaselineComparer.Compare([
            Run("blit", 0.5, logPath: Log), Run("rsync", 1.0, logPath: Log),
            Run("blit", 1.0, workload: Workload.NoOp, logPath: Log), Run("rsync", 0.5, workload: Workload.NoOp, logPath: Log)]);
        string entry = GateReport.FormatDevlogEntry(s, new DateTimeOffset(2025, 11, 28, 13, 5, 0, TimeSpan.FromHours(1)), "/repo");
        string[] lines = entry.Split('\n');
        Assert.Equal("## 2025-11-28 12:05 UTC — gate: NO-GO (1 of 2 workloads GO)", lines[0]);
        Assert.Equal("", lines[1]);
        Assert.StartsWith("Platform: Ubuntu 24.04.1 LTS 6.8.0-49-generic (ext4, ssd); machine bench1 (2 × AMD EPYC 7B13, 24.00 GiB RAM, ext4). Threshold 0.95; memory within +25 % and CPU within +25 % of the baseline.", lines[2], StringComparison.Ordinal);
        Assert.Contains("| SmallFiles 1000files | 0.500 s (10.0 MiB/s) | rsync 1.000 s (5.0 MiB/s) | 2.00 | GO |", entry, StringComparison.Ordinal);
        Assert.Contains("| NoOp 1000files | 1.000 s (5.0 MiB/s) | rsync 0.500 s (10.0 MiB/s) | 0.50 | **NO-GO** |", entry, StringComparison.Ordinal);
        Assert.Contains("\nNO-GO reasons:\n\n- NoOp 1000files: speed: ratio 0.50 < threshold 0.95 (rsync 0.500 s / Blit 1.000 s, medians): Blit is slower than allowed\n", entry, StringComparison.Ordinal);
        Assert.Contains("\nNotes:\n\n- SmallFiles 1000files: no baseline", entry, StringComparison.Ordinal);
    }

    [Fact]
    public void The_summary_report_ends_with_the_overall_decision()
    {
        GateSummary s = BaselineComparer.Compare([Run("blit", 1.0), Run("rsync", 0.5)]);
        string text = GateReport.FormatSummary(s);
        Assert.Contains("\nOverall: NO-GO (0 of 1 workloads GO)\n  - SmallFiles 1000files: speed: ratio 0.50 < threshold 0.95", text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("rsync -a --delete /tmp/b/src/ /tmp/b/rsync/", "rsync", "rsync -a --delete")]
    [InlineData("robocopy C:\\b\\src C:\\b\\robocopy /MIR /R:0 /W:0 /NFL /NDL /NJH /NJS /NP /MT:8", "robocopy", "robocopy /MIR /R:0 /W:0 /NFL /NDL /NJH /NJS /NP /MT:8")]
    [InlineData("rsync -a --delete /src/ /dst/", "rsync", "rsync -a --delete")]
    public void Comparators_are_labelled_by_their_flags_without_paths(string command, string tool, string label)
    {
        Assert.Equal(label, GateReport.ToolLabel(Run(tool, 1.0, command: command)));
    }

    [Theory]
    [InlineData("/repo/logs/a/bench.log", "/repo", "logs/a/bench.log")]
    [InlineData("/tmp/logs/a/bench.log", "/repo", "/tmp/logs/a/bench.log")]
    [InlineData("/repo/logs/a/bench.log", null, "/repo/logs/a/bench.log")]
    [InlineData("logs/a/bench.log", "/repo", "logs/a/bench.log")]
    public void Log_paths_are_relative_only_below_the_folder(string path, string? relativeTo, string shown)
    {
        Assert.Equal(shown, GateReport.LinkPath(path, relativeTo));
    }

    [Fact]
    public void Blit_is_labelled_as_in_the_template()
    {
        Assert.Equal("blit mirror", GateReport.ToolLabel(BlitRun(1.0)));
    }
}

public class GateTextTests
{
    [Theory]
    [InlineData(1.25638, 0.95, "1.26")]
    [InlineData(0.9499, 0.95, "0.9499")]
    [InlineData(0.95, 0.95, "0.95")]
    [InlineData(0.949999, 0.95, "0.949999")]
    [InlineData(2.0, null, "2.00")]
    public void Ratios_show_two_decimals_unless_more_are_needed_to_differ_from_the_threshold(double ratio, double? threshold, string shown)
    {
        Assert.Equal(shown, GateText.Ratio(ratio, threshold));
    }
}
