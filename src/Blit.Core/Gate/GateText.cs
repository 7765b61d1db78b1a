using System.Globalization;

namespace Blit.Gate;

/// <summary>
/// Invariant-culture formatting for the gate's reasons and reports, so a DEVLOG entry or a
/// failure message reads the same on every machine. (Views format for the user's culture.)
/// </summary>
public static class GateText
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary>The label of a GO whose speed was only reported, not gated (see <see cref="WorkloadDecision.SpeedGated"/>).</summary>
    public const string NotGated = "GO, not gated";

    /// <summary>"GO" or "NO-GO".</summary>
    public static string Label(GateDecision decision) => decision == GateDecision.Go ? "GO" : "NO-GO";

    /// <summary>Bytes in B, KiB, MiB or GiB (<see cref="Benchmarking.ByteSize.Format"/>, invariant).</summary>
    public static string Bytes(double bytes) => Benchmarking.ByteSize.Format(bytes, Inv);

    /// <summary>Seconds to the millisecond.</summary>
    public static string Seconds(double seconds) => string.Format(Inv, "{0:0.000} s", seconds);

    /// <summary>A rate in MiB/s.</summary>
    public static string Rate(double mibPerSecond) => string.Format(Inv, "{0:0.0} MiB/s", mibPerSecond);

    /// <summary>
    /// A ratio to two decimals, or with as many more (up to six) as it takes to differ from
    /// <paramref name="against"/>, so "0.9499 &lt; 0.95" never prints as "0.95 &lt; 0.95".
    /// </summary>
    public static string Ratio(double ratio, double? against = null) =>
        ratio.ToString("F" + RatioDigits(ratio, against).ToString(Inv), Inv);

    /// <summary>Decimals to show a ratio with: 2, or up to 6 until it differs from <paramref name="against"/>.</summary>
    public static int RatioDigits(double ratio, double? against)
    {
        if (against is double other)
        {
            for (int digits = 2; digits <= 6; digits++)
            {
                if (Math.Round(ratio, digits) != Math.Round(other, digits))
                {
                    return digits;
                }
            }
        }
        return 2;
    }

    /// <summary>A fraction as a signed percentage: 0.123 → "+12.3 %".</summary>
    public static string Change(double fraction) => string.Format(Inv, "{0:+0.0;-0.0;0.0} %", fraction * 100);

    /// <summary>A fraction as a percentage: 2.18 → "218 %".</summary>
    public static string Percent(double fraction) => string.Format(Inv, "{0:0} %", fraction * 100);

    /// <summary>A count with thousands separators.</summary>
    public static string Count(long n) => n.ToString("N0", Inv);

    /// <summary>How a memory figure is named in reasons and reports.</summary>
    public static string Memory(Benchmarking.MemoryFigure figure) =>
        figure == Benchmarking.MemoryFigure.InProcessGrowth ? "in-process growth" : "whole-process peak";

    /// <summary>"warm" or "cold".</summary>
    public static string Mode(Benchmarking.BenchmarkMode mode) => mode.ToString().ToLowerInvariant();
}
