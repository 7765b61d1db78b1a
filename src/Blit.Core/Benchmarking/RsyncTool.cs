using System.Globalization;
using System.Text.RegularExpressions;

namespace Blit.Benchmarking;

/// <summary>Which rsync is installed: the rsync project's (samba.org; Linux, Homebrew, macOS up to 14 as 2.6.9) or openrsync (macOS 15 and later).</summary>
public enum RsyncFlavor
{
    /// <summary>Neither could be recognised from its --version text.</summary>
    Unknown,

    /// <summary>rsync from rsync.samba.org (3.x on Linux and Homebrew; Apple's 2.6.9 on macOS up to 14).</summary>
    Samba,

    /// <summary>openrsync, a BSD-licensed rewrite that accepts a subset of rsync's flags (macOS 15 and later ship it as /usr/bin/rsync).</summary>
    OpenRsync,
}

/// <summary>What an rsync's --version text says about it.</summary>
/// <param name="Flavor">Samba rsync or openrsync.</param>
/// <param name="Version">The rsync version it is (openrsync: the one it says it is compatible with), e.g. "3.2.7", "2.6.9".</param>
/// <param name="Protocol">Its protocol version.</param>
/// <param name="Description">How the log names it: the version line(s) as the tool prints them.</param>
public sealed record RsyncVersion(RsyncFlavor Flavor, string? Version, int? Protocol, string? Description)
{
    /// <summary>True for samba rsync older than 3 (Apple's 2.6.9), which lacks many of rsync 3's flags.</summary>
    public bool IsBefore3 => Flavor == RsyncFlavor.Samba && Version is { Length: > 0 } v && v[0] is >= '0' and < '3';
}

/// <summary>
/// <c>rsync -a --delete SRC/ DEST/</c>: the reference for Linux and macOS. The probe reads --version (samba rsync or
/// openrsync) and runs the flags as a dry run between two empty directories; a flag it rejects is named before anything
/// is measured, with what to do about the installed rsync.
/// </summary>
public sealed partial class RsyncTool : ComparatorTool
{
    /// <summary>rsync's tool name.</summary>
    public const string ToolName = "rsync";

    /// <summary>Where to get it, for the not-found message.</summary>
    public const string InstallHint = "install it (Debian/Ubuntu: apt-get install rsync; macOS ships one in /usr/bin)";

    /// <summary>The reference semantics: rsync -a --delete.</summary>
    public static readonly IReadOnlyList<string> DefaultFlags = ["-a", "--delete"];

    /// <summary>rsync at <paramref name="executablePath"/>, with <paramref name="flags"/> or the defaults.</summary>
    public RsyncTool(string executablePath, IReadOnlyList<string>? flags = null) : base(executablePath, flags, DefaultFlags)
    {
    }

    /// <inheritdoc/>
    public override string Name => ToolName;

    /// <inheritdoc/>
    public override ComparatorKind Kind => ComparatorKind.Rsync;

    /// <summary>What the probe found from --version; null before the probe.</summary>
    public RsyncVersion? Installed { get; private set; }

    /// <inheritdoc/>
    public override string SuccessRule => "exit code 0";

    /// <summary>The flags, then SRC/ DEST/: the trailing slashes mirror the contents of SRC into DEST.</summary>
    public override IReadOnlyList<string> Arguments(string source, string destination) =>
        [.. Flags, WithSlash(source), WithSlash(destination)];

    /// <inheritdoc/>
    public override bool IsSuccess(int exitCode) => exitCode == 0;

    /// <inheritdoc/>
    public override string DescribeExit(int exitCode) => exitCode switch
    {
        0 => "exit code 0: success",
        1 => "exit code 1: syntax or usage error",
        11 => "exit code 11: error in file I/O",
        23 => "exit code 23: partial transfer due to error",
        24 => "exit code 24: some source files vanished",
        _ => $"exit code {exitCode}",
    };

    /// <summary>
    /// Reads --version (which rsync: <see cref="Installed"/>), then runs the flags with -n (dry run; every rsync and
    /// openrsync has it) between two empty directories. When that fails, the flag whose removal makes it pass is the
    /// one rsync rejects (flags depend on each other, e.g. --delete needs -r, so they cannot be tried alone); else
    /// rsync's own words name it (<see cref="RejectedFlags"/>).
    /// </summary>
    public override void Probe(string scratchDirectory, CancellationToken cancellationToken)
    {
        (int versionExit, string versionText) = RunQuiet(["--version"], cancellationToken);
        Installed = versionExit == 0 ? ParseVersion(versionText) : new RsyncVersion(RsyncFlavor.Unknown, null, null, null);
        Version = Installed.Description;
        WithEmptyDirectories(scratchDirectory, (src, dst) =>
        {
            (int exit, string output) = RunQuiet([.. Flags, "-n", WithSlash(src), WithSlash(dst)], cancellationToken);
            if (exit == 0)
            {
                return;
            }
            var rejected = new List<string>();
            for (int i = 0; i < Flags.Count; i++)
            {
                if (!Flags[i].StartsWith('-'))
                {
                    continue;
                }
                string[] without = [.. Flags.Where((_, j) => j != i), "-n", WithSlash(src), WithSlash(dst)];
                if (RunQuiet(without, cancellationToken).ExitCode == 0)
                {
                    rejected.Add(Flags[i]);
                }
            }
            if (rejected.Count == 0)
            {
                rejected.AddRange(RejectedFlags(output));
            }
            string what = rejected.Count > 0 ? $"rejects {string.Join(' ', rejected)}" : $"fails with the flags {string.Join(' ', Flags)}";
            throw Unsupported(what, exit, output, Advice(Installed));
        });
    }

