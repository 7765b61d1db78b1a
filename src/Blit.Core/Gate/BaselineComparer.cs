using Blit.Benchmarking;

namespace Blit.Gate;

/// <summary>
/// Turns measurements into the gate's decisions (DESIGN.md §5). Pure: everything it knows
/// comes from the measurements, the baseline store and the options.
/// </summary>
/// <remarks>
/// Per workload and size: ratio = comparator median seconds / Blit median seconds. GO when
/// the ratio ≥ threshold, Blit's peak memory and median CPU seconds stay within tolerance of
/// the baseline (when there is one), and both tools' runs were verified on the same machine
/// and tree. Anything missing — Blit figures, comparator figures — is NO-GO with that reason.
/// </remarks>
public static class BaselineComparer
{
    /// <summary>Ratios this close below the threshold are rounding, not slowness (0.57 / 0.6 is 0.94999…).</summary>
    private const double RatioRounding = 1e-9;

    /// <summary>Decides every workload (and size) in <paramref name="measurements"/>.</summary>
    public static GateSummary Compare(IEnumerable<WorkloadMeasurement> measurements, BaselineStore? baselines = null,
        GateOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(measurements);
        options ??= new GateOptions();
        options.Validate();
        baselines ??= BaselineStore.Empty;

        List<WorkloadMeasurement> all = [.. measurements];
        if (all.Any(m => m is null))
        {
            throw new ArgumentException("A measurement is null.", nameof(measurements));
        }
        var decisions = all
            .GroupBy(m => (m.Workload, m.SizeLabel, m.Mode))
            .OrderBy(g => g.Key.Workload)
            .ThenBy(g => g.Max(m => m.TotalBytes))
            .ThenBy(g => g.Key.SizeLabel, StringComparer.Ordinal)
            .ThenBy(g => g.Key.Mode)
            .Select(g => Decide([.. g], baselines, options))
            .ToList();

        var notes = new List<string>();
        if (baselines.Problems.Count > 0)
        {
            notes.Add(FormattableString.Invariant(
                $"{baselines.Problems.Count} results file(s) under '{baselines.Folder}' could not be read and were skipped as baselines"));
            notes.AddRange(baselines.Problems.Take(5).Select(p => "skipped: " + p));
        }
        return new GateSummary(decisions, notes, baselines.Folder);
    }

