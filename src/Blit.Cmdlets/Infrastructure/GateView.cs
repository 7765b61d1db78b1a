using System.Globalization;
using Blit.Gate;

namespace Blit.Cmdlets.Infrastructure;

/// <summary>Text for the gate's format views (Blit.format.ps1xml): the objects keep raw numbers.</summary>
public static class GateView
{
    public static string Seconds(double? seconds) =>
        seconds is double s ? string.Format(CultureInfo.CurrentCulture, "{0:N3} s", s) : "—";

    /// <summary>A ratio to two decimals, or more where two would hide which side of <paramref name="threshold"/> it is on.</summary>
    public static string Ratio(double? ratio, double threshold) =>
        ratio is double r ? r.ToString("N" + GateText.RatioDigits(r, threshold).ToString(CultureInfo.InvariantCulture), CultureInfo.CurrentCulture) : "—";

    public static string Ratio(double? ratio) =>
        ratio is double r ? r.ToString("N2", CultureInfo.CurrentCulture) : "—";

    /// <summary>Min–max of the runs and the spread as a share of the median: "0.950–1.050 s (10 %)".</summary>
    public static string Noise(double? min, double? max, double? spread) =>
        min is double lo && max is double hi
            ? string.Format(CultureInfo.CurrentCulture, "{0:N3}–{1:N3} s", lo, hi)
              + (spread is double sp ? string.Format(CultureInfo.CurrentCulture, " ({0:N0} %)", sp * 100) : string.Empty)
            : "—";

    /// <summary>A figure with its change against the baseline: "45.2 MiB (+3 %)", or "45.2 MiB (no baseline)".</summary>
    public static string Memory(long? bytes, long? baseline, double? change) =>
        bytes is long b ? Units.Bytes(b) + Against(baseline is null ? null : Units.Bytes(baseline.Value), change) : "—";

    public static string Cpu(double? seconds, double? baseline, double? change) =>
        seconds is double s ? Seconds(s) + Against(baseline is null ? null : Seconds(baseline), change) : "—";

    private static string Against(string? baseline, double? change) =>
        baseline is null ? " (no baseline)"
        : change is double c ? string.Format(CultureInfo.CurrentCulture, " ({0:+0;-0;0} % vs {1})", c * 100, baseline)
        : $" (baseline {baseline})";
}
