using System.Text.Json.Serialization;
using Blit.Benchmarking;

namespace Blit.Gate;

/// <summary>The gate's verdict.</summary>
public enum GateDecision
{
    /// <summary>Blit is fast enough and did not regress.</summary>
    Go,

    /// <summary>Blit is too slow, regressed, failed, or there is nothing to compare.</summary>
    NoGo,
}

/// <summary>What a decision checks; a NO-GO names the ones that failed (<see cref="WorkloadDecision.FailedChecks"/>).</summary>
public enum GateCheck
{
    /// <summary>Blit and comparator figures both exist.</summary>
    Figures,

    /// <summary>Every measured run of both tools left the destination matching the source.</summary>
    Verification,

    /// <summary>Blit and the comparator were measured on the same machine.</summary>
    Machine,

    /// <summary>Blit and the comparator mirrored the same tree.</summary>
    Size,

    /// <summary>Ratio ≥ threshold.</summary>
    Speed,

    /// <summary>Peak memory within tolerance of the baseline.</summary>
    Memory,

    /// <summary>CPU seconds within tolerance of the baseline.</summary>
    Cpu,
}

/// <summary>
/// The gate's decision for one workload and size: the figures it was made from, the reasons,
/// and the noise seen. Raw numbers (seconds, bytes, fractions); views and reports format them.
/// </summary>
public sealed class WorkloadDecision
{
    /// <summary>The workload decided.</summary>
    public required Workload Workload { get; init; }

    /// <summary>The size of the workload, as Measure-BlitWorkload labels it (e.g. "100000files").</summary>
    public required string SizeLabel { get; init; }

    /// <summary>Warm (Blit in the measuring process) or cold (a fresh pwsh per Blit run); decided apart, against baselines of the same mode.</summary>
    public BenchmarkMode Mode { get; init; }

    /// <summary>Bytes the workload moves in one run.</summary>
    public required long TotalBytes { get; init; }

    /// <summary>Files in the workload tree.</summary>
    public required long FileCount { get; init; }

    /// <summary>GO or NO-GO.</summary>
    public required GateDecision Decision { get; init; }

    /// <summary>True when <see cref="Decision"/> is GO.</summary>
    public bool IsGo => Decision == GateDecision.Go;

    /// <summary>
    /// Why the decision is what it is: for NO-GO every failed check (which figure, against what);
    /// for GO every check that passed.
    /// </summary>
    public required IReadOnlyList<string> Reasons { get; init; }

    /// <summary>The checks that failed (empty on GO), so scripts can tell a speed NO-GO from a failed run.</summary>
    public IReadOnlyList<GateCheck> FailedChecks { get; init; } = [];

    /// <summary>What does not change the decision but matters to a reader: no baseline, machine mismatch, borderline margin.</summary>
    public required IReadOnlyList<string> Notes { get; init; }

    /// <summary>The comparator's tool name ("rsync", "robocopy"); null when there are no comparator figures.</summary>
    public string? Comparator { get; init; }

    /// <summary>Blit's median seconds.</summary>
    public double? BlitMedianSeconds { get; init; }

    /// <summary>The comparator's median seconds.</summary>
    public double? ComparatorMedianSeconds { get; init; }

    /// <summary>Comparator median seconds / Blit median seconds; 2.18 means Blit took 46 % of the comparator's time.</summary>
    public double? Ratio { get; init; }

    /// <summary>The least the ratio could be given the noise: comparator's fastest run / Blit's slowest.</summary>
    public double? WorstCaseRatio { get; init; }

    /// <summary>The most the ratio could be given the noise: comparator's slowest run / Blit's fastest.</summary>
    public double? BestCaseRatio { get; init; }

    /// <summary>
    /// The runs' noise straddles the threshold (worst-case ratio &lt; threshold ≤ best-case ratio):
    /// the speed verdict could have gone either way, and more or longer runs would tell.
    /// </summary>
    public bool IsBorderline => WorstCaseRatio is double worst && BestCaseRatio is double best
        && worst < Threshold && best >= Threshold;

    /// <summary>The speed threshold used (the cold one for a cold measurement; 0: the ratio is reported, not gated).</summary>
    public required double Threshold { get; init; }

    /// <summary>False when the ratio was only reported (a threshold of 0, the cold default): a GO then says nothing about speed.</summary>
    [JsonIgnore]
    public bool SpeedGated => Threshold > 0;

    /// <summary>"GO", "NO-GO", or "GO, not gated" when everything checked passed but the speed was only reported.</summary>
    [JsonIgnore]
    public string DecisionLabel => Decision == GateDecision.Go && !SpeedGated ? GateText.NotGated : GateText.Label(Decision);

