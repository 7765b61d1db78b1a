namespace Blit.Benchmarking;

/// <summary>
/// <c>cp -a SRC/. DEST</c>: a plain copy, not a mirror (it deletes nothing and rewrites every file), so it is a
/// comparator for the full-copy workloads only, into a destination emptied before each run. It measures how close
/// Blit comes to the kernel's copy, which cp uses.
/// </summary>
public sealed class CpTool : ComparatorTool
{
    /// <summary>cp's tool name.</summary>
    public const string ToolName = "cp";

    /// <summary>Where to get it, for the not-found message.</summary>
    public const string InstallHint = "it is part of every Unix (coreutils on Linux); on Windows use Robocopy";

    /// <summary>cp -a: recursive, keeping modes, times, symlinks (and owners as root).</summary>
    public static readonly IReadOnlyList<string> DefaultFlags = ["-a"];

    /// <summary>cp at <paramref name="executablePath"/>, with <paramref name="flags"/> or the defaults.</summary>
    public CpTool(string executablePath, IReadOnlyList<string>? flags = null) : base(executablePath, flags, DefaultFlags)
    {
    }

    /// <inheritdoc/>
    public override string Name => ToolName;

    /// <inheritdoc/>
    public override ComparatorKind Kind => ComparatorKind.Cp;

    /// <inheritdoc/>
    public override string SuccessRule => "exit code 0";

    /// <summary>The flags, then SRC/. (the contents of SRC) and DEST (which exists).</summary>
    public override IReadOnlyList<string> Arguments(string source, string destination) =>
        [.. Flags, Path.Combine(source, "."), destination];

    /// <inheritdoc/>
    public override bool IsSuccess(int exitCode) => exitCode == 0;

    /// <inheritdoc/>
    public override string DescribeExit(int exitCode) =>
        exitCode == 0 ? "exit code 0: success" : $"cp exit code {exitCode}: at least one file was not copied";

    /// <summary>Reads GNU cp's --version (BSD cp has none: no version is recorded). cp has no dry run; a flag it rejects fails the first (warm-up) run, which is reported.</summary>
    public override void Probe(string scratchDirectory, CancellationToken cancellationToken)
    {
        (int exit, string text) = RunQuiet(["--version"], cancellationToken);
        Version = exit == 0 ? FirstLine(text) : null;
    }

    /// <inheritdoc/>
    public override string? Refuses(WorkloadSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        return spec.IsFullCopy ? null
            : "cp copies but does not mirror (it deletes nothing and rewrites every file), so it is a comparator for the " +
              $"full-copy workloads LargeFile, SmallFiles, Mixed and Tiny only, not {spec.Workload}.";
    }
}
