using Blit.Benchmarking;

namespace Blit.Gate;

/// <summary>
/// "The same machine" for baselines and for pairing Blit with its comparator: same platform,
/// host name, CPU model and count, installed memory, and filesystem of the benchmark root.
/// Figures from anywhere else measure something else.
/// </summary>
public static class MachineIdentity
{
    /// <summary>Every field that differs, as "Field 'a' ≠ 'b'"; empty when the machines are the same.</summary>
    public static IReadOnlyList<string> Differences(SystemInfo current, SystemInfo other)
    {
        ArgumentNullException.ThrowIfNull(current);
        ArgumentNullException.ThrowIfNull(other);
        var diffs = new List<string>();
        Check(diffs, "Platform", current.Platform, other.Platform, StringComparison.OrdinalIgnoreCase);
        Check(diffs, "MachineName", current.MachineName, other.MachineName, StringComparison.OrdinalIgnoreCase);
        Check(diffs, "CpuModel", current.CpuModel, other.CpuModel, StringComparison.Ordinal);
        if (current.CpuCount != other.CpuCount)
        {
            diffs.Add(FormattableString.Invariant($"CpuCount {current.CpuCount} ≠ {other.CpuCount}"));
        }
        if (current.MemoryBytes != other.MemoryBytes)
        {
            diffs.Add(FormattableString.Invariant($"MemoryBytes {current.MemoryBytes} ≠ {other.MemoryBytes}"));
        }
        Check(diffs, "FileSystem", current.FileSystem, other.FileSystem, StringComparison.OrdinalIgnoreCase);
        return diffs;
    }

    /// <summary>True when the two machine descriptions name the same machine.</summary>
    public static bool IsSame(SystemInfo current, SystemInfo other) => Differences(current, other).Count == 0;

    /// <summary>A one-line description of a machine for reports.</summary>
    public static string Describe(SystemInfo system)
    {
        ArgumentNullException.ThrowIfNull(system);
        return FormattableString.Invariant(
            $"{system.MachineName} ({system.CpuCount} × {system.CpuModel}, {GateText.Bytes(system.MemoryBytes)} RAM, {system.FileSystem})");
    }

    private static void Check(List<string> diffs, string name, string a, string b, StringComparison comparison)
    {
        if (!string.Equals(a, b, comparison))
        {
            diffs.Add($"{name} '{a}' ≠ '{b}'");
        }
    }
}
