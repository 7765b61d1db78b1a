using System.Diagnostics;
using Blit.Errors;

namespace Blit.Benchmarking;

/// <summary>Which comparator to run beside Blit.</summary>
public enum ComparatorKind
{
    /// <summary>robocopy on Windows, rsync elsewhere; none (with a warning) when it is not installed.</summary>
    Auto,
    /// <summary>rsync -a --delete.</summary>
    Rsync,
    /// <summary>robocopy /MIR.</summary>
    Robocopy,
    /// <summary>Blit alone, no comparator.</summary>
    None,
    /// <summary>
    /// <c>cp -a SRC/. DEST</c>: a plain copy, not a mirror (it deletes nothing), so only the full-copy
    /// workloads accept it. It measures how close Blit comes to the kernel's copy, which cp uses.
    /// </summary>
    Cp,
}

/// <summary>One run of the comparator process.</summary>
public sealed record ProcessMeasurement(int ExitCode, double WallSeconds, double CpuSeconds, long PeakMemoryBytes, string Output);

/// <summary>
/// A comparator run as a process beside Blit: <see cref="RsyncTool"/>, <see cref="RobocopyTool"/> or
/// <see cref="CpTool"/>, each with its own default flags, argument order, success rule, exit-code wording and probe.
/// <see cref="Select"/> finds the one asked for (Auto: robocopy on Windows, rsync elsewhere) on the PATH. A run is
/// measured by <see cref="ProcessMeter"/>: wall time, CPU and peak memory of the process tree.
/// </summary>
public abstract class ComparatorTool : BenchmarkTool
{
    /// <summary>A comparator at <paramref name="executablePath"/> with <paramref name="flags"/>, or its defaults when none are given.</summary>
    private protected ComparatorTool(string executablePath, IReadOnlyList<string>? flags, IReadOnlyList<string> defaultFlags)
    {
        ExecutablePath = executablePath;
        FlagsOverridden = flags is { Count: > 0 };
        Flags = FlagsOverridden ? [.. flags!] : defaultFlags;
    }

    /// <summary>Which comparator this is.</summary>
    public abstract ComparatorKind Kind { get; }

    /// <summary>The comparator's executable, as found on the PATH.</summary>
    public string ExecutablePath { get; }

    /// <summary>The flags, without the source and destination.</summary>
    public IReadOnlyList<string> Flags { get; }

    /// <summary>True when the flags came from -ComparatorArgument instead of the defaults.</summary>
    public bool FlagsOverridden { get; }

    /// <inheritdoc/>
    public override bool IsComparator => true;

    /// <summary>The success rule, as the log states it ("exit code 0", "exit code below 8").</summary>
    public abstract string SuccessRule { get; }

    /// <summary>The full argument list for one run, in the order the tool takes it.</summary>
    public abstract IReadOnlyList<string> Arguments(string source, string destination);

    /// <summary>Whether a run that exited with <paramref name="exitCode"/> succeeded.</summary>
    public abstract bool IsSuccess(int exitCode);

    /// <summary>What an exit code means, for the log and failure notes.</summary>
    public abstract string DescribeExit(int exitCode);

    /// <summary>
    /// Reads the tool's version and checks, where the tool has a dry run, that it accepts <see cref="Flags"/>, using
    /// two empty directories under <paramref name="scratchDirectory"/>; a rejected flag is an error
    /// (ComparatorArgumentUnsupported) naming it, before anything is measured.
    /// </summary>
    public abstract void Probe(string scratchDirectory, CancellationToken cancellationToken);

    /// <summary>Why this comparator cannot be measured on <paramref name="spec"/>, or null when it can.</summary>
    public virtual string? Refuses(WorkloadSpec spec) => null;

    /// <summary>The command as a shell on this OS would show it.</summary>
    public string CommandLine(string source, string destination) =>
        CommandText.Join(Name, Arguments(source, destination), OperatingSystem.IsWindows());

    /// <inheritdoc/>
    public override string Command(BenchmarkMode mode, string source, string destination) => CommandLine(source, destination);

    /// <summary>
    /// Runs the comparator once and measures it. With <paramref name="flush"/>, sync(2) runs
    /// after the process ends, inside the timed window. Cancellation kills the process tree.
    /// </summary>
    public ProcessMeasurement Run(string source, string destination, bool flush, CancellationToken cancellationToken)
    {
        var psi = new ProcessStartInfo(ExecutablePath);
        foreach (string arg in Arguments(source, destination))
        {
            psi.ArgumentList.Add(arg);
        }
        return ProcessMeter.Run(psi, flush, cancellationToken);
    }

    /// <inheritdoc/>
    internal override ToolRun Run(BenchmarkMode mode, string source, string destination, bool flush,
        CancellationToken cancellationToken)
    {
        ProcessMeasurement p;
        try
        {
            p = Run(source, destination, flush, cancellationToken);
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            return ToolRun.NotStarted($"{Name} could not be started: {ex.Message}");
        }
        string? failure = IsSuccess(p.ExitCode) ? null : DescribeExit(p.ExitCode) + ToolRun.OutputNote(p.Output);
        return new ToolRun(p.WallSeconds, p.CpuSeconds, p.PeakMemoryBytes, null, failure);
    }

    /// <summary>The comparator <paramref name="kind"/> stands for on this OS: Auto is robocopy on Windows, rsync elsewhere.</summary>
    public static ComparatorKind Resolve(ComparatorKind kind, bool windows) =>
        kind == ComparatorKind.Auto ? windows ? ComparatorKind.Robocopy : ComparatorKind.Rsync : kind;

