using System.Diagnostics;
using System.Globalization;
using Blit.Errors;
using Blit.Mirror;

namespace Blit.Benchmarking;

/// <summary>What to measure and how.</summary>
public sealed record BenchmarkOptions
{
    /// <summary>The workloads and sizes, measured in this order (grouped by workload for the logs).</summary>
    public required IReadOnlyList<WorkloadSpec> Specs { get; init; }

    /// <summary>An existing directory; the workspace is created inside it.</summary>
    public required string Root { get; init; }

    /// <summary>Logs go to &lt;LogRoot&gt;/&lt;platform&gt;/bench_&lt;workload&gt;_&lt;timestamp&gt;/.</summary>
    public required string LogRoot { get; init; }

    /// <summary>Measured runs per tool.</summary>
    public int Runs { get; init; } = 5;

    /// <summary>Warm-up runs per tool before the measured ones (not recorded).</summary>
    public int Warmup { get; init; } = 1;

    /// <summary>The comparator to measure Blit against.</summary>
    public ComparatorKind Comparator { get; init; } = ComparatorKind.Auto;

    /// <summary>Replaces the comparator's default flags (source and destination are added by the runner).</summary>
    public IReadOnlyList<string>? ComparatorArguments { get; init; }

    /// <summary>Keep the generated trees and destinations afterwards instead of removing them.</summary>
    public bool KeepWorkspace { get; init; }

    /// <summary>Drop the page cache before every run (where permitted).</summary>
    public bool DropCaches { get; init; }

    /// <summary>sync(2) inside the timed window, after the tool ends.</summary>
    public bool Flush { get; init; }

    /// <summary>The PATH searched for the comparator; null: this process's PATH.</summary>
    public string? PathVariable { get; init; }

    /// <summary>The command that started the benchmark, for the log.</summary>
    public string? CommandLine { get; init; }

    /// <summary>Where the page cache is dropped (a test can point this at a file).</summary>
    public string DropCachesPath { get; init; } = "/proc/sys/vm/drop_caches";

    /// <summary>How each run's destination is checked against the source.</summary>
    public TreeVerifier Verifier { get; init; } = new();

    /// <summary>The modes every workload is measured in; null: each workload's own (<see cref="WorkloadSpec.DefaultModes"/>).</summary>
    public IReadOnlyList<BenchmarkMode>? Modes { get; init; }

    /// <summary>How a cold run starts Blit in a fresh process; needed when any workload is measured cold.</summary>
    public BlitProcessCommand? BlitProcess { get; init; }

    /// <summary>The modes <paramref name="spec"/> is measured in, in order (warm first).</summary>
    public IReadOnlyList<BenchmarkMode> ModesFor(WorkloadSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        return [.. (Modes ?? WorkloadSpec.DefaultModes(spec.Workload)).Distinct().Order()];
    }

    /// <summary>Measured runs of <paramref name="spec"/>: its own count, else <see cref="Runs"/>.</summary>
    public int RunsFor(WorkloadSpec spec) => spec.Runs ?? Runs;

    /// <summary>Warm-up runs of <paramref name="spec"/>: its own count, else <see cref="Warmup"/>.</summary>
    public int WarmupFor(WorkloadSpec spec) => spec.Warmup ?? Warmup;

    /// <summary>Largest accepted <see cref="Runs"/>.</summary>
    public const int MaxRuns = 1000;
    /// <summary>Largest accepted <see cref="Warmup"/>.</summary>
    public const int MaxWarmup = 100;
}

/// <summary>
/// How a cold run starts Blit: <see cref="FileName"/> with the arguments <see cref="Arguments"/> gives for a source and a
/// destination, in a fresh process that mirrors the source into the destination with default options, exits 0 only when
/// the mirror succeeded, and prints one <see cref="ResultPrefix"/> line (see <see cref="BlitRunSummary.Parse"/>).
/// </summary>
/// <param name="FileName">The executable (for Blit: the pwsh that runs the benchmark).</param>
/// <param name="Arguments">The arguments for (source, destination).</param>
/// <param name="Description">What it runs, for the log.</param>
/// <param name="Runtime">What the fresh process runs on, for the log: the shell and runtime versions and which Blit.Core
/// it loads (precompiled or IL); null when not known.</param>
public sealed record BlitProcessCommand(string FileName, Func<string, string, IReadOnlyList<string>> Arguments, string Description,
    string? Runtime = null)
{
    /// <summary>The first word of the line a cold run prints with its result: "blit-result copied=1 updated=0 ...".</summary>
    public const string ResultPrefix = "blit-result";
}

