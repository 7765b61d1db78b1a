using System.Text;
using Blit.Benchmarking;

namespace Blit.Gate;

/// <summary>
/// The gate's reports, from the decision objects: the reporting template of DESIGN.md §5 per
/// workload, and the DEVLOG entry (a summary table). Invariant culture, "\n" line ends, paths
/// shown relative to a folder of the caller's choice (the repository root, for DEVLOG links).
/// </summary>
public static class GateReport
{
    /// <summary>The §5 reporting template for one decision.</summary>
    public static string FormatDecision(WorkloadDecision decision, string? relativeTo = null)
    {
        ArgumentNullException.ThrowIfNull(decision);
        var sb = new StringBuilder();
        sb.Append("Platform: ").Append(PlatformText(decision.System)).Append('\n');
        sb.Append(FormattableString.Invariant(
            $"Workload: {decision.Name} — {GateText.Count(decision.FileCount)} {(decision.FileCount == 1 ? "file" : "files")}, {GateText.Bytes(decision.TotalBytes)} ({decision.WarmupRuns} warmup, {decision.Runs} runs)\n"));
        sb.Append("  ").Append(ToolLine(decision.Blit, "blit mirror")).Append('\n');
        sb.Append("  ").Append(ToolLine(decision.ComparatorMeasurement, decision.Comparator ?? "comparator")).Append('\n');
        if (decision.Blit is not null)
        {
            sb.Append("  ").Append(ResourceLine(decision)).Append('\n');
        }
        sb.Append("Decision: ").Append(decision.DecisionLabel);
        if (decision.Ratio is double ratio)
        {
            sb.Append(" (blit ").Append(GateText.Percent(ratio)).Append(" of ").Append(decision.Comparator).Append(" throughput)");
        }
        sb.Append('\n');
        if (!decision.IsGo)
        {
            foreach (string reason in decision.Reasons)
            {
                sb.Append("  - ").Append(reason).Append('\n');
            }
        }
        foreach (string note in decision.Notes)
        {
            sb.Append("  note: ").Append(note).Append('\n');
        }
        sb.Append("Logs: ").Append(LogsText(decision, relativeTo)).Append('\n');
        return sb.ToString();
    }

    /// <summary>Every decision's template, then the overall decision and its reasons.</summary>
    public static string FormatSummary(GateSummary summary, string? relativeTo = null)
    {
        ArgumentNullException.ThrowIfNull(summary);
        var sb = new StringBuilder();
        foreach (WorkloadDecision d in summary.Decisions)
        {
            sb.Append(FormatDecision(d, relativeTo)).Append('\n');
        }
        sb.Append("Overall: ").Append(summary.ToString()).Append('\n');
        foreach (string reason in summary.Reasons)
        {
            sb.Append("  - ").Append(reason).Append('\n');
        }
        foreach (string note in summary.Notes)
        {
            sb.Append("  note: ").Append(note).Append('\n');
        }
        return sb.ToString();
    }

    /// <summary>The DEVLOG summary table (Markdown): workload, Blit, comparator, ratio, decision, log link.</summary>
    public static string FormatTable(GateSummary summary, string? relativeTo = null)
    {
        ArgumentNullException.ThrowIfNull(summary);
        var sb = new StringBuilder();
        sb.Append("| workload | blit | comparator | ratio | decision | log |\n");
        sb.Append("|---|---|---|---|---|---|\n");
        foreach (WorkloadDecision d in summary.Decisions)
        {
            string blit = d.Blit is null ? "—" : Cell(d.Blit);
            string comparator = d.ComparatorMeasurement is null ? "—" : d.ComparatorMeasurement.Tool + " " + Cell(d.ComparatorMeasurement);
            string ratio = d.Ratio is double r ? GateText.Ratio(r, d.Threshold) : "—";
            string decision = d.IsGo ? d.DecisionLabel : "**NO-GO**";
            string log = d.LogPath is null ? "—" : $"[{Path.GetFileName(d.LogPath)}]({LinkPath(d.LogPath, relativeTo)})";
            sb.Append("| ").Append(Escape(d.Name))
              .Append(" | ").Append(Escape(blit))
              .Append(" | ").Append(Escape(comparator))
              .Append(" | ").Append(ratio)
              .Append(" | ").Append(decision)
              .Append(" | ").Append(log)
              .Append(" |\n");
        }
        return sb.ToString();
    }