    /// <summary>
    /// The comparator to use. Auto finds robocopy on Windows and rsync elsewhere and returns
    /// null with a <paramref name="warning"/> when it is missing; an explicit Rsync, Robocopy or Cp
    /// that is not on PATH is an error (ComparatorNotFound); None returns null.
    /// </summary>
    public static ComparatorTool? Select(ComparatorKind kind, IReadOnlyList<string>? flags, string? pathVariable,
        out string? warning)
    {
        warning = null;
        if (kind == ComparatorKind.None)
        {
            return null;
        }
        (string name, string hint, Func<string, ComparatorTool> create) = Resolve(kind, OperatingSystem.IsWindows()) switch
        {
            ComparatorKind.Rsync => (RsyncTool.ToolName, RsyncTool.InstallHint, (Func<string, ComparatorTool>)(p => new RsyncTool(p, flags))),
            ComparatorKind.Robocopy => (RobocopyTool.ToolName, RobocopyTool.InstallHint, p => new RobocopyTool(p, flags)),
            ComparatorKind.Cp => (CpTool.ToolName, CpTool.InstallHint, p => new CpTool(p, flags)),
            _ => throw new BlitException(BlitErrorCode.InvalidArgument, $"Unknown comparator '{kind}'."),
        };
        string? path = FindOnPath(name, pathVariable) ?? (name == RobocopyTool.ToolName ? RobocopyTool.FindInSystemDirectory() : null);
        if (path is null)
        {
            if (kind == ComparatorKind.Auto)
            {
                warning = $"No comparator: {name} was not found on PATH ({hint}). Blit is measured alone; " +
                          "without a comparator these results cannot pass the gate.";
                return null;
            }
            throw new BlitException(BlitErrorCode.ComparatorNotFound, $"The comparator {name} was not found on PATH; {hint}.");
        }
        return create(path);
    }

    /// <summary>The first executable named <paramref name="name"/> in the PATH list (with PATHEXT on Windows).</summary>
    public static string? FindOnPath(string name, string? pathVariable)
    {
        if (string.IsNullOrEmpty(pathVariable))
        {
            return null;
        }
        string[] extensions = OperatingSystem.IsWindows()
            ? [.. (Environment.GetEnvironmentVariable("PATHEXT") ?? ".EXE;.CMD;.BAT").Split(';', StringSplitOptions.RemoveEmptyEntries)]
            : [string.Empty];
        foreach (string dir in pathVariable.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            foreach (string ext in extensions)
            {
                string candidate;
                try
                {
                    candidate = Path.Combine(dir.Trim('"'), name + ext);
                }
                catch (ArgumentException)
                {
                    continue;
                }
                if (IsExecutableFile(candidate))
                {
                    return candidate;
                }
            }
        }
        return null;
    }

    private static bool IsExecutableFile(string path)
    {
        if (!File.Exists(path))
        {
            return false;
        }
        if (OperatingSystem.IsWindows())
        {
            return true;
        }
        UnixFileMode mode = File.GetUnixFileMode(path);
        return (mode & (UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute)) != 0;
    }

    /// <summary>Runs the tool with <paramref name="arguments"/>, unmeasured, and returns its exit code and output (stdout, then stderr).</summary>
    private protected (int ExitCode, string Output) RunQuiet(IReadOnlyList<string> arguments, CancellationToken cancellationToken)
    {
        ChildProcessResult result;
        try
        {
            result = ChildProcess.Run(ExecutablePath, arguments, cancellationToken: cancellationToken);
        }
        catch (InvalidOperationException ex)
        {
            throw new BlitException(BlitErrorCode.ComparatorNotFound, $"Could not start {ExecutablePath}.", inner: ex);
        }
        return (result.ExitCode, result.Output + result.Error);
    }

    /// <summary>
    /// Runs <paramref name="probe"/> with two fresh empty directories under <paramref name="scratchDirectory"/> (source,
    /// destination), removing them afterwards.
    /// </summary>
    private protected static void WithEmptyDirectories(string scratchDirectory, Action<string, string> probe)
    {
        string src = Path.Combine(scratchDirectory, "probe-src");
        string dst = Path.Combine(scratchDirectory, "probe-dst");
        Directory.CreateDirectory(src);
        Directory.CreateDirectory(dst);
        try
        {
            probe(src, dst);
        }
        finally
        {
            Directory.Delete(src, true);
            Directory.Delete(dst, true);
        }
    }

    /// <summary>The error a probe raises for flags the tool rejects.</summary>
    private protected BlitException Unsupported(string what, int exitCode, string output, string? advice = null) =>
        new(BlitErrorCode.ComparatorArgumentUnsupported,
            $"{Version ?? Name} at {ExecutablePath} {what} (exit code {exitCode}: {FirstLine(output) ?? "no output"}). " +
            (advice is null ? string.Empty : advice + " ") + "Pass flags it supports with -ComparatorArgument.");

    internal static void Kill(Process process)
    {
        try
        {
            process.Kill(entireProcessTree: true);
        }
        catch (Exception ex) when (ex is InvalidOperationException or System.ComponentModel.Win32Exception or NotSupportedException)
        {
            // Already gone.
        }
    }

    /// <summary>The first non-empty line of <paramref name="text"/>, trimmed; null when there is none.</summary>
    internal static string? FirstLine(string text) =>
        text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault();
}
