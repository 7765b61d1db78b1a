using Blit.Benchmarking;
using Blit.Errors;

namespace Blit.Gate;

/// <summary>Reads results.json files for the gate, refusing files whose measurements lack what a decision needs.</summary>
public static class GateResults
{
    /// <summary>
    /// <see cref="ResultsFile.Load"/> plus a check that every measurement is complete (JSON may
    /// carry nulls where the types do not allow them). Throws <see cref="BlitException"/>
    /// (InvalidResultsFile) for corrupt, foreign or incomplete files.
    /// </summary>
    public static IReadOnlyList<LoggedMeasurement> Load(string path)
    {
        ResultsFile file = ResultsFile.Load(path);
        if (file.Measurements is null)
        {
            throw Incomplete(path, "it has no \"measurements\"");
        }
        var loaded = new List<LoggedMeasurement>(file.Measurements.Count);
        for (int i = 0; i < file.Measurements.Count; i++)
        {
            WorkloadMeasurement? m = file.Measurements[i];
            string? missing = m is null ? "the measurement" : MissingField(m);
            if (missing is not null)
            {
                throw Incomplete(path, FormattableString.Invariant($"measurement {i + 1} has no {missing}"));
            }
            loaded.Add(new LoggedMeasurement(m!, path));
        }
        return loaded;
    }

    /// <summary>Every results.json below <paramref name="folder"/>, in ordinal path order (symlinked folders are not followed).</summary>
    public static IEnumerable<string> FindResultsFiles(string folder)
    {
        var walk = new EnumerationOptions
        {
            RecurseSubdirectories = true,
            IgnoreInaccessible = true,
            AttributesToSkip = FileAttributes.ReparsePoint,
            MatchCasing = MatchCasing.CaseSensitive,
        };
        return Directory.EnumerateFiles(folder, BaselineStore.ResultsFileName, walk).Order(StringComparer.Ordinal);
    }

    /// <summary>The first required field that is null, or null when the measurement is complete.</summary>
    public static string? MissingField(WorkloadMeasurement measurement)
    {
        ArgumentNullException.ThrowIfNull(measurement);
        // The compiler's nullability is a promise JSON does not keep; check what decisions read.
        return measurement switch
        {
            { SizeLabel: null } => "sizeLabel",
            { Tool: null } => "tool",
            { Command: null } => "command",
            { Samples: null } => "samples",
            { System: null } => "system",
            { Options: null } => "options",
            _ when measurement.Samples.Any(s => s is null) => "sample",
            _ => null,
        };
    }

    private static BlitException Incomplete(string path, string what) =>
        new(BlitErrorCode.InvalidResultsFile, $"'{path}' is not a complete Blit results file: {what}.", path);
}
