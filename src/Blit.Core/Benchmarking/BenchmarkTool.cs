using Blit.Mirror;

namespace Blit.Benchmarking;

/// <summary>
/// One tool the benchmark times: Blit (<see cref="BlitTool"/>) or a comparator (<see cref="ComparatorTool"/>: rsync,
/// robocopy, cp). Each knows how it is run, what its command looks like and when a run of it failed; the runner
/// prepares destinations, alternates the tools and verifies every run the same way for all of them.
/// </summary>
public abstract class BenchmarkTool
{
    /// <summary>The name measurements and logs carry: "blit", "rsync", "robocopy" or "cp".</summary>
    public abstract string Name { get; }

    /// <summary>
    /// The tool's version, recorded in bench.log and results.json: Blit's own; a comparator's when its probe could read one
    /// (rsync and cp: their --version; robocopy: its file version).
    /// </summary>
    public string? Version { get; private protected set; }

    /// <summary>True for the tools Blit is measured against.</summary>
    public abstract bool IsComparator { get; }

    /// <summary>The command one run executes, as the log and results.json record it.</summary>
    public abstract string Command(BenchmarkMode mode, string source, string destination);

    /// <summary>
    /// Runs the tool once from <paramref name="source"/> into the prepared <paramref name="destination"/> and measures it.
    /// With <paramref name="flush"/>, sync(2) runs after the tool ends, inside the timed window.
    /// </summary>
    internal abstract ToolRun Run(BenchmarkMode mode, string source, string destination, bool flush,
        CancellationToken cancellationToken);
}

/// <summary>What one run of a tool measured, before the destination is verified.</summary>
/// <param name="WallSeconds">Wall-clock seconds.</param>
/// <param name="CpuSeconds">CPU seconds (user + system).</param>
/// <param name="PeakMemoryBytes">The whole process (tree)'s peak; null for warm Blit.</param>
/// <param name="MemoryGrowthBytes">Warm Blit's in-process peak growth; null otherwise.</param>
/// <param name="Failure">Why the run failed (exit code, errors), else null.</param>
/// <param name="Result">Warm Blit: the engine's result object.</param>
/// <param name="Blit">Blit in either mode: the counts the log shows.</param>
internal sealed record ToolRun(double WallSeconds, double CpuSeconds, long? PeakMemoryBytes, long? MemoryGrowthBytes, string? Failure,
    MirrorResult? Result = null, BlitRunSummary? Blit = null)
{
    /// <summary>A run whose process could not be started at all.</summary>
    public static ToolRun NotStarted(string failure) => new(0, 0, 0, null, failure);

    /// <summary>The last 300 characters of a process's output on one line, for failure notes.</summary>
    public static string Tail(string text)
    {
        string oneLine = text.ReplaceLineEndings(" | ");
        return oneLine.Length <= 300 ? oneLine : "..." + oneLine[^300..];
    }

    /// <summary>"; output: ..." when there was output, else nothing.</summary>
    public static string OutputNote(string output) => output.Length > 0 ? $"; output: {Tail(output)}" : string.Empty;
}

/// <summary>A command as a shell on this OS would show it, for logs and results.json (never parsed back).</summary>
internal static class CommandText
{
    /// <summary><paramref name="file"/> and its arguments, each quoted where needed, joined by spaces.</summary>
    public static string Join(string file, IEnumerable<string> arguments, bool windows) =>
        string.Join(' ', new[] { file }.Concat(arguments).Select(a => Quote(a, windows)));

    /// <summary>
    /// One argument: as is when nothing in it needs quoting; else POSIX single quotes (<c>'it'\''s'</c>), or on Windows
    /// double quotes by the rules <c>CommandLineToArgvW</c> reads (backslashes before a quote doubled).
    /// </summary>
    public static string Quote(string arg, bool windows)
    {
        if (windows)
        {
            if (arg.Length > 0 && !arg.Any(c => char.IsWhiteSpace(c) || c == '"'))
            {
                return arg;
            }
            var quoted = new System.Text.StringBuilder("\"");
            int backslashes = 0;
            foreach (char c in arg)
            {
                if (c == '\\')
                {
                    backslashes++;
                    continue;
                }
                quoted.Append('\\', c == '"' ? (backslashes * 2) + 1 : backslashes).Append(c);
                backslashes = 0;
            }
            return quoted.Append('\\', backslashes * 2).Append('"').ToString();
        }
        return arg.Length > 0 && !arg.Any(c => char.IsWhiteSpace(c) || c is '"' or '\'' or '$' or '`' or '\\' or '*' or '?')
            ? arg
            : "'" + arg.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
    }
}