    /// <summary>Decides one workload, size and mode from its measurements (Blit's and the comparator's, all of that mode).</summary>
    public static WorkloadDecision Decide(IReadOnlyList<WorkloadMeasurement> group, BaselineStore baselines, GateOptions options)
    {
        ArgumentNullException.ThrowIfNull(group);
        ArgumentNullException.ThrowIfNull(baselines);
        ArgumentNullException.ThrowIfNull(options);
        if (group.Count == 0)
        {
            throw new ArgumentException("No measurements.", nameof(group));
        }
        if (group.Select(m => m.Mode).Distinct().Count() > 1)
        {
            throw new ArgumentException("Warm and cold measurements are never decided together.", nameof(group));
        }

        var failed = new FailedChecks();
        var passed = new List<string>();
        var notes = new List<string>();

        List<WorkloadMeasurement> blits = [.. group.Where(m => !m.IsComparator).OrderByDescending(m => m.Timestamp)];
        WorkloadMeasurement? blit = blits.FirstOrDefault();
        if (blits.Count > 1)
        {
            notes.Add(FormattableString.Invariant(
                $"{blits.Count - 1} older Blit measurement(s) of this workload in the input were not decided on; the latest ({blit!.Timestamp:u}) was"));
        }
        // cp copies but does not mirror: its figures are a reference beside the gate, never its comparator.
        List<WorkloadMeasurement> comparators = [.. group.Where(m => m.IsComparator && m.Tool != CpTool.ToolName)];
        int copyOnly = group.Count(m => m.IsComparator && m.Tool == CpTool.ToolName);
        if (copyOnly > 0)
        {
            notes.Add($"{copyOnly} cp measurement(s) in the input are a reference, not a mirror comparator, and were not used");
        }
        WorkloadMeasurement? comparator = PickComparator(comparators, blit);
        if (comparators.Count > 1)
        {
            notes.Add(FormattableString.Invariant(
                $"{comparators.Count - 1} other comparator measurement(s) in the input were not used; {comparator!.Tool} of {comparator.Timestamp:u} was"));
        }
        string comparatorName = comparator?.Tool ?? "comparator";

        // Figures must exist and be trustworthy before they are compared.
        bool blitTrusted = false;
        if (blit is null)
        {
            failed.Add(GateCheck.Figures, "no Blit figures: the input has only comparator runs for this workload");
        }
        else if (RunFailure(blit, "Blit") is string blitFailure)
        {
            failed.Add(GateCheck.Verification, blitFailure);
        }
        else
        {
            blitTrusted = true;
            passed.Add(FormattableString.Invariant($"verified: all {blit.Samples.Count} Blit runs left the destination matching the source"));
        }
        if (comparator is null)
        {
            failed.Add(GateCheck.Figures, "no comparator figures: nothing measured Blit against (rsync on Linux/macOS, robocopy on Windows)");
        }
        else if (RunFailure(comparator, comparator.Tool) is string comparatorFailure)
        {
            failed.Add(GateCheck.Verification, comparatorFailure + "; its time cannot be compared");
        }

        if (blit is not null && comparator is not null)
        {
            IReadOnlyList<string> diffs = MachineIdentity.Differences(blit.System, comparator.System);
            if (diffs.Count > 0)
            {
                failed.Add(GateCheck.Machine, $"machine mismatch: Blit and {comparatorName} were measured on different machines ({string.Join("; ", diffs)})");
            }
            if (blit.TotalBytes != comparator.TotalBytes || blit.FileCount != comparator.FileCount)
            {
                failed.Add(GateCheck.Size, FormattableString.Invariant(
                    $"size mismatch: Blit's tree is {GateText.Count(blit.FileCount)} files, {GateText.Bytes(blit.TotalBytes)}; {comparatorName}'s is {GateText.Count(comparator.FileCount)} files, {GateText.Bytes(comparator.TotalBytes)}"));
            }
        }

        // Speed.
        double? ratio = null, worstCase = null, bestCase = null;
        if (blit is not null && comparator is not null)
        {
            if (IsValidTime(blit.MedianSeconds) && IsValidTime(comparator.MedianSeconds))
            {
                ratio = comparator.MedianSeconds / blit.MedianSeconds;
                string figures = $"{comparatorName} {GateText.Seconds(comparator.MedianSeconds)} / Blit {GateText.Seconds(blit.MedianSeconds)}, medians" +
                    (blit.Mode == BenchmarkMode.Cold ? "; cold: Blit timed as a whole fresh process, start-up included" : string.Empty);
                if (IsValidTime(blit.MaxSeconds) && IsValidTime(comparator.MinSeconds))
                {
                    worstCase = comparator.MinSeconds / blit.MaxSeconds;
                }
                if (IsValidTime(blit.MinSeconds) && IsValidTime(comparator.MaxSeconds))
                {
                    bestCase = comparator.MaxSeconds / blit.MinSeconds;
                }
                double threshold = blit.Mode == BenchmarkMode.Cold ? options.ColdThreshold : options.Threshold;
                if (threshold == 0)
                {
                    passed.Add($"speed (cold): ratio {GateText.Ratio(ratio.Value)}, reported, not gated (ColdThreshold 0) ({figures})");
                }
                else if (ratio.Value >= threshold * (1 - RatioRounding))
                {
                    passed.Add($"speed: ratio {GateText.Ratio(ratio.Value, threshold)} ≥ threshold {GateText.Ratio(threshold)} ({figures})");
                    if (worstCase < threshold)
                    {
                        notes.Add($"borderline: the margin is within the noise ({comparatorName}'s fastest run / Blit's slowest = {GateText.Ratio(worstCase.Value, threshold)} < {GateText.Ratio(threshold)})");
                    }
                }
                else
                {
                    failed.Add(GateCheck.Speed, $"speed: ratio {GateText.Ratio(ratio.Value, threshold)} < threshold {GateText.Ratio(threshold)} ({figures}): Blit is slower than allowed");
                    if (bestCase >= threshold)
                    {
                        notes.Add($"borderline: within the noise ({comparatorName}'s slowest run / Blit's fastest = {GateText.Ratio(bestCase.Value, threshold)} ≥ {GateText.Ratio(threshold)}); more runs would tell");
                    }
                }
            }
            else
            {
                failed.Add(GateCheck.Speed, $"speed: no valid median time (Blit {blit.MedianSeconds} s, {comparatorName} {comparator.MedianSeconds} s)");
            }
        }

        // Memory and CPU against the baseline: only for verified Blit runs (a failed run's figures mean nothing).
        Baseline? baseline = null;
        double? memoryChange = null, cpuChange = null;
        if (blit is not null && blitTrusted)
        {
            baseline = baselines.Find(blit, options.BaselineRuns);
            notes.AddRange(baseline.Notes);
            string figureName = GateText.Memory(blit.MemoryFigure);
            if (blit.MemoryBytes is long blitMemory && baseline.MemoryBytes is long baseMemory)
            {
                double limit = Math.Max(baseMemory * (1 + options.MemoryTolerance), baseMemory + (double)options.MemoryNoiseBytes);
                memoryChange = baseMemory > 0 ? (blitMemory - baseMemory) / (double)baseMemory : null;
                string figures = FormattableString.Invariant(
                    $"{figureName} {GateText.Bytes(blitMemory)} vs baseline {GateText.Bytes(baseMemory)}{ChangeText(memoryChange)} from {baseline.Runs.Count} earlier run(s); allowed up to {GateText.Bytes(limit)} (+{GateText.Percent(options.MemoryTolerance)}, at least +{GateText.Bytes(options.MemoryNoiseBytes)})");
                if (blitMemory <= limit)
                {
                    passed.Add("memory: " + figures);
                }
                else
                {
                    failed.Add(GateCheck.Memory, "memory regression: " + figures);
                }
            }
            else if (baseline.Runs.Count > 0)
            {
                notes.Add($"memory not compared: {(blit.MemoryBytes is null ? "this run" : "the baseline")} has no {figureName} figure");
            }
            if (baseline.CpuSeconds is double baseCpu)
            {
                double limit = Math.Max(baseCpu * (1 + options.CpuTolerance), baseCpu + options.CpuNoiseSeconds);
                cpuChange = baseCpu > 0 ? (blit.MedianCpuSeconds - baseCpu) / baseCpu : null;
                string figures = FormattableString.Invariant(
                    $"{GateText.Seconds(blit.MedianCpuSeconds)} median vs baseline {GateText.Seconds(baseCpu)}{ChangeText(cpuChange)} from {baseline.Runs.Count} earlier run(s); allowed up to {GateText.Seconds(limit)} (+{GateText.Percent(options.CpuTolerance)}, at least +{GateText.Seconds(options.CpuNoiseSeconds)})");
                if (blit.MedianCpuSeconds <= limit)
                {
                    passed.Add("CPU: " + figures);
                }
                else
                {
                    failed.Add(GateCheck.Cpu, "CPU regression: " + figures);
                }
            }
        }

        WorkloadMeasurement any = blit ?? comparator!;
        return new WorkloadDecision
        {
            Workload = any.Workload,
            SizeLabel = any.SizeLabel,
            Mode = any.Mode,
            TotalBytes = any.TotalBytes,
            FileCount = any.FileCount,
            Decision = failed.Count == 0 ? GateDecision.Go : GateDecision.NoGo,
            Reasons = failed.Count == 0 ? passed : failed.Messages,
            FailedChecks = failed.Checks,
            Notes = notes,
            Comparator = comparator?.Tool,
            BlitMedianSeconds = blit?.MedianSeconds,
            ComparatorMedianSeconds = comparator?.MedianSeconds,
            Ratio = ratio,
            WorstCaseRatio = worstCase,
            BestCaseRatio = bestCase,
            Threshold = options.Threshold,
            BlitMiBPerSecond = blit?.MiBPerSecond,
            ComparatorMiBPerSecond = comparator?.MiBPerSecond,
            BlitFilesPerSecond = blit?.FilesPerSecond,
            ComparatorFilesPerSecond = comparator?.FilesPerSecond,
            BlitMinSeconds = blit?.MinSeconds,
            BlitMaxSeconds = blit?.MaxSeconds,
            ComparatorMinSeconds = comparator?.MinSeconds,
            ComparatorMaxSeconds = comparator?.MaxSeconds,
            BlitSpread = blit is null ? null : Spread(blit),
            ComparatorSpread = comparator is null ? null : Spread(comparator),
            MemoryFigure = blit?.MemoryFigure,
            BlitMemoryBytes = blit?.MemoryBytes,
            BaselineMemoryBytes = baseline?.MemoryBytes,
            MemoryChange = memoryChange,
            BlitCpuSeconds = blit?.MedianCpuSeconds,
            BaselineCpuSeconds = baseline?.CpuSeconds,
            CpuChange = cpuChange,
            MemoryTolerance = options.MemoryTolerance,
            CpuTolerance = options.CpuTolerance,
            BaselineRuns = baseline?.Runs.Count ?? 0,
            BaselineFiles = baseline is null ? [] : [.. baseline.Runs.Select(r => r.FilePath).Distinct(StringComparer.Ordinal)],
            WarmupRuns = any.WarmupRuns,
            Runs = any.Samples.Count,
            LogPath = NullIfEmpty(blit?.LogPath) ?? NullIfEmpty(comparator?.LogPath),
            Timestamp = any.Timestamp,
            System = any.System,
            Blit = blit,
            ComparatorMeasurement = comparator,
        };
    }

