using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace Blit.Benchmarking;

/// <summary>The benchmark workloads of DESIGN.md §4.</summary>
public enum Workload
{
    /// <summary>One large file, copied into an empty destination.</summary>
    LargeFile,
    /// <summary>Many small files, copied into an empty destination.</summary>
    SmallFiles,
    /// <summary>One large file plus many small files, copied into an empty destination.</summary>
    Mixed,
    /// <summary>A mirrored tree after a change (files appended to, deleted and added), mirrored again.</summary>
    Incremental,
    /// <summary>A mirrored, unchanged tree, mirrored again (nothing to do but compare).</summary>
    NoOp,

    /// <summary>A tree of a few entries (an empty file, a small file, a nested directory, a symlink): per-run overhead decides.</summary>
    Tiny,
}

/// <summary>How Blit is started for each run.</summary>
public enum BenchmarkMode
{
    /// <summary>In the measuring process (a warm pwsh that has run Blit before), around the engine call.</summary>
    Warm,

    /// <summary>
    /// A fresh pwsh per run that imports the module and runs Invoke-BlitMirror, timed as a whole process, as a
    /// cron job or a one-shot runbook starts it. Not to be confused with a cold page cache (-DropCaches).
    /// </summary>
    Cold,
}

/// <summary>Which memory figure a measurement's memory check uses.</summary>
public enum MemoryFigure
{
    /// <summary>The peak of the tool's whole process (tree), sampled from outside: comparators, and Blit in cold mode.</summary>
    ProcessPeak,

    /// <summary>
    /// Warm Blit: how much the measuring process's own peak grew during the engine call. Not a process peak and
    /// never comparable with one (the process also holds PowerShell and everything loaded before).
    /// </summary>
    InProcessGrowth,
}

/// <summary>One timed run of one tool.</summary>
public sealed class RunSample
{
    /// <summary>1-based run number among the measured runs (warm-ups are not recorded as samples).</summary>
    public required int Run { get; init; }
    /// <summary>Wall-clock seconds of the run.</summary>
    public required double WallSeconds { get; init; }
    /// <summary>CPU seconds (user + system) the tool used in the run.</summary>
    public required double CpuSeconds { get; init; }
    /// <summary>
    /// Peak memory of the tool's whole process (tree) for this run, in bytes, sampled from outside; null when the run
    /// had no process of its own (warm Blit: see <see cref="MemoryGrowthBytes"/>).
    /// </summary>
    public long? PeakMemoryBytes { get; init; }
    /// <summary>Warm Blit only: growth of the measuring process's peak memory during the engine call, in bytes; else null.</summary>
    public long? MemoryGrowthBytes { get; init; }
    /// <summary>The destination matched the source after the run.</summary>
    public required bool Verified { get; init; }
    /// <summary>Why verification failed (or the tool's failure), else null.</summary>
    public string? Failure { get; init; }
}

/// <summary>Where a measurement was taken.</summary>
public sealed class SystemInfo
{
    /// <summary>linux, macos or windows: the folder under logs/.</summary>
    public required string Platform { get; init; }
    /// <summary>The operating system name and version.</summary>
    public required string OperatingSystem { get; init; }
    /// <summary>The kernel release.</summary>
    public required string Kernel { get; init; }
    /// <summary>The CPU model name.</summary>
    public required string CpuModel { get; init; }
    /// <summary>Logical processors.</summary>
    public required int CpuCount { get; init; }
    /// <summary>Physical memory, in bytes.</summary>
    public required long MemoryBytes { get; init; }
    /// <summary>The machine's host name.</summary>
    public required string MachineName { get; init; }
    /// <summary>Filesystem type of the benchmark root (ext4, xfs, tmpfs, NTFS, ...).</summary>
    public required string FileSystem { get; init; }
    /// <summary>ssd, rotational, virtual, memory or unknown.</summary>
    public required string DeviceKind { get; init; }
    /// <summary>Blit's version (informational version of Blit.Core).</summary>
    public required string BlitVersion { get; init; }
}

