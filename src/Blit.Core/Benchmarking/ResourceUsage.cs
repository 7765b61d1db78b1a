using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;

namespace Blit.Benchmarking;

/// <summary>
/// CPU time and memory figures of this process and of its children, the way the runner
/// measures them (see <see cref="SelfMethod"/> and <see cref="ChildMethod"/>, which the log records).
/// </summary>
internal static unsafe partial class ResourceUsage
{
    private const int RusageSelf = 0;
    private const int RusageChildren = -1;

    /// <summary>struct rusage is 144 bytes on 64-bit Linux and macOS; only the first fields are read.</summary>
    private const int RusageBytes = 144;

    [LibraryImport("libc", EntryPoint = "getrusage", SetLastError = true)]
    private static partial int GetRusage(int who, byte* usage);

    [LibraryImport("libc", EntryPoint = "sync")]
    private static partial void SyncNative();

    private static bool IsUnix => OperatingSystem.IsLinux() || OperatingSystem.IsMacOS() || OperatingSystem.IsFreeBSD();

    public static string SelfMethod => OperatingSystem.IsLinux()
        ? "wall: Stopwatch around the engine call; CPU: getrusage(RUSAGE_SELF) user+system delta (this whole process); " +
          "memory: in-process growth only (\"growth MiB\"), not a process peak: VmHWM in /proc/self/status after the call minus " +
          "VmRSS when the peak was reset through /proc/self/clear_refs (\"5\") just before it; a full GC runs before each " +
          "call, outside the timed window"
        : "wall: Stopwatch around the engine call; CPU: process TotalProcessorTime delta; memory: in-process growth only " +
          "(\"growth MiB\"), not a process peak: growth of Process.PeakWorkingSet64 during the call (0 when an earlier peak was higher)";

    public static string ChildMethod => OperatingSystem.IsLinux()
        ? "wall: Stopwatch from process start to exit; CPU: getrusage(RUSAGE_CHILDREN) user+system delta around the " +
          "child (its process tree, as reaped); peak memory (\"peak MiB\"): the sum over the tree's processes of their VmHWM, " +
          "sampled from /proc every 2 ms for the first 100 ms, then every 20 ms (children found through /proc/<pid>/task/*/children, or the parent field of " +
          "every /proc/<pid>/stat where the kernel lacks that file), or the " +
          "RUSAGE_CHILDREN ru_maxrss growth when the process ended before a sample"
        : IsUnix
            ? "wall: Stopwatch from process start to exit; CPU: getrusage(RUSAGE_CHILDREN) user+system delta; peak " +
              "memory: RUSAGE_CHILDREN ru_maxrss growth (0 when an earlier child peaked higher)"
            : "wall: Stopwatch from process start to exit; CPU: the process's TotalProcessorTime; peak memory: its PeakWorkingSet64";

    /// <summary>User + system CPU seconds and max RSS (bytes) from getrusage.</summary>
    public static (double CpuSeconds, long MaxRssBytes) Rusage(bool children)
    {
        byte* buf = stackalloc byte[RusageBytes];
        if (GetRusage(children ? RusageChildren : RusageSelf, buf) != 0)
        {
            throw new IOException($"getrusage failed: {Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError())}");
        }
        // timeval { long sec; int/long usec } twice, then long ru_maxrss (KiB on Linux, bytes on macOS).
        double user = *(long*)buf + *(int*)(buf + 8) / 1e6;
        double system = *(long*)(buf + 16) + *(int*)(buf + 24) / 1e6;
        long maxrss = *(long*)(buf + 32);
        return (user + system, OperatingSystem.IsMacOS() ? maxrss : maxrss * 1024);
    }

    /// <summary>CPU seconds used so far by this process.</summary>
    public static double SelfCpuSeconds()
    {
        if (IsUnix)
        {
            return Rusage(children: false).CpuSeconds;
        }
        using var self = Process.GetCurrentProcess();
        return self.TotalProcessorTime.TotalSeconds;
    }

    /// <summary>Flushes dirty data to disk: sync(2) where there is one.</summary>
    public static bool Sync()
    {
        if (!IsUnix)
        {
            return false;
        }
        SyncNative();
        return true;
    }

    /// <summary>
    /// Starts a peak-memory window for this process: on Linux resets the kernel's peak RSS
    /// (VmHWM) to the current RSS and returns that as the baseline.
    /// </summary>
    public static PeakWindow StartSelfPeakWindow()
    {
        if (OperatingSystem.IsLinux())
        {
            bool reset;
            try
            {
                File.WriteAllText("/proc/self/clear_refs", "5");
                reset = true;
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                reset = false;
            }
            long rss = ReadStatusKiB("/proc/self/status", "VmRSS:") * 1024;
            long hwm = ReadStatusKiB("/proc/self/status", "VmHWM:") * 1024;
            return new PeakWindow(reset ? rss : hwm, reset);
        }
        using var self = Process.GetCurrentProcess();
        return new PeakWindow(self.PeakWorkingSet64, false);
    }

    /// <summary>The growth of this process's peak memory since <paramref name="window"/> started (bytes, never negative).</summary>
    public static long SelfPeakGrowth(PeakWindow window)
    {
        long peak;
        if (OperatingSystem.IsLinux())
        {
            peak = ReadStatusKiB("/proc/self/status", "VmHWM:") * 1024;
        }
        else
        {
            using var self = Process.GetCurrentProcess();
            self.Refresh();
            peak = self.PeakWorkingSet64;
        }
        return Math.Max(0, peak - window.BaselineBytes);
    }

    /// <summary>A "Key:   123 kB" line of a /proc status file, in KiB; 0 when absent or unreadable (the process is gone).</summary>
    public static long ReadStatusKiB(string statusPath, string key)
    {
        try
        {
            foreach (string line in File.ReadLines(statusPath))
            {
                if (line.StartsWith(key, StringComparison.Ordinal))
                {
                    return ParseKiB(line.AsSpan(key.Length));
                }
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
        }
        return 0;
    }

    internal static long ParseKiB(ReadOnlySpan<char> value)
    {
        value = value.Trim();
        int space = value.IndexOf(' ');
        if (space >= 0)
        {
            value = value[..space];
        }
        return long.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out long kib) ? kib : 0;
    }

    /// <summary>The start of a peak-memory window: the baseline and whether the kernel's peak was reset.</summary>
    public readonly record struct PeakWindow(long BaselineBytes, bool PeakWasReset);
}