    /// <summary>Blit's throughput, in MiB/s.</summary>
    public double? BlitMiBPerSecond { get; init; }

    /// <summary>The comparator's throughput, in MiB/s.</summary>
    public double? ComparatorMiBPerSecond { get; init; }

    /// <summary>Blit's files per second.</summary>
    public double? BlitFilesPerSecond { get; init; }

    /// <summary>The comparator's files per second.</summary>
    public double? ComparatorFilesPerSecond { get; init; }

    /// <summary>Blit's fastest run, in seconds.</summary>
    public double? BlitMinSeconds { get; init; }

    /// <summary>Blit's slowest run, in seconds.</summary>
    public double? BlitMaxSeconds { get; init; }

    /// <summary>The comparator's fastest run, in seconds.</summary>
    public double? ComparatorMinSeconds { get; init; }

    /// <summary>The comparator's slowest run, in seconds.</summary>
    public double? ComparatorMaxSeconds { get; init; }

    /// <summary>Blit's (max − min) / median: the noise of its runs.</summary>
    public double? BlitSpread { get; init; }

    /// <summary>The comparator's (max − min) / median.</summary>
    public double? ComparatorSpread { get; init; }

    /// <summary>
    /// Which memory figure Blit is checked by: cold, the child pwsh's whole-process peak; warm, the growth of the
    /// measuring process's peak during the engine call (never a process peak, never compared with the comparator's).
    /// </summary>
    public MemoryFigure? MemoryFigure { get; init; }

    /// <summary>Blit's <see cref="MemoryFigure"/>, in bytes.</summary>
    public long? BlitMemoryBytes { get; init; }

    /// <summary>Median of the baseline runs' same figure; null without a baseline.</summary>
    public long? BaselineMemoryBytes { get; init; }

    /// <summary>(Blit − baseline) / baseline memory figure; 0.1 is +10 %.</summary>
    public double? MemoryChange { get; init; }

    /// <summary>Blit's median CPU seconds.</summary>
    public double? BlitCpuSeconds { get; init; }

    /// <summary>Median of the baseline runs' median CPU seconds; null without a baseline.</summary>
    public double? BaselineCpuSeconds { get; init; }

    /// <summary>(Blit − baseline) / baseline CPU seconds.</summary>
    public double? CpuChange { get; init; }

    /// <summary>The memory tolerance used.</summary>
    public required double MemoryTolerance { get; init; }

    /// <summary>The CPU tolerance used.</summary>
    public required double CpuTolerance { get; init; }

    /// <summary>The least memory rise allowed whatever the tolerance (noise on small figures).</summary>
    public long MemoryNoiseBytes { get; init; } = GateOptions.DefaultMemoryNoiseBytes;

    /// <summary>The least CPU rise allowed whatever the tolerance (noise on small figures).</summary>
    public double CpuNoiseSeconds { get; init; } = GateOptions.DefaultCpuNoiseSeconds;

    /// <summary>How many earlier runs formed the baseline (0: none found).</summary>
    public required int BaselineRuns { get; init; }

    /// <summary>The results.json files the baseline runs came from.</summary>
    public required IReadOnlyList<string> BaselineFiles { get; init; }

    /// <summary>Warm-up runs before the measured ones.</summary>
    public int WarmupRuns { get; init; }

    /// <summary>Measured runs per tool (Blit's count).</summary>
    public int Runs { get; init; }

    /// <summary>Blit's bench.log (or the comparator's when Blit has none).</summary>
    public string? LogPath { get; init; }

    /// <summary>When Blit's measurement was taken.</summary>
    public DateTimeOffset? Timestamp { get; init; }

    /// <summary>The machine Blit was measured on.</summary>
    public SystemInfo? System { get; init; }

    /// <summary>The Blit measurement decided on.</summary>
    public WorkloadMeasurement? Blit { get; init; }

    /// <summary>The comparator measurement decided against.</summary>
    public WorkloadMeasurement? ComparatorMeasurement { get; init; }

    /// <summary>How reports name a decision: "NoOp 100000files" (warm), "NoOp 100000files (cold)".</summary>
    public string Name => Mode == BenchmarkMode.Cold ? $"{Workload} {SizeLabel} (cold)" : $"{Workload} {SizeLabel}";

    /// <summary>One line: workload, size, decision and ratio.</summary>
    public override string ToString() =>
        $"{Name}: {DecisionLabel}" + (Ratio is double r ? $" (ratio {GateText.Ratio(r, Threshold)})" : string.Empty);
}