/// <summary>All runs of one tool on one workload (and size), with their summary.</summary>
public sealed class WorkloadMeasurement
{
    /// <summary>The workload measured.</summary>
    public required Workload Workload { get; init; }
    /// <summary>Distinguishes sizes of one workload, e.g. "1024MiB" or "100000files".</summary>
    public required string SizeLabel { get; init; }
    /// <summary>Bytes the workload moves in one run (for Incremental/NoOp: the tree's size).</summary>
    public required long TotalBytes { get; init; }
    /// <summary>Files in the workload tree.</summary>
    public required long FileCount { get; init; }
    /// <summary>Entries below the workload tree's root: files, directories and symlinks (0 in files written before it was recorded).</summary>
    public long EntryCount { get; init; }
    /// <summary>"blit", "rsync" or "robocopy".</summary>
    public required string Tool { get; init; }
    /// <summary>The command as run (for blit: the engine call and its options).</summary>
    public required string Command { get; init; }
    /// <summary>True for the comparator (rsync, robocopy, cp), false for Blit.</summary>
    public required bool IsComparator { get; init; }
    /// <summary>The tool's version: Blit's own, or the comparator's as its probe read it (null when it could not be read, and in files written before it was recorded).</summary>
    public string? ToolVersion { get; init; }
    /// <summary>
    /// Cold Blit only: what its fresh process ran on, as that process reported it (PowerShell and .NET versions, and
    /// whether pwsh and Blit.Core carry precompiled native code or are JIT-compiled); null otherwise.
    /// </summary>
    public string? RunsOn { get; init; }
    /// <summary>How Blit was started (a comparator's runs are fresh processes in both modes; its mode pairs it with Blit's).</summary>
    public BenchmarkMode Mode { get; init; }
    /// <summary>Warm-up runs before the measured ones (not in <see cref="Samples"/>).</summary>
    public required int WarmupRuns { get; init; }
    /// <summary>The measured runs, in order.</summary>
    public required IReadOnlyList<RunSample> Samples { get; init; }
    /// <summary>Median wall-clock seconds of the measured runs.</summary>
    public required double MedianSeconds { get; init; }
    /// <summary>Fastest measured run, in seconds.</summary>
    public required double MinSeconds { get; init; }
    /// <summary>Slowest measured run, in seconds.</summary>
    public required double MaxSeconds { get; init; }
    /// <summary>Median CPU seconds of the measured runs.</summary>
    public required double MedianCpuSeconds { get; init; }
    /// <summary>Largest whole-process peak over the measured runs; null when none had a process of its own (warm Blit).</summary>
    public long? PeakMemoryBytes { get; init; }
    /// <summary>Warm Blit: the largest in-process peak growth over the measured runs; null otherwise.</summary>
    public long? MemoryGrowthBytes { get; init; }
    /// <summary>TotalBytes / median seconds, in MiB/s.</summary>
    public required double MiBPerSecond { get; init; }
    /// <summary>FileCount / median seconds.</summary>
    public required double FilesPerSecond { get; init; }
    /// <summary>Measured runs that failed (tool error or verification).</summary>
    public required int FailedRuns { get; init; }
    /// <summary>Planner choices for Blit (workers, strategy); null for comparators.</summary>
    public string? PlannerNotes { get; init; }
    /// <summary>When the measurement finished.</summary>
    public required DateTimeOffset Timestamp { get; init; }
    /// <summary>The machine the measurement was taken on.</summary>
    public required SystemInfo System { get; init; }
    /// <summary>The human log (bench.log) this measurement was written to; null if not logged.</summary>
    public string? LogPath { get; init; }
    /// <summary>The results.json beside the log.</summary>
    public string? ResultsPath { get; init; }
    /// <summary>Benchmark options that change what is measured (cold cache, flush).</summary>
    public IReadOnlyList<string> Options { get; init; } = [];

    /// <summary>True when there were measured runs and every one verified.</summary>
    public bool Verified => FailedRuns == 0 && Samples.Count > 0;

    /// <summary>The memory figure this measurement is checked by (against baselines of the same tool and mode only).</summary>
    [JsonIgnore]
    public MemoryFigure MemoryFigure => !IsComparator && Mode == BenchmarkMode.Warm ? MemoryFigure.InProcessGrowth : MemoryFigure.ProcessPeak;

    /// <summary>The value of <see cref="MemoryFigure"/>: <see cref="MemoryGrowthBytes"/> or <see cref="PeakMemoryBytes"/>.</summary>
    [JsonIgnore]
    public long? MemoryBytes => MemoryFigure == MemoryFigure.InProcessGrowth ? MemoryGrowthBytes : PeakMemoryBytes;

    /// <summary>
    /// The whole-process peak divided by <see cref="EntryCount"/>: what a tree of this shape costs per entry, the
    /// process's fixed start-up memory included. Null without a process peak (warm Blit) or an entry count.
    /// </summary>
    public double? PeakBytesPerEntry => PeakMemoryBytes is long peak && EntryCount > 0 ? peak / (double)EntryCount : null;
}

/// <summary>The machine-readable results.json written beside each bench.log.</summary>
public sealed class ResultsFile
{
    /// <summary>
    /// 2: Blit's memory split into a whole-process peak and an in-process growth, and a mode per measurement.
    /// Schema 1 files are read as warm runs whose Blit "peakMemoryBytes" was the in-process growth.
    /// </summary>
    public const int CurrentSchema = 2;
    /// <summary>The value of the <c>kind</c> field that marks a Blit results file.</summary>
    public const string Kind = "blit-benchmark-results";

