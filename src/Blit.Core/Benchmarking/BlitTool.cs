using System.Diagnostics;
using Blit.Errors;
using Blit.Mirror;

namespace Blit.Benchmarking;

/// <summary>
/// Blit as the benchmark runs it: warm, the engine called in this process with default options (timed by a
/// Stopwatch around the call); cold, a fresh process per run (<see cref="BlitProcessCommand"/>), measured as a
/// comparator's process is.
/// </summary>
public sealed class BlitTool : BenchmarkTool
{
    /// <summary>The tool name Blit's measurements carry.</summary>
    public const string ToolName = "blit";

    private readonly BlitProcessCommand? _process;

    /// <summary>Blit; <paramref name="process"/> starts it for cold runs (null: warm runs only).</summary>
    public BlitTool(BlitProcessCommand? process)
    {
        _process = process;
        Version = SystemProbe.BlitVersion;
    }

    /// <inheritdoc/>
    public override string Name => ToolName;

    /// <inheritdoc/>
    public override bool IsComparator => false;

    /// <inheritdoc/>
    public override string Command(BenchmarkMode mode, string source, string destination) =>
        mode == BenchmarkMode.Cold && _process is { } child
            ? CommandText.Join(child.FileName, child.Arguments(source, destination), OperatingSystem.IsWindows())
            : $"Invoke-BlitMirror -Path {source} -Destination {destination} (in-process MirrorEngine.Run, default options)";

    /// <inheritdoc/>
    internal override ToolRun Run(BenchmarkMode mode, string source, string destination, bool flush,
        CancellationToken cancellationToken) =>
        mode == BenchmarkMode.Warm ? RunInProcess(source, destination, flush, cancellationToken)
            : RunProcess(source, destination, flush, cancellationToken);

    /// <summary>A cold run: the child process, measured as the comparator is.</summary>
    private ToolRun RunProcess(string source, string destination, bool flush, CancellationToken cancellationToken)
    {
        BlitProcessCommand child = _process
            ?? throw new InvalidOperationException("Cold mode without a BlitProcess command (Validate refuses this).");
        var psi = new ProcessStartInfo(child.FileName);
        foreach (string arg in child.Arguments(source, destination))
        {
            psi.ArgumentList.Add(arg);
        }
        ProcessMeasurement p;
        try
        {
            p = ProcessMeter.Run(psi, flush, cancellationToken);
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            return ToolRun.NotStarted($"{Name} could not be started: {ex.Message}");
        }
        BlitRunSummary? blit = BlitRunSummary.Parse(p.Output);
        string? failure = p.ExitCode != 0
            ? $"blit (cold) exit code {p.ExitCode}" + ToolRun.OutputNote(p.Output)
            : blit is null
                ? $"blit (cold) printed no {BlitProcessCommand.ResultPrefix} line" + ToolRun.OutputNote(p.Output)
                : blit.Errors > 0
                    ? $"blit (cold) reported {blit.Errors} error(s); output: {ToolRun.Tail(p.Output)}"
                    : null;
        return new ToolRun(p.WallSeconds, p.CpuSeconds, p.PeakMemoryBytes, null, failure, null, blit);
    }

    /// <summary>A warm run: the engine in this process, its CPU and peak-memory growth read around the call.</summary>
    private static ToolRun RunInProcess(string source, string destination, bool flush, CancellationToken cancellationToken)
    {
        var options = new MirrorOptions { Source = source, Destination = destination };
        var errors = new ErrorCollector();
        // Garbage from generation and earlier runs is collected here, not inside the timed window.
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        ResourceUsage.PeakWindow window = ResourceUsage.StartSelfPeakWindow();
        double cpuBefore = ResourceUsage.SelfCpuSeconds();
        var clock = Stopwatch.StartNew();
        MirrorResult? result = null;
        string? failure = null;
        try
        {
            result = MirrorEngine.Run(options, errors, null, cancellationToken);
        }
        catch (BlitException ex)
        {
            failure = $"blit failed: {ex.Code}: {ex.Message}";
        }
        catch (IOException ex)
        {
            failure = $"blit failed: {ex.Message}";
        }
        if (flush)
        {
            ResourceUsage.Sync();
        }
        clock.Stop();
        double cpu = ResourceUsage.SelfCpuSeconds() - cpuBefore;
        long growth = ResourceUsage.SelfPeakGrowth(window);
        if (failure is null && result is not null && (result.Errors > 0 || errors.Count > 0))
        {
            failure = $"blit reported {Math.Max(result.Errors, errors.Count)} error(s); first: {errors.First ?? "(none reported)"}";
        }
        return new ToolRun(clock.Elapsed.TotalSeconds, Math.Max(0, cpu), null, growth, failure, result,
            result is null ? null : BlitRunSummary.From(result));
    }

    /// <summary>Collects the engine's non-warning errors (called from its worker threads).</summary>
    private sealed class ErrorCollector : IMirrorListener
    {
        private int _count;
        private string? _first;

        public int Count => Volatile.Read(ref _count);

        public string? First => Volatile.Read(ref _first);

        public void OnError(BlitError error)
        {
            if (error.IsWarning)
            {
                return;
            }
            Interlocked.Increment(ref _count);
            Interlocked.CompareExchange(ref _first, $"{error.Code}: {error.Message}", null);
        }

        public void OnItem(MirrorItem item)
        {
        }
    }
}
