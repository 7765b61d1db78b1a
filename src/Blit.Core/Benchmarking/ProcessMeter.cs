using System.Diagnostics;
using System.Text;

namespace Blit.Benchmarking;

/// <summary>
/// Runs one process and measures it the one way every whole-process figure in the benchmark is
/// taken (the comparator's runs, and Blit's in cold mode): wall time from start to exit, CPU of the
/// process tree (getrusage(RUSAGE_CHILDREN) deltas), and the peak memory of the tree (VmHWM of
/// every process in it, sampled from /proc); see <see cref="ResourceUsage.ChildMethod"/>.
/// </summary>
internal static class ProcessMeter
{
    private static readonly TimeSpan SampleInterval = TimeSpan.FromMilliseconds(20);

    /// <summary>
    /// Starts <paramref name="psi"/> (its output captured, stdin closed) and waits for it. With
    /// <paramref name="flush"/>, sync(2) runs after the process ends, inside the timed window.
    /// Cancellation kills the process tree.
    /// </summary>
    public static ProcessMeasurement Run(ProcessStartInfo psi, bool flush, CancellationToken cancellationToken)
    {
        psi.UseShellExecute = false;
        psi.RedirectStandardOutput = true;
        psi.RedirectStandardError = true;
        psi.RedirectStandardInput = false;
        psi.CreateNoWindow = true;
        var output = new TailText(4096);
        using var process = new Process { StartInfo = psi };
        process.OutputDataReceived += (_, e) => output.Add(e.Data);
        process.ErrorDataReceived += (_, e) => output.Add(e.Data);

        bool unix = !OperatingSystem.IsWindows();
        (double cpuBefore, long rssBefore) = unix ? ResourceUsage.Rusage(children: true) : (0, 0);
        var stopwatch = Stopwatch.StartNew();
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var sampler = OperatingSystem.IsLinux() ? new TreePeakSampler(process.Id, SampleInterval) : null;
        using (cancellationToken.Register(() => ComparatorTool.Kill(process)))
        {
            process.WaitForExit();
        }
        if (flush)
        {
            ResourceUsage.Sync();
        }
        stopwatch.Stop();
        long sampledPeak = sampler?.Stop() ?? 0;
        cancellationToken.ThrowIfCancellationRequested();

        double cpu;
        long peak;
        if (unix)
        {
            (double cpuAfter, long rssAfter) = ResourceUsage.Rusage(children: true);
            cpu = cpuAfter - cpuBefore;
            peak = sampledPeak > 0 ? sampledPeak : Math.Max(0, rssAfter > rssBefore ? rssAfter : 0);
        }
        else
        {
            cpu = SafeFigure(() => process.TotalProcessorTime.TotalSeconds);
            peak = (long)SafeFigure(() => process.PeakWorkingSet64);
        }
        return new ProcessMeasurement(process.ExitCode, stopwatch.Elapsed.TotalSeconds, Math.Max(0, cpu), peak, output.ToString());
    }

    private static double SafeFigure(Func<double> read)
    {
        try
        {
            return read();
        }
        catch (Exception ex) when (ex is InvalidOperationException or NotSupportedException or System.ComponentModel.Win32Exception)
        {
            return 0;
        }
    }

    /// <summary>Keeps the last lines of a process's output (thread-safe: both streams write here).</summary>
    private sealed class TailText(int limit)
    {
        private readonly StringBuilder _text = new();
        private readonly object _lock = new();

        public void Add(string? line)
        {
            if (line is null)
            {
                return;
            }
            lock (_lock)
            {
                _text.Append(line).Append('\n');
                if (_text.Length > limit)
                {
                    _text.Remove(0, _text.Length - limit);
                }
            }
        }

        public override string ToString()
        {
            lock (_lock)
            {
                return _text.ToString().TrimEnd();
            }
        }
    }
}
