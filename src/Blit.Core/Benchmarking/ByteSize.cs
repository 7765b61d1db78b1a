using System.Globalization;

namespace Blit.Benchmarking;

/// <summary>The one way Blit writes a size for people: binary units, two decimals for GiB, one for KiB and MiB.</summary>
public static class ByteSize
{
    private const double KiB = 1L << 10, MiB = 1L << 20, GiB = 1L << 30;

    /// <summary>
    /// <paramref name="bytes"/> in B, KiB, MiB or GiB, with group separators: "512 B", "1.5 KiB", "5.0 MiB", "3.00 GiB".
    /// Logs and the gate's reasons use the invariant culture (the default), the format views the user's.
    /// </summary>
    public static string Format(double bytes, IFormatProvider? culture = null)
    {
        culture ??= CultureInfo.InvariantCulture;
        return bytes switch
        {
            >= GiB => string.Format(culture, "{0:N2} GiB", bytes / GiB),
            >= MiB => string.Format(culture, "{0:N1} MiB", bytes / MiB),
            >= KiB => string.Format(culture, "{0:N1} KiB", bytes / KiB),
            _ => string.Format(culture, "{0:N0} B", bytes),
        };
    }
}
