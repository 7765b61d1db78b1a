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

    /// <summary>
    /// Decides one workload, size and mode from its measurements (Blit's and the comparator's, all of that mode): picks
    /// the pair to compare, then runs each check in turn — figures, verification, same machine and tree, speed, memory,
    /// CPU — each returning its own findings (passed, failed, or a note); GO when none failed.
    /// </summary>
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

        var findings = new List<Finding>();
        (WorkloadMeasurement? blit, WorkloadMeasurement? comparator) = PickPair(group, findings);
        findings.AddRange(CheckBlitFigures(blit));
        findings.AddRange(CheckComparatorFigures(comparator));
        findings.AddRange(CheckSameMachineAndTree(blit, comparator));
        SpeedFigures? speed = SpeedFigures.Of(blit, comparator);
        findings.AddRange(CheckSpeed(blit, comparator, speed, options));

        // Memory and CPU against the baseline: only for verified Blit runs (a failed run's figures mean nothing).
        bool blitTrusted = blit is not null && RunFailure(blit, "Blit") is null;
        Baseline? baseline = blitTrusted ? baselines.Find(blit!, options.BaselineRuns) : null;
        double? memoryChange = null, cpuChange = null;
        if (blit is not null && baseline is not null)
        {
            findings.AddRange(baseline.Notes.Select(n => Finding.Note(GateCheck.Memory, n)));
            findings.AddRange(CheckMemory(blit, baseline, options, out memoryChange));
            findings.AddRange(CheckCpu(blit, baseline, options, out cpuChange));
            if (findings.Any(f => f.Kind == FindingKind.Failed && f.Check == GateCheck.Cpu) && comparator is not null
                && RunFailure(comparator, comparator.Tool) is null)
            {
                findings.AddRange(NoteComparatorCpu(comparator, baselines.Find(comparator, options.BaselineRuns), options));
            }
        }

        List<Finding> failed = [.. findings.Where(f => f.Kind == FindingKind.Failed)];
        WorkloadMeasurement any = blit ?? comparator!;
        return new WorkloadDecision
        {
            Workload = any.Workload,
            SizeLabel = any.SizeLabel,
            Mode = any.Mode,
            TotalBytes = any.TotalBytes,
            FileCount = any.FileCount,
            Decision = failed.Count == 0 ? GateDecision.Go : GateDecision.NoGo,
            Reasons = failed.Count == 0 ? [.. findings.Where(f => f.Kind == FindingKind.Passed).Select(f => f.Text)] : [.. failed.Select(f => f.Text)],
            FailedChecks = [.. failed.Select(f => f.Check).Distinct()],
            Notes = [.. findings.Where(f => f.Kind == FindingKind.Note).Select(f => f.Text)],
            Comparator = comparator?.Tool,
            BlitMedianSeconds = blit?.MedianSeconds,
            ComparatorMedianSeconds = comparator?.MedianSeconds,
            Ratio = speed?.Ratio,
            WorstCaseRatio = speed?.WorstCase,
            BestCaseRatio = speed?.BestCase,
            Threshold = any.Mode == BenchmarkMode.Cold ? options.ColdThreshold : options.Threshold,
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
            MemoryNoiseBytes = options.MemoryNoiseBytes,
            CpuNoiseSeconds = options.CpuNoiseSeconds,
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

    /// <summary>
    /// The Blit measurement to decide on (the latest) and the comparator to decide against (cp is a reference, never the
    /// comparator); notes what was left out.
    /// </summary>
    private static (WorkloadMeasurement? Blit, WorkloadMeasurement? Comparator) PickPair(IReadOnlyList<WorkloadMeasurement> group,
        List<Finding> findings)
    {
        List<WorkloadMeasurement> blits = [.. group.Where(m => !m.IsComparator).OrderByDescending(m => m.Timestamp)];
        WorkloadMeasurement? blit = blits.FirstOrDefault();
        if (blits.Count > 1)
        {
            findings.Add(Finding.Note(GateCheck.Figures, FormattableString.Invariant(
                $"{blits.Count - 1} older Blit measurement(s) of this workload in the input were not decided on; the latest ({blit!.Timestamp:u}) was")));
        }
        // cp copies but does not mirror: its figures are a reference beside the gate, never its comparator.
        List<WorkloadMeasurement> comparators = [.. group.Where(m => m.IsComparator && m.Tool != CpTool.ToolName)];
        int copyOnly = group.Count(m => m.IsComparator && m.Tool == CpTool.ToolName);
        if (copyOnly > 0)
        {
            findings.Add(Finding.Note(GateCheck.Figures,
                $"{copyOnly} cp measurement(s) in the input are a reference, not a mirror comparator, and were not used"));
        }
        WorkloadMeasurement? comparator = PickComparator(comparators, blit);
        if (comparators.Count > 1)
        {
            findings.Add(Finding.Note(GateCheck.Figures, FormattableString.Invariant(
                $"{comparators.Count - 1} other comparator measurement(s) in the input were not used; {comparator!.Tool} of {comparator.Timestamp:u} was")));
        }
        return (blit, comparator);
    }

    /// <summary>Blit's figures exist and every one of its runs verified.</summary>
    internal static IEnumerable<Finding> CheckBlitFigures(WorkloadMeasurement? blit)
    {
        if (blit is null)
        {
            yield return Finding.Fail(GateCheck.Figures, "no Blit figures: the input has only comparator runs for this workload");
        }
        else if (RunFailure(blit, "Blit") is string failure)
        {
            yield return Finding.Fail(GateCheck.Verification, failure);
        }
        else
        {
            yield return Finding.Pass(GateCheck.Verification,
                FormattableString.Invariant($"verified: all {blit.Samples.Count} Blit runs left the destination matching the source"));
        }
    }

    /// <summary>The comparator's figures exist and every one of its runs verified.</summary>
    internal static IEnumerable<Finding> CheckComparatorFigures(WorkloadMeasurement? comparator)
    {
        if (comparator is null)
        {
            yield return Finding.Fail(GateCheck.Figures,
                "no comparator figures: nothing measured Blit against (rsync on Linux/macOS, robocopy on Windows)");
        }
        else if (RunFailure(comparator, comparator.Tool) is string failure)
        {
            yield return Finding.Fail(GateCheck.Verification, failure + "; its time cannot be compared");
        }
    }

    /// <summary>Blit and the comparator were measured on the same machine, on the same tree.</summary>
    internal static IEnumerable<Finding> CheckSameMachineAndTree(WorkloadMeasurement? blit, WorkloadMeasurement? comparator)
    {
        if (blit is null || comparator is null)
        {
            yield break;
        }
        IReadOnlyList<string> diffs = MachineIdentity.Differences(blit.System, comparator.System);
        if (diffs.Count > 0)
        {
            yield return Finding.Fail(GateCheck.Machine,
                $"machine mismatch: Blit and {comparator.Tool} were measured on different machines ({string.Join("; ", diffs)})");
        }
        if (blit.TotalBytes != comparator.TotalBytes || blit.FileCount != comparator.FileCount)
        {
            yield return Finding.Fail(GateCheck.Size, FormattableString.Invariant(
                $"size mismatch: Blit's tree is {GateText.Count(blit.FileCount)} files, {GateText.Bytes(blit.TotalBytes)}; {comparator.Tool}'s is {GateText.Count(comparator.FileCount)} files, {GateText.Bytes(comparator.TotalBytes)}"));
        }
    }

    /// <summary>
    /// The ratio of the medians against the threshold of the mode (warm: <see cref="GateOptions.Threshold"/>; cold:
    /// <see cref="GateOptions.ColdThreshold"/>, where 0 reports without gating), with a note when the noise straddles it.
    /// </summary>
    internal static IEnumerable<Finding> CheckSpeed(WorkloadMeasurement? blit, WorkloadMeasurement? comparator, SpeedFigures? speed,
        GateOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (blit is null || comparator is null)
        {
            yield break;
        }
        string name = comparator.Tool;
        if (speed is null)
        {
            yield return Finding.Fail(GateCheck.Speed, $"speed: no valid median time (Blit {blit.MedianSeconds} s, {name} {comparator.MedianSeconds} s)");
            yield break;
        }
        double ratio = speed.Ratio;
        string figures = $"{name} {GateText.Seconds(comparator.MedianSeconds)} / Blit {GateText.Seconds(blit.MedianSeconds)}, medians" +
            (blit.Mode == BenchmarkMode.Cold ? "; cold: Blit timed as a whole fresh process, start-up included" : string.Empty);
        double threshold = blit.Mode == BenchmarkMode.Cold ? options.ColdThreshold : options.Threshold;
        if (threshold == 0)
        {
            yield return Finding.Pass(GateCheck.Speed, $"speed (cold): ratio {GateText.Ratio(ratio)}, reported, not gated (ColdThreshold 0) ({figures})");
        }
        else if (ratio >= threshold * (1 - RatioRounding))
        {
            yield return Finding.Pass(GateCheck.Speed, $"speed: ratio {GateText.Ratio(ratio, threshold)} ≥ threshold {GateText.Ratio(threshold)} ({figures})");
            if (speed.WorstCase < threshold)
            {
                yield return Finding.Note(GateCheck.Speed, $"borderline: the margin is within the noise ({name}'s fastest run / Blit's slowest = {GateText.Ratio(speed.WorstCase.Value, threshold)} < {GateText.Ratio(threshold)})");
            }
        }
        else
        {
            yield return Finding.Fail(GateCheck.Speed, $"speed: ratio {GateText.Ratio(ratio, threshold)} < threshold {GateText.Ratio(threshold)} ({figures}): Blit is slower than allowed");
            if (speed.BestCase >= threshold)
            {
                yield return Finding.Note(GateCheck.Speed, $"borderline: within the noise ({name}'s slowest run / Blit's fastest = {GateText.Ratio(speed.BestCase.Value, threshold)} ≥ {GateText.Ratio(threshold)}); more runs would tell");
            }
        }
    }

    /// <summary>Blit's memory figure within tolerance of the baseline's (the larger of the relative and the absolute allowance).</summary>
    internal static IEnumerable<Finding> CheckMemory(WorkloadMeasurement blit, Baseline baseline, GateOptions options, out double? change)
    {
        ArgumentNullException.ThrowIfNull(blit);
        ArgumentNullException.ThrowIfNull(baseline);
        ArgumentNullException.ThrowIfNull(options);
        change = null;
        string figureName = GateText.Memory(blit.MemoryFigure);
        if (blit.MemoryBytes is long blitMemory && baseline.MemoryBytes is long baseMemory)
        {
            double limit = Math.Max(baseMemory * (1 + options.MemoryTolerance), baseMemory + (double)options.MemoryNoiseBytes);
            change = baseMemory > 0 ? (blitMemory - baseMemory) / (double)baseMemory : null;
            string figures = FormattableString.Invariant(
                $"{figureName} {GateText.Bytes(blitMemory)} vs baseline {GateText.Bytes(baseMemory)}{ChangeText(change)} from {baseline.Runs.Count} earlier run(s); allowed up to {GateText.Bytes(limit)} (+{GateText.Percent(options.MemoryTolerance)}, at least +{GateText.Bytes(options.MemoryNoiseBytes)})");
            return [blitMemory <= limit ? Finding.Pass(GateCheck.Memory, "memory: " + figures) : Finding.Fail(GateCheck.Memory, "memory regression: " + figures)];
        }
        return baseline.Runs.Count > 0
            ? [Finding.Note(GateCheck.Memory, $"memory not compared: {(blit.MemoryBytes is null ? "this run" : "the baseline")} has no {figureName} figure")]
            : [];
    }

    /// <summary>Blit's median CPU seconds within tolerance of the baseline's (the larger of the relative and the absolute allowance).</summary>
    internal static IEnumerable<Finding> CheckCpu(WorkloadMeasurement blit, Baseline baseline, GateOptions options, out double? change)
    {
        ArgumentNullException.ThrowIfNull(blit);
        ArgumentNullException.ThrowIfNull(baseline);
        ArgumentNullException.ThrowIfNull(options);
        change = null;
        if (baseline.CpuSeconds is not double baseCpu)
        {
            return [];
        }
        double limit = CpuLimit(baseCpu, options);
        change = baseCpu > 0 ? (blit.MedianCpuSeconds - baseCpu) / baseCpu : null;
        string figures = FormattableString.Invariant(
            $"{GateText.Seconds(blit.MedianCpuSeconds)} median vs baseline {GateText.Seconds(baseCpu)}{ChangeText(change)} from {baseline.Runs.Count} earlier run(s); allowed up to {GateText.Seconds(limit)} (+{GateText.Percent(options.CpuTolerance)}, at least +{GateText.Seconds(options.CpuNoiseSeconds)})");
        return [blit.MedianCpuSeconds <= limit ? Finding.Pass(GateCheck.Cpu, "CPU: " + figures) : Finding.Fail(GateCheck.Cpu, "CPU regression: " + figures)];
    }

    /// <summary>The most CPU seconds within tolerance of <paramref name="baseCpu"/>: the larger of the relative and the absolute allowance.</summary>
    private static double CpuLimit(double baseCpu, GateOptions options) =>
        Math.Max(baseCpu * (1 + options.CpuTolerance), baseCpu + options.CpuNoiseSeconds);

    /// <summary>
    /// When Blit's CPU failed its check, whether the comparator's CPU in the same run rose beyond the same tolerance over its
    /// own baseline: then the machine itself was likely slower (another load, a slower host), and the note says so beside
    /// the NO-GO, which stands. Nothing when the comparator's CPU is level or it has no baseline.
    /// </summary>
    internal static IEnumerable<Finding> NoteComparatorCpu(WorkloadMeasurement comparator, Baseline baseline, GateOptions options)
    {
        ArgumentNullException.ThrowIfNull(comparator);
        ArgumentNullException.ThrowIfNull(baseline);
        ArgumentNullException.ThrowIfNull(options);
        if (baseline.CpuSeconds is not double baseCpu || baseCpu <= 0
            || comparator.MedianCpuSeconds <= CpuLimit(baseCpu, options))
        {
            return [];
        }
        double change = (comparator.MedianCpuSeconds - baseCpu) / baseCpu;
        return [Finding.Note(GateCheck.Cpu, FormattableString.Invariant(
            $"{comparator.Tool}'s CPU rose too in the same run: {GateText.Seconds(comparator.MedianCpuSeconds)} median vs its baseline {GateText.Seconds(baseCpu)}{ChangeText(change)} from {baseline.Runs.Count} earlier run(s); the machine itself may have been slower (compare the ratio, and measure the previous build beside this one)"))];
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

    /// <summary>What a finding is: a check passed, a check failed, or a note that does not change the decision.</summary>
    internal enum FindingKind
    {
        Passed,
        Failed,
        Note,
    }

    /// <summary>One finding of one check, with its reason.</summary>
    internal readonly record struct Finding(FindingKind Kind, GateCheck Check, string Text)
    {
        public static Finding Pass(GateCheck check, string text) => new(FindingKind.Passed, check, text);

        public static Finding Fail(GateCheck check, string text) => new(FindingKind.Failed, check, text);

        public static Finding Note(GateCheck check, string text) => new(FindingKind.Note, check, text);
    }

    /// <summary>The speed figures of a pair: the ratio of the medians, and the least and most it could be given the runs' noise.</summary>
    internal sealed record SpeedFigures(double Ratio, double? WorstCase, double? BestCase)
    {
        /// <summary>The figures of <paramref name="blit"/> against <paramref name="comparator"/>; null when either median is not a valid time.</summary>
        public static SpeedFigures? Of(WorkloadMeasurement? blit, WorkloadMeasurement? comparator) =>
            blit is null || comparator is null || !IsValidTime(blit.MedianSeconds) || !IsValidTime(comparator.MedianSeconds)
                ? null
                : new SpeedFigures(comparator.MedianSeconds / blit.MedianSeconds,
                    IsValidTime(blit.MaxSeconds) && IsValidTime(comparator.MinSeconds) ? comparator.MinSeconds / blit.MaxSeconds : null,
                    IsValidTime(blit.MinSeconds) && IsValidTime(comparator.MaxSeconds) ? comparator.MaxSeconds / blit.MinSeconds : null);
    }

    private static string? NullIfEmpty(string? s) => string.IsNullOrEmpty(s) ? null : s;

    private static bool IsValidTime(double seconds) => double.IsFinite(seconds) && seconds > 0;

    private static double? Spread(WorkloadMeasurement m) =>
        IsValidTime(m.MedianSeconds) && double.IsFinite(m.MaxSeconds) && double.IsFinite(m.MinSeconds)
            ? (m.MaxSeconds - m.MinSeconds) / m.MedianSeconds : null;

    private static string ChangeText(double? change) => change is double c ? $" ({GateText.Change(c)})" : string.Empty;
}
