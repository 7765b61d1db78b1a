using System.Globalization;
using Blit.Benchmarking;

namespace Blit.Cmdlets.Infrastructure;

/// <summary>
/// Human units for the format views and progress (the objects keep raw numbers): sizes in
/// B/KiB/MiB/GiB, rates always in MiB/s so rows compare at a glance, durations rounded.
/// Every figure is in the current culture; a missing figure (null) is an em dash.
/// </summary>
public static class Units
{
    private const double MiB = 1L << 20;
    private const string Missing = "—";

    /// <summary>A size in B, KiB, MiB or GiB (Blit.Core's one formatter, in the current culture).</summary>
    public static string Bytes(double bytes) => ByteSize.Format(bytes, CultureInfo.CurrentCulture);

    /// <summary>A rate given in bytes per second, shown in MiB/s.</summary>
    public static string Rate(double bytesPerSecond) => MiBPerSecond(bytesPerSecond / MiB);

    /// <summary>A rate already in MiB/s (WorkloadMeasurement.MiBPerSecond and the gate's figures).</summary>
    public static string MiBPerSecond(double? mibPerSecond) => mibPerSecond is double r ? Format("{0:N1} MiB/s", r) : Missing;

    /// <summary>Benchmark seconds, to the millisecond: the gate compares figures of a few milliseconds.</summary>
    public static string Seconds(double? seconds) => seconds is double s ? Format("{0:N3} s", s) : Missing;

    /// <summary>The fastest and slowest run: "0.950-1.050 s".</summary>
    public static string SecondsRange(double? min, double? max) =>
        min is double lo && max is double hi ? Format("{0:N3}-{1:N3} s", lo, hi) : Missing;

    /// <summary>
    /// How long a run took: seconds to the millisecond under a minute ("0.157 s", "42.318 s"),
    /// whole seconds as hours:minutes:seconds from a minute on ("0:02:05", "26:03:04").
    /// </summary>
    public static string Duration(TimeSpan duration)
    {
        if (duration < TimeSpan.FromMinutes(1))
        {
            return Format("{0:N3} s", duration.TotalSeconds);
        }
        var whole = TimeSpan.FromSeconds(Math.Round(duration.TotalSeconds));
        return Format("{0}:{1:00}:{2:00}", (long)whole.TotalHours, whole.Minutes, whole.Seconds);
    }

    /// <summary>A count with group separators: "23,806".</summary>
    public static string Count(double count) => Format("{0:N0}", count);

    /// <summary>A measurement's memory figure, named: "45.2 MiB peak" (whole process) or "1.2 MiB growth" (warm Blit, in-process).</summary>
    public static string Memory(long? peakBytes, long? growthBytes) =>
        peakBytes is long peak ? Bytes(peak) + " peak" : growthBytes is long growth ? Bytes(growth) + " growth" : Missing;

    private static string Format(string format, params object[] args) => string.Format(CultureInfo.CurrentCulture, format, args);
}