    /// <summary>A dated DEVLOG entry: heading with the overall decision, platform, table, reasons and notes.</summary>
    public static string FormatDevlogEntry(GateSummary summary, DateTimeOffset date, string? relativeTo = null)
    {
        ArgumentNullException.ThrowIfNull(summary);
        var sb = new StringBuilder();
        sb.Append(FormattableString.Invariant($"## {date.UtcDateTime:yyyy-MM-dd HH:mm} UTC — gate: {summary}\n\n"));
        sb.Append("Platform: ").Append(PlatformText(summary.System));
        if (summary.System is not null)
        {
            sb.Append("; machine ").Append(MachineIdentity.Describe(summary.System));
        }
        if (summary.Decisions.Count > 0)
        {
            WorkloadDecision first = summary.Decisions[0];
            sb.Append(FormattableString.Invariant(
                $". Threshold {GateText.Ratio(first.Threshold)}; memory within +{GateText.Percent(first.MemoryTolerance)} and CPU within +{GateText.Percent(first.CpuTolerance)} of the baseline"));
        }
        if (summary.Decisions.Any(d => d.Mode == BenchmarkMode.Cold))
        {
            sb.Append(". Rows marked (cold) time Blit as a fresh pwsh per run, start-up included; the others time it in the measuring pwsh (warm)");
        }
        sb.Append(".\n\n");
        sb.Append(FormatTable(summary, relativeTo));
        if (summary.Reasons.Count > 0)
        {
            sb.Append("\nNO-GO reasons:\n\n");
            foreach (string reason in summary.Reasons)
            {
                sb.Append("- ").Append(reason).Append('\n');
            }
        }
        var notes = summary.Decisions.SelectMany(d => d.Notes.Select(n => $"{d.Name}: {n}"))
            .Concat(summary.Notes).ToList();
        if (notes.Count > 0)
        {
            sb.Append("\nNotes:\n\n");
            foreach (string note in notes)
            {
                sb.Append("- ").Append(note).Append('\n');
            }
        }
        return sb.ToString();
    }

    /// <summary>
    /// How a tool is named in reports: "blit mirror" for Blit; for a comparator its tool name and
    /// the flags of its command line (e.g. "rsync -a --delete", "robocopy /MIR /R:0"), without the
    /// source and destination paths.
    /// </summary>
    public static string ToolLabel(WorkloadMeasurement measurement)
    {
        ArgumentNullException.ThrowIfNull(measurement);
        if (!measurement.IsComparator)
        {
            return measurement.Mode == BenchmarkMode.Cold ? "blit mirror (fresh pwsh per run)" : "blit mirror";
        }
        var flags = measurement.Command.Split(' ', StringSplitOptions.RemoveEmptyEntries)
            .Skip(1)
            .Where(IsFlag);
        return string.Join(' ', new[] { measurement.Tool }.Concat(flags));
    }

    /// <summary><paramref name="path"/> relative to <paramref name="relativeTo"/> when it lies below it, with '/' separators.</summary>
    public static string LinkPath(string path, string? relativeTo)
    {
        ArgumentNullException.ThrowIfNull(path);
        string shown = path;
        if (relativeTo is not null && Path.IsPathFullyQualified(path))
        {
            string relative = Path.GetRelativePath(relativeTo, path);
            // A path outside the folder stays absolute: "../../../tmp/x" helps no one.
            if (relative != ".." && !relative.StartsWith(".." + Path.DirectorySeparatorChar, StringComparison.Ordinal)
                && !Path.IsPathFullyQualified(relative))
            {
                shown = relative;
            }
        }
        return shown.Replace('\\', '/');
    }

