using Blit.Benchmarking;
using Blit.Errors;

namespace Blit.Gate;

/// <summary>A measurement read from a logged results.json, with the file it came from.</summary>
public sealed record LoggedMeasurement(WorkloadMeasurement Measurement, string FilePath);

/// <summary>The earlier runs a measurement is compared with, and why others were left out.</summary>
public sealed class Baseline
{
    /// <summary>The runs used, newest first.</summary>
    public required IReadOnlyList<LoggedMeasurement> Runs { get; init; }

    /// <summary>
    /// Median memory figure of <see cref="Runs"/> (the figure the current measurement is checked by: a whole-process
    /// peak, or warm Blit's in-process growth); null when no run has it.
    /// </summary>
    public long? MemoryBytes { get; init; }

    /// <summary>Median of the runs' median CPU seconds; null when there are none.</summary>
    public double? CpuSeconds { get; init; }

    /// <summary>Why no baseline was found, machine mismatches, runs left out: for the decision's notes.</summary>
    public required IReadOnlyList<string> Notes { get; init; }
}

/// <summary>
/// Earlier logged runs (results.json files under a folder, by default ./logs). A run is a
/// baseline for the current measurement when it is the same workload, size label, tool and mode
/// (warm or cold), verified, taken strictly earlier, on the same machine (<see cref="MachineIdentity"/>) with the
/// same benchmark options, and not from the current measurement's own results file.
/// </summary>
public sealed class BaselineStore
{
    /// <summary>The file name of logged results.</summary>
    public const string ResultsFileName = "results.json";

    private readonly List<LoggedMeasurement> _entries;

    /// <summary>A store of <paramref name="entries"/>, read from <paramref name="folder"/>, with the <paramref name="problems"/> found reading it.</summary>
    public BaselineStore(IEnumerable<LoggedMeasurement> entries, string? folder = null, bool folderExists = true,
        IEnumerable<string>? problems = null)
    {
        ArgumentNullException.ThrowIfNull(entries);
        _entries = [.. entries];
        Folder = folder;
        FolderExists = folderExists;
        Problems = problems is null ? [] : [.. problems];
    }

    /// <summary>A store with no runs (no baseline folder).</summary>
    public static BaselineStore Empty { get; } = new([], null, false);

    /// <summary>The folder searched; null for an in-memory store.</summary>
    public string? Folder { get; }

    /// <summary>False when the baseline folder did not exist.</summary>
    public bool FolderExists { get; }

    /// <summary>Every logged measurement read.</summary>
    public IReadOnlyList<LoggedMeasurement> Entries => _entries;

    /// <summary>Results files that could not be read and were skipped, with why.</summary>
    public IReadOnlyList<string> Problems { get; }

    /// <summary>
    /// Reads every results.json below <paramref name="folder"/>. A missing folder is an empty store;
    /// unreadable or foreign files are skipped and listed in <see cref="Problems"/> (old logs must
    /// not break today's gate).
    /// </summary>
    public static BaselineStore Load(string folder)
    {
        ArgumentException.ThrowIfNullOrEmpty(folder);
        string full = Path.GetFullPath(folder);
        if (!Directory.Exists(full))
        {
            return new BaselineStore([], full, folderExists: false);
        }
        var entries = new List<LoggedMeasurement>();
        var problems = new List<string>();
        foreach (string file in GateResults.FindResultsFiles(full))
        {
            try
            {
                entries.AddRange(GateResults.Load(file));
            }
            catch (BlitException ex)
            {
                problems.Add(ex.Message);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                problems.Add($"'{file}' could not be read: {ex.Message}");
            }
        }
        return new BaselineStore(entries, full, folderExists: true, problems);
    }

    /// <summary>
    /// Two cold runs whose fresh pwsh differs — its PowerShell or .NET version, or whether it or Blit.Core is precompiled — spend
    /// different CPU and memory on the same mirror (the precompiled pwsh here: about 30 % less CPU, 14 % less peak), so neither
    /// is the other's baseline. A run that did not record it (logged before <see cref="WorkloadMeasurement.RunsOn"/> existed) ran
    /// on an unknown pwsh and is the baseline of none that did: taking it as a match would hide a regression as large as the
    /// difference. Warm runs record none and match each other.
    /// </summary>
    internal static bool OtherRuntime(string? current, string? earlier) =>
        !string.Equals(RuntimeKey(current), RuntimeKey(earlier), StringComparison.Ordinal);

    /// <summary><see cref="WorkloadMeasurement.RunsOn"/> without the file paths in parentheses: what the run ran on, not where it was installed.</summary>
    [return: System.Diagnostics.CodeAnalysis.NotNullIfNotNull(nameof(runsOn))]
    internal static string? RuntimeKey(string? runsOn) =>
        runsOn is null ? null : System.Text.RegularExpressions.Regex.Replace(runsOn, @" \([^()]*\)", string.Empty);