    /// <summary>The comparator run paired with <paramref name="blit"/>: from the same results file, else the same or nearest time.</summary>
    private static WorkloadMeasurement? PickComparator(List<WorkloadMeasurement> comparators, WorkloadMeasurement? blit)
    {
        if (comparators.Count == 0)
        {
            return null;
        }
        if (blit is null)
        {
            return comparators.MaxBy(m => m.Timestamp);
        }
        if (!string.IsNullOrEmpty(blit.ResultsPath))
        {
            WorkloadMeasurement? sameFile = comparators.FirstOrDefault(m =>
                !string.IsNullOrEmpty(m.ResultsPath) && string.Equals(Path.GetFullPath(m.ResultsPath), Path.GetFullPath(blit.ResultsPath), StringComparison.Ordinal));
            if (sameFile is not null)
            {
                return sameFile;
            }
        }
        return comparators.MinBy(m => (m.Timestamp - blit.Timestamp).Duration());
    }

    /// <summary>Why a tool's runs cannot be trusted, or null when they were all verified.</summary>
    private static string? RunFailure(WorkloadMeasurement m, string name)
    {
        if (m.Samples.Count == 0)
        {
            return $"no {name} figures: {name} has no measured runs";
        }
        int failedRuns = Math.Max(m.FailedRuns, m.Samples.Count(s => !s.Verified));
        if (failedRuns == 0)
        {
            return null;
        }
        string? why = m.Samples.FirstOrDefault(s => !s.Verified)?.Failure;
        return FormattableString.Invariant(
            $"{name} failed {failedRuns} of {m.Samples.Count} measured runs (verification or tool error): {why ?? "no failure text recorded"}");
    }

    /// <summary>The checks that failed, in order, with their messages.</summary>
    private sealed class FailedChecks
    {
        public List<GateCheck> Checks { get; } = [];

        public List<string> Messages { get; } = [];

        public int Count => Messages.Count;

        public void Add(GateCheck check, string message)
        {
            if (!Checks.Contains(check))
            {
                Checks.Add(check);
            }
            Messages.Add(message);
        }
    }

    private static string? NullIfEmpty(string? s) => string.IsNullOrEmpty(s) ? null : s;

    private static bool IsValidTime(double seconds) => double.IsFinite(seconds) && seconds > 0;

    private static double? Spread(WorkloadMeasurement m) =>
        IsValidTime(m.MedianSeconds) && double.IsFinite(m.MaxSeconds) && double.IsFinite(m.MinSeconds)
            ? (m.MaxSeconds - m.MinSeconds) / m.MedianSeconds : null;

    private static string ChangeText(double? change) => change is double c ? $" ({GateText.Change(c)})" : string.Empty;
}