/// <summary>The figures of one Blit run the log shows, in both modes (warm: from the result object; cold: from the child's result line).</summary>
public sealed record BlitRunSummary(long FilesCopied, long FilesUpdated, long FilesDeleted, long FilesUnchanged, long SymlinksCopied,
    long DirectoriesCreated, int WorkerCount, long FilesCloned, long FilesKernelCopied, long FilesStreamed, long Errors)
{
    /// <summary>The keys of the result line, in order; a cold run's child prints each as key=value.</summary>
    public static readonly IReadOnlyList<(string Key, string Property)> Keys =
    [
        ("copied", nameof(MirrorResult.FilesCopied)), ("updated", nameof(MirrorResult.FilesUpdated)),
        ("deleted", nameof(MirrorResult.FilesDeleted)), ("unchanged", nameof(MirrorResult.FilesUnchanged)),
        ("symlinks", nameof(MirrorResult.SymlinksCopied)), ("dirs", nameof(MirrorResult.DirectoriesCreated)),
        ("workers", nameof(MirrorResult.WorkerCount)), ("cloned", nameof(MirrorResult.FilesCloned)),
        ("kernel-copied", nameof(MirrorResult.FilesKernelCopied)), ("streamed", nameof(MirrorResult.FilesStreamed)),
        ("errors", nameof(MirrorResult.Errors)),
    ];

    /// <summary>The figures of <paramref name="r"/>.</summary>
    public static BlitRunSummary From(MirrorResult r)
    {
        ArgumentNullException.ThrowIfNull(r);
        return new(r.FilesCopied, r.FilesUpdated, r.FilesDeleted, r.FilesUnchanged, r.SymlinksCopied, r.DirectoriesCreated,
            r.WorkerCount, r.FilesCloned, r.FilesKernelCopied, r.FilesStreamed, r.Errors);
    }

    /// <summary>The last "blit-result key=value ..." line of <paramref name="output"/>; null when there is none or a key is missing.</summary>
    public static BlitRunSummary? Parse(string output)
    {
        ArgumentNullException.ThrowIfNull(output);
        string? line = output.Split('\n').Select(l => l.Trim())
            .LastOrDefault(l => l.StartsWith(BlitProcessCommand.ResultPrefix + " ", StringComparison.Ordinal));
        if (line is null)
        {
            return null;
        }
        var values = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (string pair in line[(BlitProcessCommand.ResultPrefix.Length + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            int eq = pair.IndexOf('=', StringComparison.Ordinal);
            if (eq > 0 && long.TryParse(pair.AsSpan(eq + 1), NumberStyles.Integer, CultureInfo.InvariantCulture, out long v))
            {
                values[pair[..eq]] = v;
            }
        }
        long Get(int i) => values.TryGetValue(Keys[i].Key, out long v) ? v : -1;
        if (Keys.Any(k => !values.ContainsKey(k.Key)))
        {
            return null;
        }
        return new(Get(0), Get(1), Get(2), Get(3), Get(4), Get(5), (int)Get(6), Get(7), Get(8), Get(9), Get(10));
    }
}

/// <summary>Where the runner is, for progress.</summary>
public sealed record BenchmarkStatus(Workload Workload, string SizeLabel, string Activity, string? Tool, int Run, int Runs,
    int Step, int TotalSteps);

/// <summary>One run (warm-up or measured) as it happened.</summary>
/// <param name="Spec">The workload and size.</param>
/// <param name="Tool">"blit" or the comparator's name.</param>
/// <param name="Round">The round, counting warm-ups.</param>
/// <param name="IsWarmup">True for a warm-up run (not recorded as a sample).</param>
/// <param name="Sample">The run's figures.</param>
/// <param name="Verification">How the destination compared with the source after the run.</param>
/// <param name="BlitResult">Warm Blit runs: the engine's result object.</param>
/// <param name="Mode">How Blit was run (warm or cold).</param>
/// <param name="Blit">Blit runs in either mode: the counts the log shows (null for comparators, and for a cold run that printed none).</param>
public sealed record RunRecord(WorkloadSpec Spec, string Tool, int Round, bool IsWarmup, RunSample Sample,
    VerificationResult Verification, MirrorResult? BlitResult, BenchmarkMode Mode = BenchmarkMode.Warm, BlitRunSummary? Blit = null);

/// <summary>Receives the runner's reports. Called on the runner's thread.</summary>
public interface IBenchmarkListener
{
    /// <summary>Where the runner is (workload, tool, run), for progress.</summary>
    void OnStatus(BenchmarkStatus status);

    /// <summary>A line written to bench.log.</summary>
    void OnLog(string line);

    /// <summary>A warning for the user (e.g. no comparator found).</summary>
    void OnWarning(string message);

    /// <summary>One run (warm-up or measured) as it happened.</summary>
    void OnRun(RunRecord run);

    /// <summary>A finished measurement, already saved in its results.json.</summary>
    void OnMeasurement(WorkloadMeasurement measurement);
}

/// <summary>
/// Runs the benchmark of DESIGN.md §4: builds each workload's tree under a fresh workspace,
/// then for each round (warm-ups first) runs every tool, alternating the order each round,
/// each against its own destination prepared outside the timed window (emptied for full
/// copies, put back to the pre-change state for Incremental, left mirrored for NoOp), and
/// verifies the destination after every run. Each workload is measured in each of its modes in
/// turn: warm, Blit in-process around the engine call; cold, Blit in a fresh process per run
/// (<see cref="BlitProcessCommand"/>). The comparator runs as a process in both. Logs and
/// results.json are written per workload.
/// </summary>
public sealed class BenchmarkRunner
{
    private readonly BenchmarkOptions _options;
    private readonly IBenchmarkListener? _listener;
    private readonly List<string> _recordedOptions = [];
    private bool _dropCachesWorks;
    private int _step;
    private int _totalSteps;

    /// <summary>A runner for <paramref name="options"/>, reporting to <paramref name="listener"/>.</summary>
    public BenchmarkRunner(BenchmarkOptions options, IBenchmarkListener? listener = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        _listener = listener;
    }

    /// <summary>The workspace of the current (or last) run; removed at the end unless KeepWorkspace.</summary>
    public string? Workspace { get; private set; }

    /// <summary>Checks the options; throws <see cref="BlitException"/> with a stable code for anything unusable.</summary>
    public static void Validate(BenchmarkOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Specs.Count == 0)
        {
            throw new BlitException(BlitErrorCode.InvalidArgument, "No workload to measure.");
        }
        foreach (WorkloadSpec spec in options.Specs)
        {
            spec.Validate();
        }
        if (options.Modes is { } modes && (modes.Count == 0 || modes.Any(m => !Enum.IsDefined(m))))
        {
            throw new BlitException(BlitErrorCode.InvalidArgument,
                $"Modes must name at least one of {string.Join(", ", Enum.GetNames<BenchmarkMode>())}.");
        }
        if (options.BlitProcess is null && options.Specs.FirstOrDefault(s => options.ModesFor(s).Contains(BenchmarkMode.Cold)) is { } cold)
        {
            throw new BlitException(BlitErrorCode.InvalidArgument,
                $"The {cold.Workload} workload is to be measured cold, but no command to start Blit in a fresh process was given.");
        }
        if (options.Runs < 1 || options.Runs > BenchmarkOptions.MaxRuns)
        {
            throw new BlitException(BlitErrorCode.InvalidArgument,
                $"Runs must be between 1 and {BenchmarkOptions.MaxRuns}; got {options.Runs}.");
        }
        if (options.Warmup < 0 || options.Warmup > BenchmarkOptions.MaxWarmup)
        {
            throw new BlitException(BlitErrorCode.InvalidArgument,
                $"Warmup must be between 0 and {BenchmarkOptions.MaxWarmup}; got {options.Warmup}.");
        }
        if (options.ComparatorArguments is { } args && args.Any(string.IsNullOrEmpty))
        {
            throw new BlitException(BlitErrorCode.InvalidArgument, "Comparator arguments cannot be empty strings.");
        }
        if (!Directory.Exists(options.Root))
        {
            throw File.Exists(options.Root)
                ? new BlitException(BlitErrorCode.BenchmarkRootUnusable, $"The benchmark root '{options.Root}' is a file, not a directory.", options.Root)
                : new BlitException(BlitErrorCode.BenchmarkRootNotFound, $"The benchmark root '{options.Root}' does not exist.", options.Root);
        }
    }

    /// <summary>Bytes of disk the largest workload needs: its source and one destination per tool, plus a block per file.</summary>
    public static long SpaceNeeded(WorkloadSpec spec, int tools)
    {
        var builder = new WorkloadBuilder(spec);
        long bytes = Math.Max(builder.BaseBytes, builder.SourceBytes) + (spec.FileCount + spec.AddCount + 1L) * 4096;
        return bytes * (1 + tools);
    }

    /// <summary>
    /// Everything a run checks before it touches the benchmark root: the arguments (<see cref="Validate"/>),
    /// the comparator (found, and willing to measure these workloads), the free space, and the log path.
    /// Throws the first refusal. Returns the comparator, or null for none, with a <paramref name="warning"/>
    /// when Auto found none. A caller with slow work of its own to do before the run (starting the cold
    /// runs' pwsh) calls this first, so a bad argument is refused at once.
    /// </summary>
    public static ComparatorTool? Preflight(BenchmarkOptions options, out string? warning)
    {
        Validate(options);
        ComparatorTool? comparator = ComparatorTool.Select(options.Comparator, options.ComparatorArguments,
            options.PathVariable ?? Environment.GetEnvironmentVariable("PATH"), out warning);
        if (comparator is not null && options.Specs.Select(comparator.Refuses).FirstOrDefault(r => r is not null) is { } refusal)
        {
            throw new BlitException(BlitErrorCode.InvalidArgument, refusal);
        }
        CheckSpace(options, comparator is null ? 1 : 2);
        // Before the workspace exists: a refused log path must leave the benchmark root untouched.
        BenchmarkLog.EnsureWritable(options.LogRoot, SystemProbe.PlatformName);
        return comparator;
    }

    /// <summary>Builds each workload, measures every tool on it, logs the runs and returns one measurement per tool and size.</summary>
    public IReadOnlyList<WorkloadMeasurement> Run(CancellationToken cancellationToken = default)
    {
        ComparatorTool? comparator = Preflight(_options, out string? missing);
        if (missing is not null)
        {
            _listener?.OnWarning(missing);
        }
        int toolCount = comparator is null ? 1 : 2;
        string workspace = Path.Combine(_options.Root, $"blit-bench-{Guid.NewGuid():N}"[..19]);
        try
        {
            Directory.CreateDirectory(workspace);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new BlitException(BlitErrorCode.BenchmarkRootUnusable,
                $"Cannot create a workspace in the benchmark root '{_options.Root}': {ex.Message}", _options.Root, ex);
        }
        Workspace = workspace;
        var results = new List<WorkloadMeasurement>();
        BenchmarkLog? log = null;
        try
        {
            SystemInfo system = SystemProbe.Probe(workspace, out StorageInfo storage);
            comparator?.Probe(workspace, cancellationToken);
            PrepareOptions();
            _totalSteps = _options.Specs.Sum(s =>
                1 + _options.ModesFor(s).Count * (_options.WarmupFor(s) + _options.RunsFor(s)) * toolCount);

            foreach (IGrouping<Workload, WorkloadSpec> group in _options.Specs.GroupBy(s => s.Workload))
            {
                DateTimeOffset started = DateTimeOffset.UtcNow;
                log = BenchmarkLog.Create(_options.LogRoot, system.Platform, group.Key, started, line => _listener?.OnLog(line));
                BenchmarkLogHeader.Write(log, new BenchmarkLogHeader.Facts(_options, group.Key, started, system, storage, comparator,
                    workspace, _dropCachesWorks));
                var measured = new List<WorkloadMeasurement>();
                foreach (WorkloadSpec spec in group)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    IReadOnlyList<WorkloadMeasurement> m = MeasureSpec(spec, comparator, workspace, system, log, started,
                        cancellationToken);
                    measured.AddRange(m);
                    log.SaveResults(started, system, measured);
                    foreach (WorkloadMeasurement w in m)
                    {
                        _listener?.OnMeasurement(w);
                    }
                    results.AddRange(m);
                }
                log.Line($"Results: {log.ResultsPath}");
                log.Line($"Finished: {DateTimeOffset.UtcNow:yyyy-MM-dd HH:mm:ss} UTC");
                log.Dispose();
                log = null;
            }
            return results;
        }
        catch (OperationCanceledException) when (log is not null)
        {
            log.Line($"Stopped (cancelled) at {DateTimeOffset.UtcNow:yyyy-MM-dd HH:mm:ss} UTC; unfinished measurements are not in results.json.");
            throw;
        }
        finally
        {
            if (_options.KeepWorkspace)
            {
                log?.Line($"Workspace kept (-KeepWorkspace): {workspace}");
            }
            else
            {
                RemoveTree(workspace);
            }
            log?.Dispose();
        }
    }

    private static void CheckSpace(BenchmarkOptions options, int tools)
    {
        long need = options.Specs.Max(s => SpaceNeeded(s, tools));
        long free;
        try
        {
            free = new DriveInfo(Path.GetFullPath(options.Root)).AvailableFreeSpace;
        }
        catch (Exception ex) when (ex is IOException or ArgumentException or UnauthorizedAccessException)
        {
            return; // Cannot tell: let the run find out.
        }
        if (need > free)
        {
            throw new BlitException(BlitErrorCode.BenchmarkRootUnusable,
                $"The benchmark root '{options.Root}' has {ByteSize.Format(free)} free; the largest workload needs about " +
                $"{ByteSize.Format(need)} (its tree and one copy per tool). Choose another -Root or smaller sizes.",
                options.Root);
        }
    }

    private void PrepareOptions()
    {
        if (_options.DropCaches)
        {
            string? why = TryDropCaches();
            _dropCachesWorks = why is null;
            if (_dropCachesWorks)
            {
                _recordedOptions.Add("DropCaches");
            }
            else
            {
                _recordedOptions.Add("DropCachesUnavailable");
                _listener?.OnWarning($"-DropCaches: cannot drop the page cache ({why}); every run is warm-cache.");
            }
        }
        if (_options.Flush)
        {
            if (OperatingSystem.IsWindows())
            {
                _recordedOptions.Add("FlushUnavailable");
                _listener?.OnWarning("-Flush: there is no system-wide sync on Windows; runs are timed without a flush.");
            }
            else
            {
                _recordedOptions.Add("Flush");
            }
        }
    }

    /// <summary>sync, then drop the page cache, dentries and inodes; null on success, else why not.</summary>
    private string? TryDropCaches()
    {
        if (!OperatingSystem.IsLinux())
        {
            return $"not supported on {SystemProbe.PlatformName} (Linux only)";
        }
        try
        {
            ResourceUsage.Sync();
            File.WriteAllText(_options.DropCachesPath, "3");
            return null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return $"writing {_options.DropCachesPath} failed: {ex.Message}; it needs root";
        }
    }

    private IReadOnlyList<WorkloadMeasurement> MeasureSpec(WorkloadSpec spec, ComparatorTool? comparator, string workspace,
        SystemInfo system, BenchmarkLog log, DateTimeOffset started, CancellationToken cancellationToken)
    {
        string label = spec.SizeLabel;
        string specDir = Path.Combine(workspace, $"{spec.Workload.ToString().ToLowerInvariant()}-{label}");
        string source = Path.Combine(specDir, "source");
        var builder = new WorkloadBuilder(spec);
        Report(spec, "Generating the workload tree", null, 0, 0);
        var clock = Stopwatch.StartNew();
        Directory.CreateDirectory(specDir);
        builder.BuildSource(source, cancellationToken);
        _step++;
        string symlinks = builder.Symlinks.Count == 0 ? string.Empty : $"{builder.Symlinks.Count:N0} symlink(s), ";
        log.Line($"Workload {spec.Workload} {label}: {builder.SourceFileCount:N0} files, {builder.Directories.Count:N0} directories, " +
                 $"{symlinks}{ByteSize.Format(builder.SourceBytes)} ({builder.SourceBytes:N0} bytes), seed {spec.Seed}; " +
                 $"generated in {clock.Elapsed.TotalSeconds:0.00} s");
        if (spec.Workload == Workload.Incremental)
        {
            log.Line($"  Change per run: append to {spec.TouchCount:N0} files, delete {spec.DeleteCount:N0}, add {spec.AddCount:N0} " +
                     $"({spec.MinFileBytes:N0}-{spec.MaxFileBytes:N0} bytes each)");
        }
        else if (spec.Workload == Workload.Tiny)
        {
            log.Line($"  Entries: {WorkloadBuilder.TinyEmptyFile} (empty file), {WorkloadBuilder.TinySmallFile} ({ByteSize.Format(WorkloadSpec.TinySmallFileBytes)}), " +
                     $"the nested directories {WorkloadBuilder.TinyNestedDirectory}, {WorkloadBuilder.TinySymlink} -> {WorkloadBuilder.TinySmallFile} (symlink); " +
                     "mirrored into an empty destination");
        }
        else if (spec.FileCount > 0)
        {
            log.Line($"  Small files: {spec.MinFileBytes:N0}-{spec.MaxFileBytes:N0} bytes, {spec.FilesPerDirectory:N0} per directory");
        }

        var tools = new List<ToolState> { new(new BlitTool(_options.BlitProcess), specDir) };
        if (comparator is not null)
        {
            tools.Add(new ToolState(comparator, specDir));
        }
        int warmups = _options.WarmupFor(spec), runs = _options.RunsFor(spec);
        var measurements = new List<WorkloadMeasurement>();
        foreach (BenchmarkMode mode in _options.ModesFor(spec))
        {
            foreach (ToolState tool in tools)
            {
                tool.Samples.Clear();
                tool.PlannerChoices.Clear();
            }
            log.Line($"  Mode {mode}: {BenchmarkLogHeader.ModeText(mode, _options)}");
            for (int round = 0; round < warmups + runs; round++)
            {
                bool warmup = round < warmups;
                int number = warmup ? round + 1 : round - warmups + 1;
                IEnumerable<ToolState> order = round % 2 == 0 ? tools : Enumerable.Reverse(tools);
                foreach (ToolState tool in order)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    Report(spec, (warmup ? "Warm-up" : "Run") + (mode == BenchmarkMode.Cold ? " (cold)" : string.Empty), tool.Name, number,
                        warmup ? warmups : runs);
                    // Settle, outside the timed window: the run before is written out first (its data and
                    // journal would otherwise go to disk during this run), then the clean-up's own metadata
                    // (TryDropCaches syncs too). The sync that can take seconds comes before the clean-up, so
                    // the memory the clean-up frees is used at once: VMs that hand free memory back to the
                    // host make memory left free for seconds slow to touch again (docs/performance.md).
                    ResourceUsage.Sync();
                    PrepareDestination(builder, tool, cancellationToken);
                    if (_dropCachesWorks)
                    {
                        TryDropCaches();
                    }
                    else
                    {
                        ResourceUsage.Sync();
                    }
                    (RunSample sample, VerificationResult verification, MirrorResult? result, BlitRunSummary? blit) =
                        RunOnce(tool, mode, source, builder, round, number, cancellationToken);
                    tool.LastVerified = sample.Verified;
                    _step++;
                    if (!warmup)
                    {
                        tool.Samples.Add(sample);
                        if (blit is not null)
                        {
                            tool.PlannerChoices.Add(PlannerNotes(blit));
                        }
                    }
                    log.Line(RunLine(warmup, number, tool.Name, sample, verification, blit));
                    _listener?.OnRun(new RunRecord(spec, tool.Name, round, warmup, sample, verification, result, mode, blit));
                }
            }

            var modeMeasurements = new List<WorkloadMeasurement>();
            foreach (ToolState tool in tools)
            {
                var context = new MeasurementContext
                {
                    Workload = spec.Workload,
                    SizeLabel = label,
                    TotalBytes = builder.SourceBytes,
                    FileCount = builder.SourceFileCount,
                    EntryCount = builder.SourceEntryCount,
                    Tool = tool.Name,
                    Command = tool.Tool.Command(mode, source, tool.Destination),
                    IsComparator = tool.Tool.IsComparator,
                    Mode = mode,
                    WarmupRuns = warmups,
                    PlannerNotes = tool.Tool.IsComparator ? null : string.Join(" | ", tool.PlannerChoices.Distinct(StringComparer.Ordinal)),
                    ToolVersion = tool.Tool.Version,
                    RunsOn = mode == BenchmarkMode.Cold && !tool.Tool.IsComparator ? _options.BlitProcess?.Runtime : null,
                    Timestamp = started,
                    System = system,
                    LogPath = log.LogPath,
                    ResultsPath = log.ResultsPath,
                    Options = [.. _recordedOptions],
                };
                modeMeasurements.Add(Statistics.Summarize(context, tool.Samples));
            }
            log.Line($"Summary {spec.Workload} {label}, {mode} ({warmups} warm-up, {runs} runs; " +
                     $"{builder.SourceFileCount:N0} files, {ByteSize.Format(builder.SourceBytes)}):");
            foreach (string line in BenchmarkLog.SummaryTable(modeMeasurements))
            {
                log.Line(line);
            }
            WorkloadMeasurement blitSummary = modeMeasurements[0];
            if (!string.IsNullOrEmpty(blitSummary.PlannerNotes))
            {
                log.Line($"  blit planner: {blitSummary.PlannerNotes}");
            }
            log.Line(mode == BenchmarkMode.Warm
                ? "  memory: blit's figure is the growth of this process's peak during the engine call (in-process), not a process peak; it is not comparable with the comparator's peak"
                : "  memory: every peak is the whole process tree's (blit: the child pwsh; the comparator: its processes), sampled the same way");
            if (BenchmarkLog.PerEntryLine(modeMeasurements) is { } perEntry)
            {
                log.Line(perEntry);
            }
            if (modeMeasurements.Count > 1 && blitSummary.MedianSeconds > 0)
            {
                WorkloadMeasurement c = modeMeasurements[1];
                string caveat = blitSummary.Verified && c.Verified ? string.Empty : " (not every run verified: not comparable)";
                log.Line($"  {c.Tool} median / blit median ({mode}) = {c.MedianSeconds / blitSummary.MedianSeconds:0.00}{caveat}");
            }
            measurements.AddRange(modeMeasurements);
        }
        if (_options.KeepWorkspace)
        {
            log.Line($"  Workspace kept (-KeepWorkspace): {specDir}");
        }
        else
        {
            RemoveTree(specDir);
        }
        log.Line();
        return measurements;
    }

    private (RunSample Sample, VerificationResult Verification, MirrorResult? Result, BlitRunSummary? Blit) RunOnce(ToolState tool,
        BenchmarkMode mode, string source, WorkloadBuilder builder, int round, int number, CancellationToken cancellationToken)
    {
        ToolRun run = tool.Tool.Run(mode, source, tool.Destination, _options.Flush, cancellationToken);
        VerificationResult verification = _options.Verifier.Verify(source, tool.Destination,
            builder.Spec.Seed ^ (round * 7919) ^ tool.Name.Length, builder.ChangedPaths, cancellationToken);
        string? failure = run.Failure ?? (verification.Failure is null ? null : "verification failed: " + verification.Failure);
        var sample = new RunSample
        {
            Run = number,
            WallSeconds = run.WallSeconds,
            CpuSeconds = run.CpuSeconds,
            PeakMemoryBytes = run.PeakMemoryBytes,
            MemoryGrowthBytes = run.MemoryGrowthBytes,
            Verified = failure is null && verification.Matches,
            Failure = failure,
        };
        return (sample, verification, run.Result, run.Blit);
    }

    private static void PrepareDestination(WorkloadBuilder builder, ToolState tool, CancellationToken cancellationToken)
    {
        string dest = tool.Destination;
        WorkloadSpec spec = builder.Spec;
        if (spec.IsFullCopy)
        {
            RemoveTree(dest);
            Directory.CreateDirectory(dest);
            return;
        }
        bool known = tool.LastVerified && Directory.Exists(dest);
        if (spec.Workload == Workload.Incremental)
        {
            if (known)
            {
                builder.RevertChange(dest, cancellationToken);
                return;
            }
            RemoveTree(dest);
            builder.BuildBase(dest, cancellationToken);
            return;
        }
        // NoOp: an already-mirrored tree; only rebuilt when a run left it unknown.
        if (!known)
        {
            RemoveTree(dest);
            builder.BuildSource(dest, cancellationToken);
        }
    }

    private static string PlannerNotes(BlitRunSummary r) => string.Create(CultureInfo.InvariantCulture,
        $"workers={r.WorkerCount}, cloned={r.FilesCloned}, kernel-copied={r.FilesKernelCopied}, streamed={r.FilesStreamed}");

    private static string RunLine(bool warmup, int number, string tool, RunSample s, VerificationResult v, BlitRunSummary? blit)
    {
        string memory = s.MemoryGrowthBytes is long growth
            ? string.Create(CultureInfo.InvariantCulture, $"{growth / (double)WorkloadSpec.MiB,7:0.0} MiB growth")
            : string.Create(CultureInfo.InvariantCulture, $"{(s.PeakMemoryBytes ?? 0) / (double)WorkloadSpec.MiB,7:0.0} MiB peak");
        string head = string.Create(CultureInfo.InvariantCulture,
            $"  {(warmup ? "[warm-up " : "[run ") + number.ToString(CultureInfo.InvariantCulture) + "]",-12} {tool,-8} {s.WallSeconds,8:0.000} s wall, {s.CpuSeconds,7:0.000} s CPU, " +
            $"{memory}; ");
        string outcome = s.Verified
            ? string.Create(CultureInfo.InvariantCulture,
                $"verified ({v.DestinationEntries:N0} entries, {v.DestinationBytes:N0} bytes; {v.FilesSampled} files sampled)")
            : "FAILED: " + s.Failure;
        string what = blit is null ? string.Empty : string.Create(CultureInfo.InvariantCulture,
            $"; copied {blit.FilesCopied:N0}, updated {blit.FilesUpdated:N0}, deleted {blit.FilesDeleted:N0}, unchanged {blit.FilesUnchanged:N0}; {PlannerNotes(blit)}");
        return head + outcome + what;
    }

    private void Report(WorkloadSpec spec, string activity, string? tool, int run, int runs) =>
        _listener?.OnStatus(new BenchmarkStatus(spec.Workload, spec.SizeLabel, activity, tool, run, runs, _step, _totalSteps));

    /// <summary>Removes a tree, read-only entries included; a missing tree is fine.</summary>
    internal static void RemoveTree(string path)
    {
        if (!Directory.Exists(path))
        {
            return;
        }
        try
        {
            Directory.Delete(path, recursive: true);
        }
        catch (UnauthorizedAccessException)
        {
            foreach (string dir in Directory.EnumerateDirectories(path, "*", SearchOption.AllDirectories))
            {
                File.SetAttributes(dir, FileAttributes.Normal);
            }
            Directory.Delete(path, recursive: true);
        }
    }

    /// <summary>A tool and its own destination (&lt;spec dir&gt;/&lt;tool name&gt;), with its runs so far.</summary>
    private sealed class ToolState(BenchmarkTool tool, string specDir)
    {
        public BenchmarkTool Tool { get; } = tool;
        public string Name => Tool.Name;
        public string Destination { get; } = Path.Combine(specDir, tool.Name);
        public bool LastVerified { get; set; }
        public List<RunSample> Samples { get; } = [];
        public List<string> PlannerChoices { get; } = [];
    }
}