    private static bool IsFlag(string token) =>
        token.StartsWith('-')
        // robocopy's switches: one slash, letters, optional ":value" (a path has more slashes).
        || (token.Length > 1 && token[0] == '/' && char.IsLetter(token[1]) && token.IndexOf('/', 1) < 0
            && token.TakeWhile(c => c != ':').Skip(1).All(char.IsLetter) && token.Any(char.IsUpper));

    private static string PlatformText(SystemInfo? system)
    {
        if (system is null)
        {
            return "unknown";
        }
        string os = system.OperatingSystem.Contains(system.Kernel, StringComparison.Ordinal)
            ? system.OperatingSystem
            : $"{system.OperatingSystem} {system.Kernel}";
        return $"{os} ({system.FileSystem}, {system.DeviceKind})";
    }

    private static string ToolLine(WorkloadMeasurement? m, string fallbackName)
    {
        if (m is null)
        {
            return $"{fallbackName}: no figures";
        }
        return FormattableString.Invariant(
            $"{ToolLabel(m)}: {GateText.Seconds(m.MedianSeconds)} median ({GateText.Rate(m.MiBPerSecond)}, {GateText.Count((long)Math.Round(m.FilesPerSecond))} files/s); runs {m.MinSeconds:0.000}–{m.MaxSeconds:0.000} s")
            + (m.FailedRuns > 0 ? FormattableString.Invariant($"; {m.FailedRuns} failed") : string.Empty);
    }

    private static string ResourceLine(WorkloadDecision d)
    {
        string memory = d.BlitMemoryBytes is long bytes && d.MemoryFigure is MemoryFigure figure
            ? "memory: " + GateText.Bytes(bytes) + " " + GateText.Memory(figure)
            : "memory: not measured";
        string cpu = "CPU: " + GateText.Seconds(d.BlitCpuSeconds ?? 0) + " median";
        if (d.BaselineMemoryBytes is long baseMemory)
        {
            memory += " (baseline " + GateText.Bytes(baseMemory) + (d.MemoryChange is double mc ? ", " + GateText.Change(mc) : string.Empty) +
                "; allowed +" + GateText.Percent(d.MemoryTolerance) + " or +" + GateText.Bytes(d.MemoryNoiseBytes) + ")";
        }
        if (d.BaselineCpuSeconds is double baseCpu)
        {
            cpu += " (baseline " + GateText.Seconds(baseCpu) + (d.CpuChange is double cc ? ", " + GateText.Change(cc) : string.Empty) +
                "; allowed +" + GateText.Percent(d.CpuTolerance) + " or +" + GateText.Seconds(d.CpuNoiseSeconds) + ")";
        }
        string baseline = d.BaselineRuns > 0
            ? FormattableString.Invariant($"; baseline of {d.BaselineRuns} earlier run(s)")
            : "; no baseline";
        return memory + "; " + cpu + baseline;
    }

    private static string LogsText(WorkloadDecision d, string? relativeTo)
    {
        var logs = new[] { d.Blit?.LogPath, d.ComparatorMeasurement?.LogPath, d.LogPath }
            .Where(p => !string.IsNullOrEmpty(p))
            .Select(p => LinkPath(p!, relativeTo))
            .Distinct(StringComparer.Ordinal)
            .ToList();
        return logs.Count == 0 ? "none (not logged)" : string.Join(", ", logs);
    }

    private static string Cell(WorkloadMeasurement m) =>
        $"{GateText.Seconds(m.MedianSeconds)} ({GateText.Rate(m.MiBPerSecond)})" + (m.FailedRuns > 0 ? FormattableString.Invariant($", {m.FailedRuns} failed") : string.Empty);

    private static string Escape(string cell) => cell.Replace("|", "\\|", StringComparison.Ordinal);
}
