namespace Blit.Benchmarking;

/// <summary>Summary figures over runs. Pure functions; the median of an even count is the mean of the middle two.</summary>
public static class Statistics
{
    public static double Median(IEnumerable<double> values)
    {
        double[] sorted = Sorted(values);
        int mid = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }

    public static double Min(IEnumerable<double> values) => Sorted(values)[0];

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
            Tool = context.Tool,
            Command = context.Command,
            IsComparator = context.IsComparator,
            WarmupRuns = context.WarmupRuns,
            Samples = samples,
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
    public required Workload Workload { get; init; }
    public required string SizeLabel { get; init; }
    public required long TotalBytes { get; init; }
    public required long FileCount { get; init; }
    public required string Tool { get; init; }
    public required string Command { get; init; }
    public required bool IsComparator { get; init; }
    public BenchmarkMode Mode { get; init; }
    public required int WarmupRuns { get; init; }
    public string? PlannerNotes { get; init; }
    public required DateTimeOffset Timestamp { get; init; }
    public required SystemInfo System { get; init; }
    public string? LogPath { get; init; }
    public string? ResultsPath { get; init; }
    public IReadOnlyList<string> Options { get; init; } = [];
}