    /// <summary>
    /// Which rsync a --version text is. Samba rsync's first line is "rsync  version 3.2.7  protocol version 31" (2.6.9:
    /// the same shape); openrsync's is "openrsync: protocol version 29", then "rsync version 2.6.9 compatible".
    /// </summary>
    public static RsyncVersion ParseVersion(string versionText)
    {
        ArgumentNullException.ThrowIfNull(versionText);
        string[] lines = versionText.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (lines.Length == 0)
        {
            return new RsyncVersion(RsyncFlavor.Unknown, null, null, null);
        }
        if (OpenRsyncPattern().Match(lines[0]) is { Success: true } open)
        {
            string? compatible = lines.Skip(1).Select(l => CompatiblePattern().Match(l)).FirstOrDefault(m => m.Success)?.Groups["v"].Value;
            return new RsyncVersion(RsyncFlavor.OpenRsync, compatible, Protocol(open), string.Join("; ", lines.Take(compatible is null ? 1 : 2)));
        }
        if (SambaPattern().Match(lines[0]) is { Success: true } samba)
        {
            return new RsyncVersion(RsyncFlavor.Samba, samba.Groups["v"].Value, Protocol(samba), lines[0]);
        }
        return new RsyncVersion(RsyncFlavor.Unknown, null, null, lines[0]);

        static int? Protocol(Match m) =>
            int.TryParse(m.Groups["p"].Value, NumberStyles.Integer, CultureInfo.InvariantCulture, out int p) ? p : null;
    }

    /// <summary>
    /// The flags an rsync's error output names as unknown: samba rsync's "rsync: --x: unknown option"; the "unrecognized
    /// option `--x'" of the getopt_long that openrsync uses; and getopt's short-option forms "illegal option -- x" (BSD,
    /// macOS) and "invalid option -- 'x'" (glibc), which name the letter only.
    /// </summary>
    public static IReadOnlyList<string> RejectedFlags(string output)
    {
        ArgumentNullException.ThrowIfNull(output);
        return [.. UnknownOptionPattern().Matches(output)
            .Select(m => m.Groups["letter"].Success ? "-" + m.Groups["letter"].Value : m.Groups["flag"].Value)
            .Distinct(StringComparer.Ordinal)];
    }

    /// <summary>What to do about the installed rsync when it rejects a flag: openrsync and rsync 2.x lack many of rsync 3's flags.</summary>
    public static string? Advice(RsyncVersion? installed) => installed switch
    {
        { Flavor: RsyncFlavor.OpenRsync } =>
            "This is openrsync (macOS 15 and later ship it as /usr/bin/rsync), which accepts a subset of rsync's flags; " +
            "install rsync 3 (brew install rsync) and put it first on PATH, or drop the flag.",
        { IsBefore3: true } =>
            $"rsync {installed.Version} predates rsync 3 (macOS up to 14 ships 2.6.9) and lacks many of its flags; " +
            "install rsync 3 (brew install rsync) and put it first on PATH, or drop the flag.",
        _ => null,
    };

    private static string WithSlash(string path) =>
        path.EndsWith(Path.DirectorySeparatorChar) || path.EndsWith('/') ? path : path + "/";

    [GeneratedRegex(@"^openrsync:?\s+protocol version (?<p>\d+)")]
    private static partial Regex OpenRsyncPattern();

    [GeneratedRegex(@"^rsync version (?<v>\S+) compatible")]
    private static partial Regex CompatiblePattern();

    [GeneratedRegex(@"^rsync\s+version\s+v?(?<v>[0-9][^\s]*)\s+protocol version (?<p>\d+)")]
    private static partial Regex SambaPattern();

    [GeneratedRegex(@"rsync: (?<flag>-[^:\s]+): unknown option|(?:unrecognized|illegal|invalid) option (?:-- ['`""]?(?<letter>[^'`""\s])|[`'""]?(?<flag>-[^'`""\s]+))")]
    private static partial Regex UnknownOptionPattern();
}