    /// <summary>Marks the file as Blit's (<see cref="Kind"/>); written as <c>kind</c>.</summary>
    [JsonPropertyName("kind")]
    public string FileKind { get; init; } = Kind;
    /// <summary>The schema version of the file.</summary>
    public int Schema { get; init; } = CurrentSchema;
    /// <summary>When the file was written.</summary>
    public required DateTimeOffset Timestamp { get; init; }
    /// <summary>The machine the measurements were taken on.</summary>
    public required SystemInfo System { get; init; }
    /// <summary>Every measurement of the workload's benchmark so far.</summary>
    public required IReadOnlyList<WorkloadMeasurement> Measurements { get; init; }

    /// <summary>The JSON settings results files are written and read with (camelCase, enums as names).</summary>
    public static readonly JsonSerializerOptions JsonOptions = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        Converters = { new JsonStringEnumConverter() },
    };

    /// <summary>Writes the file atomically (temp file and rename) to <paramref name="path"/>.</summary>
    public void Save(string path)
    {
        string tmp = path + ".tmp";
        File.WriteAllText(tmp, JsonSerializer.Serialize(this, JsonOptions));
        File.Move(tmp, path, overwrite: true);
    }

    /// <summary>The largest file read as a results file: a real one holds tens of KiB.</summary>
    public const long MaxBytes = 64L << 20;

    /// <summary>
    /// Reads a results.json; throws <see cref="Errors.BlitException"/> (InvalidResultsFile) for corrupt or foreign files,
    /// and, without reading them, for files of no length or more than <see cref="MaxBytes"/>: a FIFO (whose read would
    /// wait for a writer) and a device such as /dev/zero (whose read never ends) report no length.
    /// </summary>
    public static ResultsFile Load(string path)
    {
        var info = new FileInfo(path);
        if (info.LinkTarget is not null && info.ResolveLinkTarget(returnFinalTarget: true) is FileInfo target)
        {
            info = target; // a symlink's own length is its target path's
        }
        if (info.Exists && (info.Length == 0 || info.Length > MaxBytes))
        {
            throw new Errors.BlitException(Errors.BlitErrorCode.InvalidResultsFile, info.Length == 0
                ? $"'{path}' is not a Blit results file: it is empty, or not a regular file (a FIFO or a device); it was not read."
                : $"'{path}' is not a Blit results file: it holds {info.Length:N0} bytes, more than the {MaxBytes:N0} a results file may; it was not read.",
                path);
        }
        ResultsFile? file;
        try
        {
            JsonNode? node = JsonNode.Parse(File.ReadAllText(path));
            UpgradeSchema1(node);
            file = node.Deserialize<ResultsFile>(JsonOptions);
        }
        catch (JsonException ex)
        {
            throw new Errors.BlitException(Errors.BlitErrorCode.InvalidResultsFile,
                $"'{path}' is not a valid Blit results file: {ex.Message}", path, ex);
        }
        if (file is null || file.FileKind != Kind)
        {
            throw new Errors.BlitException(Errors.BlitErrorCode.InvalidResultsFile,
                $"'{path}' is not a Blit results file (expected \"kind\": \"{Kind}\").", path);
        }
        if (file.Schema > CurrentSchema)
        {
            throw new Errors.BlitException(Errors.BlitErrorCode.InvalidResultsFile,
                $"'{path}' uses results schema {file.Schema}; this Blit reads up to {CurrentSchema}.", path);
        }
        return file;
    }

    /// <summary>Schema 1 stored warm Blit's in-process growth as "peakMemoryBytes": moved to "memoryGrowthBytes".</summary>
    private static void UpgradeSchema1(JsonNode? node)
    {
        if (node is not JsonObject root || root["schema"] is not JsonValue schema || !schema.TryGetValue(out int version) || version != 1
            || root["measurements"] is not JsonArray measurements)
        {
            return;
        }
        foreach (JsonObject m in measurements.OfType<JsonObject>())
        {
            if (m["isComparator"] is JsonValue c && c.TryGetValue(out bool isComparator) && !isComparator)
            {
                MoveGrowth(m);
                if (m["samples"] is JsonArray samples)
                {
                    foreach (JsonObject sample in samples.OfType<JsonObject>())
                    {
                        MoveGrowth(sample);
                    }
                }
            }
        }

        static void MoveGrowth(JsonObject o)
        {
            if (o.Remove("peakMemoryBytes", out JsonNode? value))
            {
                o["memoryGrowthBytes"] = value;
            }
        }
    }
}
