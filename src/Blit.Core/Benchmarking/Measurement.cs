using System.Text.Json;
using System.Text.Json.Serialization;

namespace Blit.Benchmarking;

/// <summary>The benchmark workloads of DESIGN.md §4.</summary>
public enum Workload
{
    LargeFile,
    SmallFiles,
    Mixed,
    Incremental,
    NoOp,
}

/// <summary>One timed run of one tool.</summary>
public sealed class RunSample
{
    /// <summary>1-based run number among the measured runs (warm-ups are not recorded as samples).</summary>
    public required int Run { get; init; }
    public required double WallSeconds { get; init; }
    public required double CpuSeconds { get; init; }
    /// <summary>Peak memory of the tool for this run, in bytes (for Blit: growth of this process's peak working set).</summary>
    public required long PeakMemoryBytes { get; init; }
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
    public required string OperatingSystem { get; init; }
    public required string Kernel { get; init; }
    public required string CpuModel { get; init; }
    public required int CpuCount { get; init; }
    public required long MemoryBytes { get; init; }
    public required string MachineName { get; init; }
    /// <summary>Filesystem type of the benchmark root (ext4, xfs, tmpfs, NTFS, ...).</summary>
    public required string FileSystem { get; init; }
    /// <summary>ssd, rotational, virtual, memory or unknown.</summary>
    public required string DeviceKind { get; init; }
    public required string BlitVersion { get; init; }
}

/// <summary>All runs of one tool on one workload (and size), with their summary.</summary>
public sealed class WorkloadMeasurement
{
    public required Workload Workload { get; init; }
    /// <summary>Distinguishes sizes of one workload, e.g. "1024MiB" or "100000files".</summary>
    public required string SizeLabel { get; init; }
    /// <summary>Bytes the workload moves in one run (for Incremental/NoOp: the tree's size).</summary>
    public required long TotalBytes { get; init; }
    /// <summary>Files in the workload tree.</summary>
    public required long FileCount { get; init; }
    /// <summary>"blit", "rsync" or "robocopy".</summary>
    public required string Tool { get; init; }
    /// <summary>The command as run (for blit: the engine call and its options).</summary>
    public required string Command { get; init; }
    public required bool IsComparator { get; init; }
    public required int WarmupRuns { get; init; }
    public required IReadOnlyList<RunSample> Samples { get; init; }
    public required double MedianSeconds { get; init; }
    public required double MinSeconds { get; init; }
    public required double MaxSeconds { get; init; }
    public required double MedianCpuSeconds { get; init; }
    /// <summary>Largest peak memory over the measured runs.</summary>
    public required long PeakMemoryBytes { get; init; }
    /// <summary>TotalBytes / median seconds, in MiB/s.</summary>
    public required double MiBPerSecond { get; init; }
    /// <summary>FileCount / median seconds.</summary>
    public required double FilesPerSecond { get; init; }
    /// <summary>Measured runs that failed (tool error or verification).</summary>
    public required int FailedRuns { get; init; }
    /// <summary>Planner choices for Blit (workers, strategy); null for comparators.</summary>
    public string? PlannerNotes { get; init; }
    public required DateTimeOffset Timestamp { get; init; }
    public required SystemInfo System { get; init; }
    /// <summary>The human log (bench.log) this measurement was written to; null if not logged.</summary>
    public string? LogPath { get; init; }
    /// <summary>The results.json beside the log.</summary>
    public string? ResultsPath { get; init; }
    /// <summary>Benchmark options that change what is measured (cold cache, flush).</summary>
    public IReadOnlyList<string> Options { get; init; } = [];

    public bool Verified => FailedRuns == 0 && Samples.Count > 0;
}

/// <summary>The machine-readable results.json written beside each bench.log.</summary>
public sealed class ResultsFile
{
    public const int CurrentSchema = 1;
    public const string Kind = "blit-benchmark-results";

    [JsonPropertyName("kind")]
    public string FileKind { get; init; } = Kind;
    public int Schema { get; init; } = CurrentSchema;
    public required DateTimeOffset Timestamp { get; init; }
    public required SystemInfo System { get; init; }
    public required IReadOnlyList<WorkloadMeasurement> Measurements { get; init; }

    public static readonly JsonSerializerOptions JsonOptions = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        Converters = { new JsonStringEnumConverter() },
    };

    public void Save(string path)
    {
        string tmp = path + ".tmp";
        File.WriteAllText(tmp, JsonSerializer.Serialize(this, JsonOptions));
        File.Move(tmp, path, overwrite: true);
    }

    /// <summary>Reads a results.json; throws <see cref="Errors.BlitException"/> (InvalidResultsFile) for corrupt or foreign files.</summary>
    public static ResultsFile Load(string path)
    {
        ResultsFile? file;
        try
        {
            file = JsonSerializer.Deserialize<ResultsFile>(File.ReadAllText(path), JsonOptions);
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
}
