namespace Blit.Benchmarking;

/// <summary>Summary figures over runs. Pure functions; the median of an even count is the mean of the middle two.</summary>
public static class Statistics
{
    /// <summary>The median; of an even count, the mean of the middle two.</summary>
    public static double Median(IEnumerable<double> values)
    {
        double[] sorted = Sorted(values);
        int mid = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }

    /// <summary>The smallest value.</summary>
    public static double Min(IEnumerable<double> values) => Sorted(values)[0];

    /// <summary>The largest value.</summary>
    public static double Max(IEnumerable<double> values) => Sorted(values)[^1];

    /// <summary>amount / seconds, or 0 when nothing was timed (never infinity: results.json must stay valid JSON).</summary>
    public static double Rate(double amount, double seconds) => seconds > 0 ? amount / seconds : 0;

    /// <summary>
    /// Summarizes one tool's runs into a <see cref="WorkloadMeasurement"/>. The time figures come from
    /// the verified runs; when none verified they come from all runs, and the measurement says it
    /// failed (<see cref="WorkloadMeasurement.Verified"/> is false).
    /// </summary>
    public static WorkloadMeasurement Summarize(MeasurementContext context, IReadOnlyList<RunSample> samples)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(samples);
        if (samples.Count == 0)
        {
            throw new ArgumentException("At least one measured run is needed for a summary.", nameof(samples));
        }
        var good = samples.Where(s => s.Verified).ToList();
        IReadOnlyList<RunSample> basis = good.Count > 0 ? good : samples;
        double median = Median(basis.Select(s => s.WallSeconds));
        return new WorkloadMeasurement
        {
            Workload = context.Workload,
            SizeLabel = context.SizeLabel,
            TotalBytes = context.TotalBytes,
            FileCount = context.FileCount,
            EntryCount = context.EntryCount,
            Tool = context.Tool,
            Command = context.Command,
            IsComparator = context.IsComparator,
            ToolVersion = context.ToolVersion,
            RunsOn = context.RunsOn,
            WarmupRuns = context.WarmupRuns,
            Samples = [.. samples], // a copy: the runner reuses its list for the next mode
            MedianSeconds = median,
            MinSeconds = Min(basis.Select(s => s.WallSeconds)),
            MaxSeconds = Max(basis.Select(s => s.WallSeconds)),
            MedianCpuSeconds = Median(basis.Select(s => s.CpuSeconds)),
            PeakMemoryBytes = samples.Max(s => s.PeakMemoryBytes),
            MemoryGrowthBytes = samples.Max(s => s.MemoryGrowthBytes),
            Mode = context.Mode,
            MiBPerSecond = Rate(context.TotalBytes / (double)WorkloadSpec.MiB, median),
            FilesPerSecond = Rate(context.FileCount, median),
            FailedRuns = samples.Count - good.Count,
            PlannerNotes = context.PlannerNotes,
            Timestamp = context.Timestamp,
            System = context.System,
            LogPath = context.LogPath,
            ResultsPath = context.ResultsPath,
            Options = context.Options,
        };
    }

    private static double[] Sorted(IEnumerable<double> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        double[] array = [.. values];
        if (array.Length == 0)
        {
            throw new ArgumentException("No values.", nameof(values));
        }
        Array.Sort(array);
        return array;
    }
}

/// <summary>Everything about a measurement except its runs.</summary>
public sealed record MeasurementContext
{
    /// <summary>The workload measured.</summary>
    public required Workload Workload { get; init; }
    /// <summary>Distinguishes sizes of one workload, e.g. "1024MiB".</summary>
    public required string SizeLabel { get; init; }
    /// <summary>Bytes the workload moves in one run.</summary>
    public required long TotalBytes { get; init; }
    /// <summary>Files in the workload tree.</summary>
    public required long FileCount { get; init; }
    /// <summary>Entries below the tree's root (files, directories, symlinks).</summary>
    public long EntryCount { get; init; }
    /// <summary>"blit" or the comparator's name.</summary>
    public required string Tool { get; init; }
    /// <summary>The command as run.</summary>
    public required string Command { get; init; }
    /// <summary>True for the comparator.</summary>
    public required bool IsComparator { get; init; }
    /// <summary>The tool's version, when known.</summary>
    public string? ToolVersion { get; init; }
    /// <summary>Cold Blit only: what its fresh process ran on (<see cref="BlitProcessCommand.Runtime"/>).</summary>
    public string? RunsOn { get; init; }
    /// <summary>How Blit was run: in the measuring process (warm) or in a fresh pwsh per run (cold).</summary>
    public BenchmarkMode Mode { get; init; }
    /// <summary>Warm-up runs before the measured ones.</summary>
    public required int WarmupRuns { get; init; }
    /// <summary>Planner choices for Blit; null for comparators.</summary>
    public string? PlannerNotes { get; init; }
    /// <summary>When the measurement finished.</summary>
    public required DateTimeOffset Timestamp { get; init; }
    /// <summary>The machine measured on.</summary>
    public required SystemInfo System { get; init; }
    /// <summary>The bench.log written to; null if not logged.</summary>
    public string? LogPath { get; init; }
    /// <summary>The results.json beside the log.</summary>
    public string? ResultsPath { get; init; }
    /// <summary>Benchmark options that change what is measured (cold cache, flush).</summary>
    public IReadOnlyList<string> Options { get; init; } = [];
}
