using System.Diagnostics;
using System.Text.RegularExpressions;

namespace Blit.Benchmarking;

/// <summary>
/// <c>robocopy SRC DEST /MIR …</c>: the reference on Windows, with flags that need no admin rights (data, attributes
/// and times of files and directories, no retries, 8 threads, no per-file output). Its exit code is a bit field:
/// below 8 is success (1 files copied, 2 extras deleted, 4 mismatches), 8 and up a failure.
/// </summary>
public sealed partial class RobocopyTool : ComparatorTool
{
    /// <summary>robocopy's tool name.</summary>
    public const string ToolName = "robocopy";

    /// <summary>Where to get it, for the not-found message.</summary>
    public const string InstallHint = "robocopy ships with Windows in %SystemRoot%\\System32";

    /// <summary>The reference semantics: /MIR keeping data, attributes and times, no admin-only flags (/B, /COPYALL).</summary>
    public static readonly IReadOnlyList<string> DefaultFlags =
        ["/MIR", "/COPY:DAT", "/DCOPY:DAT", "/R:0", "/W:0", "/MT:8", "/NP", "/NFL", "/NDL", "/NJH", "/NJS"];

    /// <summary>robocopy at <paramref name="executablePath"/>, with <paramref name="flags"/> or the defaults.</summary>
    public RobocopyTool(string executablePath, IReadOnlyList<string>? flags = null) : base(executablePath, flags, DefaultFlags)
    {
    }

    /// <inheritdoc/>
    public override string Name => ToolName;

    /// <inheritdoc/>
    public override ComparatorKind Kind => ComparatorKind.Robocopy;

    /// <inheritdoc/>
    public override string SuccessRule => "exit code below 8";

    /// <summary>SRC DEST first, then the flags.</summary>
    public override IReadOnlyList<string> Arguments(string source, string destination) => [source, destination, .. Flags];

    /// <summary>Below 8 is success (1 = files copied, 2 = extras deleted, 4 = mismatches); 8 and up is a failure.</summary>
    public override bool IsSuccess(int exitCode) => exitCode is >= 0 and < 8;

    /// <inheritdoc/>
    public override string DescribeExit(int exitCode) => exitCode >= 8 || exitCode < 0
        ? $"robocopy exit code {exitCode}: at least one failure (8 = copy errors, 16 = fatal)"
        : $"robocopy exit code {exitCode}: success";

    /// <summary>
    /// Reads robocopy's file version (it has no --version), then runs the flags with /L (list only: nothing is copied,
    /// timestamped or deleted) between two empty directories. A parameter robocopy calls invalid is an error naming it; a
    /// probe that fails without naming one is left to the runs, which record their exit codes.
    /// </summary>
    public override void Probe(string scratchDirectory, CancellationToken cancellationToken)
    {
        string? fileVersion = FileVersionInfo.GetVersionInfo(ExecutablePath).FileVersion;
        Version = string.IsNullOrWhiteSpace(fileVersion) ? null : $"robocopy {fileVersion.Trim()} (file version)";
        WithEmptyDirectories(scratchDirectory, (src, dst) =>
        {
            (int exit, string output) = RunQuiet([.. Arguments(src, dst), "/L"], cancellationToken);
            if (!IsSuccess(exit) && RejectedFlags(output) is { Count: > 0 } rejected)
            {
                throw Unsupported($"rejects {string.Join(' ', rejected)}", exit, output);
            }
        });
    }

    /// <summary>The parameters robocopy's output calls invalid: <c>ERROR : Invalid Parameter #3 : "/FOO"</c>.</summary>
    public static IReadOnlyList<string> RejectedFlags(string output)
    {
        ArgumentNullException.ThrowIfNull(output);
        return [.. InvalidParameterPattern().Matches(output).Select(m => m.Groups["flag"].Value).Distinct(StringComparer.Ordinal)];
    }

    /// <summary>%SystemRoot%\System32\robocopy.exe on Windows when it is not on the PATH; null elsewhere.</summary>
    internal static string? FindInSystemDirectory()
    {
        if (!OperatingSystem.IsWindows())
        {
            return null;
        }
        string system = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.System), "robocopy.exe");
        return File.Exists(system) ? system : null;
    }

    [GeneratedRegex(@"Invalid Parameter #\d+ : ""(?<flag>[^""]+)""", RegexOptions.IgnoreCase)]
    private static partial Regex InvalidParameterPattern();
}
