using System.Globalization;

namespace Blit.Cmdlets.Infrastructure;

/// <summary>Human units for the format views (objects keep raw numbers).</summary>
public static class Units
{
    public static string Bytes(double bytes) => bytes switch
    {
        >= 1L << 30 => string.Format(CultureInfo.CurrentCulture, "{0:N2} GiB", bytes / (1L << 30)),
        >= 1L << 20 => string.Format(CultureInfo.CurrentCulture, "{0:N1} MiB", bytes / (1L << 20)),
        >= 1L << 10 => string.Format(CultureInfo.CurrentCulture, "{0:N1} KiB", bytes / (1L << 10)),
        _ => string.Format(CultureInfo.CurrentCulture, "{0:N0} B", bytes),
    };

    public static string Rate(double bytesPerSecond) => Bytes(bytesPerSecond) + "/s";

    public static string Seconds(double seconds) => string.Format(CultureInfo.CurrentCulture, "{0:N3} s", seconds);
}
