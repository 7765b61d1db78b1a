using System.Globalization;
using System.Text;
using Blit.Errors;

namespace Blit.Benchmarking;

/// <summary>
/// The logs of one workload's benchmark: a human <c>bench.log</c> written as the runs go (so an
/// interrupted benchmark still leaves its trail) and a <c>results.json</c> beside it
/// (<see cref="ResultsFile"/>) that the gate reads back. Layout:
/// <c>&lt;logRoot&gt;/&lt;platform&gt;/bench_&lt;workload&gt;_&lt;yyyyMMddTHHmmssZ&gt;/</c>.
/// </summary>
public sealed class BenchmarkLog : IDisposable
{
    /// <summary>The human log's file name.</summary>
    public const string LogFileName = "bench.log";
    /// <summary>The machine-readable results' file name.</summary>
    public const string ResultsFileName = "results.json";

    private readonly StreamWriter _writer;
    private readonly Action<string>? _echo;
    private readonly object _lock = new();

    private BenchmarkLog(string directory, StreamWriter writer, Action<string>? echo)
    {
        Directory = directory;
        _writer = writer;
        _echo = echo;
    }

    /// <summary>The folder of this benchmark's logs.</summary>
    public string Directory { get; }

    /// <summary>The human log, bench.log.</summary>
    public string LogPath => Path.Combine(Directory, LogFileName);

    /// <summary>The results.json beside the log.</summary>
    public string ResultsPath => Path.Combine(Directory, ResultsFileName);

    /// <summary>bench_&lt;workload&gt;_&lt;UTC timestamp&gt;, e.g. bench_smallfiles_20250601T101500Z.</summary>
    public static string DirectoryName(Workload workload, DateTimeOffset started) =>
        "bench_" + workload.ToString().ToLowerInvariant() + "_" +
        started.UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);

    /// <summary>
    /// Checks up front that logs can be written under <paramref name="logRoot"/>/<paramref name="platform"/>
    /// (creates it and writes a probe file); throws LogPathUnusable otherwise.
    /// </summary>
    public static string EnsureWritable(string logRoot, string platform)
    {
        string dir = Path.Combine(logRoot, platform);
        try
        {
            System.IO.Directory.CreateDirectory(dir);
            string probe = Path.Combine(dir, $".blit-write-probe-{Environment.ProcessId}-{Guid.NewGuid():N}");
            File.WriteAllText(probe, string.Empty);
            File.Delete(probe);
            return dir;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or NotSupportedException or ArgumentException)
        {
            throw new BlitException(BlitErrorCode.LogPathUnusable,
                $"Cannot write benchmark logs under '{dir}': {ex.Message}", dir, ex);
        }
    }

    /// <summary>Creates the log directory (with a -2, -3, ... suffix if the name is taken) and opens bench.log.</summary>
    public static BenchmarkLog Create(string logRoot, string platform, Workload workload, DateTimeOffset started,
        Action<string>? echo = null)
    {
        string parent = EnsureWritable(logRoot, platform);
        string name = DirectoryName(workload, started);
        try
        {
            for (int attempt = 1; ; attempt++)
            {
                string dir = Path.Combine(parent, attempt == 1 ? name : $"{name}-{attempt}");
                if (System.IO.Directory.Exists(dir))
                {
                    continue;
                }
                System.IO.Directory.CreateDirectory(dir);
                var stream = new FileStream(Path.Combine(dir, LogFileName), FileMode.CreateNew, FileAccess.Write, FileShare.Read);
                var writer = new StreamWriter(stream, new UTF8Encoding(false)) { AutoFlush = true, NewLine = "\n" };
                return new BenchmarkLog(dir, writer, echo);
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new BlitException(BlitErrorCode.LogPathUnusable, $"Cannot create a benchmark log under '{parent}': {ex.Message}",
                parent, ex);
        }
    }

    /// <summary>Writes one line (flushed at once) and echoes it to the listener (Write-Verbose in the cmdlet).</summary>
    public void Line(string text = "")
    {
        lock (_lock)
        {
            _writer.WriteLine(text);
        }
        if (text.Length > 0)
        {
            _echo?.Invoke(text);
        }
    }

    /// <summary>Writes one line, formatted with the invariant culture.</summary>
    public void Line(FormattableString text) => Line(text.ToString(CultureInfo.InvariantCulture));

    /// <summary>Writes results.json (atomically: temp file and rename) with everything measured so far.</summary>
    public void SaveResults(DateTimeOffset started, SystemInfo system, IReadOnlyList<WorkloadMeasurement> measurements)
    {
        try
        {
            new ResultsFile { Timestamp = started, System = system, Measurements = measurements }.Save(ResultsPath);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new BlitException(BlitErrorCode.LogPathUnusable, $"Cannot write '{ResultsPath}': {ex.Message}", ResultsPath, ex);
        }
    }

    /// <summary>
    /// The summary table of one workload size and mode, as bench.log shows it. "peak MiB" is a whole process tree's
    /// peak; "growth MiB" is warm Blit's in-process growth; a figure a tool does not have is "-".
    /// </summary>
    public static IEnumerable<string> SummaryTable(IReadOnlyList<WorkloadMeasurement> measurements)
    {
        yield return string.Format(CultureInfo.InvariantCulture, "  {0,-9} {1,10} {2,10} {3,10} {4,10} {5,11} {6,8} {7,10} {8,10} {9,7}",
            "tool", "median s", "min s", "max s", "MiB/s", "files/s", "CPU s", "peak MiB", "growth MiB", "failed");
        foreach (WorkloadMeasurement m in measurements)
        {
            yield return string.Format(CultureInfo.InvariantCulture,
                "  {0,-9} {1,10:0.000} {2,10:0.000} {3,10:0.000} {4,10:0.0} {5,11:0} {6,8:0.000} {7,10} {8,10} {9,4}/{10}",
                m.Tool, m.MedianSeconds, m.MinSeconds, m.MaxSeconds, m.MiBPerSecond, m.FilesPerSecond, m.MedianCpuSeconds,
                MiB(m.PeakMemoryBytes), MiB(m.MemoryGrowthBytes), m.FailedRuns, m.Samples.Count);
        }
    }

    /// <summary>
    /// "  memory per entry: blit 412 B, rsync 130 B (whole-process peak, start-up memory included, / 1,001,000 entries)", for the
    /// measurements that have a whole-process peak and an entry count; null when none has both.
    /// </summary>
    public static string? PerEntryLine(IReadOnlyList<WorkloadMeasurement> measurements)
    {
        var figures = measurements.Where(m => m.PeakBytesPerEntry is not null).ToList();
        return figures.Count == 0 ? null
            : "  memory per entry: " + string.Join(", ", figures.Select(m => m.Tool + " " + ByteSize.Format(m.PeakBytesPerEntry!.Value))) +
              string.Create(CultureInfo.InvariantCulture, $" (whole-process peak, start-up memory included, / {figures[0].EntryCount:N0} entries)");
    }

    private static string MiB(long? bytes) =>
        bytes is long b ? (b / (double)WorkloadSpec.MiB).ToString("0.0", CultureInfo.InvariantCulture) : "-";

    /// <summary>Flushes and closes bench.log.</summary>
    public void Dispose()
    {
        lock (_lock)
        {
            _writer.Dispose();
        }
    }
}
