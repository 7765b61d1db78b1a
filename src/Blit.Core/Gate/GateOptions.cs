using Blit.Errors;

namespace Blit.Gate;

/// <summary>The gate's rules (DESIGN.md §5). Fractions, not percentages: 0.95 is 95 %, 0.25 is +25 %.</summary>
public sealed class GateOptions
{
    /// <summary>The default <see cref="Threshold"/>.</summary>
    public const double DefaultThreshold = 0.95;
    /// <summary>The default <see cref="MemoryTolerance"/>.</summary>
    public const double DefaultMemoryTolerance = 0.25;
    /// <summary>The default <see cref="CpuTolerance"/>.</summary>
    public const double DefaultCpuTolerance = 0.25;

    /// <summary>
    /// Rises of peak memory up to this many bytes over the baseline are noise, whatever the
    /// percentage: a quick workload's peak is a few MiB, and one GC heap segment more is not a regression.
    /// </summary>
    public const long DefaultMemoryNoiseBytes = 8L << 20;

    /// <summary>Rises of CPU time up to this many seconds are noise (scheduler and timer granularity on a shared machine).</summary>
    public const double DefaultCpuNoiseSeconds = 0.05;

    /// <summary>How many of the latest earlier runs form the baseline (their median).</summary>
    public const int DefaultBaselineRuns = 5;

    /// <summary>Largest accepted threshold (Blit 100× faster than the comparator).</summary>
    public const double MaxThreshold = 100;

    /// <summary>Largest accepted tolerance (+10,000 %).</summary>
    public const double MaxTolerance = 100;

    /// <summary>GO needs comparator median / Blit median ≥ this.</summary>
    public double Threshold { get; init; } = DefaultThreshold;

    /// <summary>
    /// For cold measurements (Blit in a fresh pwsh, start-up included, against a bare comparator
    /// process): GO needs the ratio ≥ this; 0 (the default) reports the ratio without gating on
    /// it, since pwsh's own start-up (0.5 s and more) outweighs a small tree. Memory and CPU are
    /// still checked against earlier cold runs.
    /// </summary>
    public double ColdThreshold { get; init; }

    /// <summary>GO needs Blit's peak memory ≤ baseline × (1 + this) (or within the noise allowance).</summary>
    public double MemoryTolerance { get; init; } = DefaultMemoryTolerance;

    /// <summary>GO needs Blit's median CPU seconds ≤ baseline × (1 + this) (or within the noise allowance).</summary>
    public double CpuTolerance { get; init; } = DefaultCpuTolerance;

    /// <summary>Rises of peak memory up to this many bytes over the baseline are noise.</summary>
    public long MemoryNoiseBytes { get; init; } = DefaultMemoryNoiseBytes;

    /// <summary>Rises of CPU time up to this many seconds are noise.</summary>
    public double CpuNoiseSeconds { get; init; } = DefaultCpuNoiseSeconds;

    /// <summary>How many of the latest earlier runs form the baseline.</summary>
    public int BaselineRuns { get; init; } = DefaultBaselineRuns;

    /// <summary>Throws <see cref="BlitException"/> (InvalidArgument) naming the first value out of range.</summary>
    public void Validate()
    {
        if (!double.IsFinite(Threshold) || Threshold <= 0 || Threshold > MaxThreshold)
        {
            throw Invalid("Threshold", Threshold, $"a ratio greater than 0 and at most {MaxThreshold} (0.95 = Blit may take up to 1/0.95 of the comparator's time)");
        }
        if (!double.IsFinite(ColdThreshold) || ColdThreshold < 0 || ColdThreshold > MaxThreshold)
        {
            throw Invalid("ColdThreshold", ColdThreshold, $"a ratio from 0 (report only) to {MaxThreshold}");
        }
        if (!double.IsFinite(MemoryTolerance) || MemoryTolerance < 0 || MemoryTolerance > MaxTolerance)
        {
            throw Invalid("MemoryTolerance", MemoryTolerance, $"a fraction from 0 to {MaxTolerance} (0.25 = +25 %)");
        }
        if (!double.IsFinite(CpuTolerance) || CpuTolerance < 0 || CpuTolerance > MaxTolerance)
        {
            throw Invalid("CpuTolerance", CpuTolerance, $"a fraction from 0 to {MaxTolerance} (0.25 = +25 %)");
        }
        if (MemoryNoiseBytes < 0)
        {
            throw Invalid("MemoryNoiseBytes", MemoryNoiseBytes, "zero or more bytes");
        }
        if (!double.IsFinite(CpuNoiseSeconds) || CpuNoiseSeconds < 0)
        {
            throw Invalid("CpuNoiseSeconds", CpuNoiseSeconds, "zero or more seconds");
        }
        if (BaselineRuns < 1)
        {
            throw Invalid("BaselineRuns", BaselineRuns, "at least 1");
        }
    }

    private static BlitException Invalid(string name, double value, string expected) =>
        new(BlitErrorCode.InvalidArgument,
            string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{name} {value} is out of range: expected {expected}."));
}
