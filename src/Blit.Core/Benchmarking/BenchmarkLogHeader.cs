namespace Blit.Benchmarking;

/// <summary>
/// The head of a workload's bench.log: the command, the system notes, and the method (rounds, destinations, modes,
/// how each tool is timed and when its run counts as a success, verification, cache and flush settings).
/// </summary>
internal static class BenchmarkLogHeader
{
    /// <summary>What the header reports.</summary>
    public sealed record Facts(BenchmarkOptions Options, Workload Workload, DateTimeOffset Started, SystemInfo System,
        StorageInfo Storage, ComparatorTool? Comparator, string Workspace, bool DropCachesWorks);

    /// <summary>Writes the header for <paramref name="f"/> into <paramref name="log"/>.</summary>
    public static void Write(BenchmarkLog log, Facts f)
    {
        BenchmarkOptions o = f.Options;
        (Workload workload, DateTimeOffset started, SystemInfo system, StorageInfo storage, ComparatorTool? comparator, string workspace) =
            (f.Workload, f.Started, f.System, f.Storage, f.Comparator, f.Workspace);
        log.Line($"Blit benchmark: {workload}");
        log.Line($"Started: {started:yyyy-MM-dd HH:mm:ss} UTC");
        if (o.CommandLine is { Length: > 0 } cmd)
        {
            log.Line($"Command: {cmd}");
        }
        log.Line();
        log.Line("System:");
        log.Line($"  Platform: {system.Platform}");
        log.Line($"  OS: {system.OperatingSystem}");
        log.Line($"  Kernel: {system.Kernel}");
        log.Line($"  CPU: {system.CpuModel} ({system.CpuCount} logical)");
        log.Line($"  RAM: {ByteSize.Format(system.MemoryBytes)}");
        log.Line($"  Machine: {system.MachineName}");
        log.Line($"  Root: {o.Root} (workspace {workspace})");
        log.Line($"  Filesystem: {storage.FileSystem} on {storage.Device}, mounted at {storage.MountPoint}; device kind: {storage.DeviceKind}");
        log.Line($"  Blit: {system.BlitVersion}");
        log.Line();
        log.Line("Method:");
        WorkloadSpec[] specs = [.. o.Specs.Where(s => s.Workload == workload)];
        string rounds = string.Join("; ", specs.Select(s => $"{o.WarmupFor(s)} warm-up + {o.RunsFor(s)} measured")
            .Distinct(StringComparer.Ordinal));
        log.Line($"  Rounds: {rounds} per mode; the tools alternate order each round " +
                 "(odd rounds blit first, even rounds the comparator first)");
        log.Line("  Destinations: one per tool, prepared outside the timed window: emptied for LargeFile/SmallFiles/Mixed/Tiny; " +
                 "put back to the pre-change tree for Incremental (so every run is a real update pass); " +
                 "left mirrored for NoOp (rebuilt after a failed run)");
        BenchmarkMode[] modes = [.. specs.SelectMany(o.ModesFor).Distinct().Order()];
        log.Line($"  Modes: {string.Join(", ", modes)} (each measured with its own rounds; baselines of one mode are never compared with the other)");
        if (modes.Contains(BenchmarkMode.Warm))
        {
            log.Line("  Blit (warm): Invoke-BlitMirror's engine (MirrorEngine.Run) in this process, default options (planner chooses workers and copy method)");
            log.Line($"    {ResourceUsage.SelfMethod}");
        }
        if (modes.Contains(BenchmarkMode.Cold) && o.BlitProcess is { } child)
        {
            log.Line($"  Blit (cold): a fresh process per run, default options: {child.Description}");
            if (child.Runtime is { } runtime)
            {
                log.Line($"    runs on: {runtime}");
            }
            log.Line("    timing: the whole child process, start to exit (process start-up, module import, the mirror, exit), as the comparator's");
            log.Line($"    {ResourceUsage.ChildMethod}");
            log.Line("    success: exit code 0 and a result line with 0 errors");
        }
        log.Line("  Memory: \"peak MiB\" is a whole process tree's peak (the comparator, cold Blit); \"growth MiB\" is warm Blit's " +
                 "in-process growth; the two are different figures and never compared with each other");
        if (comparator is null)
        {
            log.Line(o.Comparator == ComparatorKind.None
                ? "  Comparator: none (-Comparator None)"
                : "  Comparator: none (not found; see the warning)");
        }
        else
        {
            log.Line($"  Comparator: {comparator.Name} at {comparator.ExecutablePath}" +
                     (comparator.Version is null ? string.Empty : $" ({comparator.Version})"));
            log.Line($"    command: {comparator.CommandLine("SRC", "DEST")}" +
                     (comparator.FlagsOverridden ? " (flags from -ComparatorArgument)" : " (default flags)"));
            log.Line($"    success: {comparator.SuccessRule}");
            log.Line($"    {ResourceUsage.ChildMethod}");
        }
        log.Line($"  Verification after every run: {o.Verifier.Describe()}; a run that does not verify is failed");
        log.Line($"  Summary: median, min and max wall seconds over verified runs (all runs when none verified); MiB/s and files/s from the median");
        log.Line("  Cold cache (-DropCaches): " + (!o.DropCaches ? "off"
            : f.DropCachesWorks ? $"on: sync, then \"3\" written to {o.DropCachesPath} before every run"
            : "requested but not permitted; runs are warm-cache"));
        log.Line("  Settle: " + (OperatingSystem.IsWindows() ? "none (Windows has no system-wide sync)"
            : "sync(2) before and after each destination is prepared, outside the timed window, so no run pays for the writeback of the run before it"));
        log.Line("  Flush (-Flush): " + (!o.Flush ? "off"
            : OperatingSystem.IsWindows() ? "requested but unavailable on Windows" : "on: sync(2) after the tool ends, inside the timed window"));
        log.Line("  Blit history/telemetry: none exists in this version of Blit, so nothing needs keeping out of the measured runs");
        log.Line();
    }

    /// <summary>How Blit runs in <paramref name="mode"/>, for the log's "Mode" lines.</summary>
    public static string ModeText(BenchmarkMode mode, BenchmarkOptions options) => mode == BenchmarkMode.Warm
        ? "blit in this process (the engine call, timed by a Stopwatch around it)"
        : $"blit in a fresh process per run, timed as the whole process from start to exit: {options.BlitProcess?.Description}";
}