    private static string RuntimeText(string? runsOn) => RuntimeKey(runsOn) is { } key ? $"'{key}'" : "an unrecorded pwsh";

    /// <summary>The baseline for <paramref name="current"/>: the latest <paramref name="maxRuns"/> matching earlier runs.</summary>
    public Baseline Find(WorkloadMeasurement current, int maxRuns = GateOptions.DefaultBaselineRuns)
    {
        ArgumentNullException.ThrowIfNull(current);
        string where = Folder is null ? "in the baseline" : $"under '{Folder}'";
        string what = $"{current.Workload} {current.SizeLabel}{(current.Mode == BenchmarkMode.Cold ? " (cold)" : string.Empty)} by {current.Tool}";
        var notes = new List<string>();
        if (Folder is not null && !FolderExists)
        {
            notes.Add($"no baseline: '{Folder}' does not exist; memory and CPU were not compared");
            return new Baseline { Runs = [], Notes = notes };
        }

        string? ownFile = string.IsNullOrEmpty(current.ResultsPath) ? null : Path.GetFullPath(current.ResultsPath);
        var sameRun = _entries.Where(e =>
                e.Measurement.Workload == current.Workload
                && string.Equals(e.Measurement.SizeLabel, current.SizeLabel, StringComparison.Ordinal)
                && string.Equals(e.Measurement.Tool, current.Tool, StringComparison.OrdinalIgnoreCase)
                && e.Measurement.Mode == current.Mode
                && e.Measurement.Timestamp < current.Timestamp
                && !string.Equals(Path.GetFullPath(e.FilePath), ownFile, StringComparison.Ordinal))
            .ToList();

        var otherMachine = new List<(LoggedMeasurement Entry, IReadOnlyList<string> Diffs)>();
        var otherOptions = new List<LoggedMeasurement>();
        var otherRuntime = new List<LoggedMeasurement>();
        var failed = new List<LoggedMeasurement>();
        var usable = new List<LoggedMeasurement>();
        foreach (LoggedMeasurement e in sameRun)
        {
            IReadOnlyList<string> diffs = MachineIdentity.Differences(current.System, e.Measurement.System);
            if (diffs.Count > 0)
            {
                otherMachine.Add((e, diffs));
            }
            else if (OtherRuntime(current.RunsOn, e.Measurement.RunsOn))
            {
                otherRuntime.Add(e);
            }
            else if (!e.Measurement.Options.Order(StringComparer.Ordinal)
                         .SequenceEqual(current.Options.Order(StringComparer.Ordinal), StringComparer.Ordinal))
            {
                otherOptions.Add(e);
            }
            else if (!e.Measurement.Verified)
            {
                failed.Add(e);
            }
            else
            {
                usable.Add(e);
            }
        }

        if (otherMachine.Count > 0)
        {
            string diffs = string.Join("; ", otherMachine.SelectMany(o => o.Diffs).Distinct(StringComparer.Ordinal));
            notes.Add(FormattableString.Invariant(
                $"machine mismatch: {otherMachine.Count} earlier run(s) of {what} {where} were on another machine ({diffs}) and are not a baseline"));
        }
        if (otherRuntime.Count > 0)
        {
            string earlier = string.Join(", ", otherRuntime.Select(o => RuntimeText(o.Measurement.RunsOn)).Distinct(StringComparer.Ordinal));
            notes.Add(FormattableString.Invariant(
                $"runtime mismatch: {otherRuntime.Count} earlier run(s) of {what} {where} ran on {earlier}, not {RuntimeText(current.RunsOn)}, and are not a baseline"));
        }
        if (otherOptions.Count > 0)
        {
            notes.Add(FormattableString.Invariant(
                $"{otherOptions.Count} earlier run(s) of {what} {where} used other benchmark options and are not a baseline"));
        }
        if (failed.Count > 0)
        {
            notes.Add(FormattableString.Invariant(
                $"{failed.Count} earlier run(s) of {what} {where} failed verification and are not a baseline"));
        }

        List<LoggedMeasurement> runs = [.. usable.OrderByDescending(e => e.Measurement.Timestamp).Take(maxRuns)];
        if (runs.Count == 0)
        {
            notes.Insert(0, $"no baseline: no earlier verified run of {what} on this machine {where}; memory and CPU were not compared");
            return new Baseline { Runs = [], Notes = notes };
        }
        return new Baseline
        {
            Runs = runs,
            MemoryBytes = runs.Any(r => r.Measurement.MemoryBytes is not null)
                ? (long)Math.Round(Statistics.Median(runs.Where(r => r.Measurement.MemoryBytes is not null).Select(r => (double)r.Measurement.MemoryBytes!.Value)))
                : null,
            CpuSeconds = Statistics.Median(runs.Select(r => r.Measurement.MedianCpuSeconds)),
            Notes = notes,
        };
    }
}
