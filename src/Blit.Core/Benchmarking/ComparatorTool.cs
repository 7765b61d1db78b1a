using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
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
/// The comparator run as a process: <c>rsync -a --delete SRC/ DEST/</c>,
/// <c>robocopy SRC DEST /MIR …</c> (flags that need no admin rights; exit codes below 8 are
/// success) or, for the full-copy workloads only, <c>cp -a SRC/. DEST</c>. Finds the tool on
/// PATH, probes that rsync accepts its flags, and measures a run:
/// wall time, CPU of the process tree (getrusage(RUSAGE_CHILDREN) deltas) and its peak memory
/// (VmHWM of the tree sampled from /proc).
/// </summary>
public sealed partial class ComparatorTool
{
    /// <summary>rsync's tool name.</summary>
    public const string RsyncName = "rsync";
    /// <summary>robocopy's tool name.</summary>
    public const string RobocopyName = "robocopy";
    /// <summary>cp's tool name.</summary>
    public const string CpName = "cp";

    private ComparatorTool(string name, string executablePath, IReadOnlyList<string> flags, bool flagsOverridden)
    {
        Name = name;
        ExecutablePath = executablePath;
        Flags = flags;
        FlagsOverridden = flagsOverridden;
    }

    /// <summary>"rsync", "robocopy" or "cp".</summary>
    public string Name { get; }

    /// <summary>The comparator's executable, as found on the PATH.</summary>
    public string ExecutablePath { get; }

    /// <summary>The flags, without the source and destination.</summary>
    public IReadOnlyList<string> Flags { get; }

    /// <summary>True when the flags came from -ComparatorArgument instead of the defaults.</summary>
    public bool FlagsOverridden { get; }

    /// <summary>The tool's version line (rsync), when probed.</summary>
    public string? Version { get; private set; }

    /// <summary>True for robocopy (its exit codes below 8 are success).</summary>
    public bool IsRobocopy => Name == RobocopyName;

    /// <summary>cp copies but does not mirror: it can only be compared on a destination emptied before each run.</summary>
    public bool IsCopyOnly => Name == CpName;

    /// <summary>The default flags: the reference semantics (rsync -a --delete; robocopy /MIR keeping data, attributes and times).</summary>
    public static IReadOnlyList<string> DefaultFlags(string name) => name switch
    {
        RsyncName => ["-a", "--delete"],
        RobocopyName => ["/MIR", "/COPY:DAT", "/DCOPY:DAT", "/R:0", "/W:0", "/MT:8", "/NP", "/NFL", "/NDL", "/NJH", "/NJS"],
        CpName => ["-a"],
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, "Unknown comparator."),
    };

    /// <summary>
    /// The comparator to use. Auto finds robocopy on Windows and rsync elsewhere and returns
    /// null with a <paramref name="warning"/> when it is missing; an explicit Rsync or Robocopy
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
        string name = kind switch
        {
            ComparatorKind.Rsync => RsyncName,
            ComparatorKind.Robocopy => RobocopyName,
            ComparatorKind.Cp => CpName,
            ComparatorKind.Auto => OperatingSystem.IsWindows() ? RobocopyName : RsyncName,
            _ => throw new BlitException(BlitErrorCode.InvalidArgument, $"Unknown comparator '{kind}'."),
        };
        string? path = FindOnPath(name, pathVariable);
        if (path is null && name == RobocopyName && OperatingSystem.IsWindows())
        {
            string system = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.System), "robocopy.exe");
            path = File.Exists(system) ? system : null;
        }
        if (path is null)
        {
            string hint = name switch
            {
                RsyncName => "install it (Debian/Ubuntu: apt-get install rsync; macOS ships one in /usr/bin)",
                CpName => "it is part of every Unix (coreutils on Linux); on Windows use Robocopy",
                _ => "robocopy ships with Windows in %SystemRoot%\\System32",
            };
            if (kind == ComparatorKind.Auto)
            {
                warning = $"No comparator: {name} was not found on PATH ({hint}). Blit is measured alone; " +
                          "without a comparator these results cannot pass the gate.";
                return null;
            }
            throw new BlitException(BlitErrorCode.ComparatorNotFound, $"The comparator {name} was not found on PATH; {hint}.");
        }
        bool overridden = flags is { Count: > 0 };
        return new ComparatorTool(name, path, overridden ? [.. flags!] : DefaultFlags(name), overridden);
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

    /// <summary>The full argument list for one run.</summary>
    public IReadOnlyList<string> Arguments(string source, string destination) =>
        IsRobocopy ? [source, destination, .. Flags]
        : IsCopyOnly ? [.. Flags, Path.Combine(source, "."), destination] // SRC/. : the contents, into the existing DEST
        : [.. Flags, WithSlash(source), WithSlash(destination)];

    /// <summary>The command as a shell would show it.</summary>
    public string CommandLine(string source, string destination) =>
        string.Join(' ', new[] { Name }.Concat(Arguments(source, destination)).Select(Quote));

    /// <summary>rsync: 0 is success. robocopy: below 8 is success (1 = files copied, 2 = extras deleted, ...).</summary>
    public bool IsSuccess(int exitCode) => IsRobocopy ? exitCode is >= 0 and < 8 : exitCode == 0;

    /// <summary>
    /// rsync: reads its version and checks that it accepts the flags, by a dry run between two
    /// empty directories under <paramref name="scratchDirectory"/>; a rejected flag is an error
    /// (ComparatorArgumentUnsupported) naming it, before anything is measured. macOS ships an
    /// old rsync (2.6.9) or openrsync that lack newer flags. robocopy is not probed (its run
    /// would print a job; its flags are stable across Windows versions).
    /// </summary>
    public void Probe(string scratchDirectory, CancellationToken cancellationToken)
    {
        if (IsRobocopy)
        {
            return;
        }
        (int versionExit, string versionText) = RunQuiet(["--version"], cancellationToken);
        Version = versionExit == 0
            ? versionText.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault()
            : null;
        if (IsCopyOnly)
        {
            return; // cp has no dry run; a flag it rejects fails the first (warm-up) run, which is reported
        }
        string src = Path.Combine(scratchDirectory, "probe-src");
        string dst = Path.Combine(scratchDirectory, "probe-dst");
        Directory.CreateDirectory(src);
        Directory.CreateDirectory(dst);
        try
        {
            (int exit, string output) = RunQuiet([.. Flags, "--dry-run", WithSlash(src), WithSlash(dst)], cancellationToken);
            if (exit == 0)
            {
                return;
            }
            // The flag whose removal makes the dry run pass is the one rsync rejects (flags depend on each
            // other, e.g. --delete needs -r, so they cannot be tried alone); else rsync's own words name it.
            var rejected = new List<string>();
            for (int i = 0; i < Flags.Count; i++)
            {
                if (!Flags[i].StartsWith('-'))
                {
                    continue;
                }
                string[] without = [.. Flags.Where((_, j) => j != i), "--dry-run", WithSlash(src), WithSlash(dst)];
                if (RunQuiet(without, cancellationToken).ExitCode == 0)
                {
                    rejected.Add(Flags[i]);
                }
            }
            if (rejected.Count == 0)
            {
                rejected.AddRange(UnknownOptionPattern().Matches(output).Select(m => m.Groups["flag"].Value).Distinct());
            }
            string what = rejected.Count > 0 ? $"rejects {string.Join(' ', rejected)}" : $"fails with the flags {string.Join(' ', Flags)}";
            throw new BlitException(BlitErrorCode.ComparatorArgumentUnsupported,
                $"{Version ?? Name} at {ExecutablePath} {what} (exit code {exit}: {FirstLine(output)}). " +
                "Pass flags it supports with -ComparatorArgument.");
        }
        finally
        {
            Directory.Delete(src, true);
            Directory.Delete(dst, true);
        }
    }

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

    /// <summary>What an exit code means, for the log and failure notes.</summary>
    public string DescribeExit(int exitCode)
    {
        if (IsRobocopy)
        {
            return exitCode >= 8
                ? $"robocopy exit code {exitCode}: at least one failure (8 = copy errors, 16 = fatal)"
                : $"robocopy exit code {exitCode}: success";
        }
        if (IsCopyOnly)
        {
            return exitCode == 0 ? "exit code 0: success" : $"cp exit code {exitCode}: at least one file was not copied";
        }
        return exitCode switch
        {
            0 => "exit code 0: success",
            1 => "exit code 1: syntax or usage error",
            11 => "exit code 11: error in file I/O",
            23 => "exit code 23: partial transfer due to error",
            24 => "exit code 24: some source files vanished",
            _ => $"exit code {exitCode}",
        };
    }

    private (int ExitCode, string Output) RunQuiet(IReadOnlyList<string> arguments, CancellationToken cancellationToken)
    {
        var psi = new ProcessStartInfo(ExecutablePath)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            CreateNoWindow = true,
        };
        foreach (string a in arguments)
        {
            psi.ArgumentList.Add(a);
        }
        using var process = Process.Start(psi) ?? throw new BlitException(BlitErrorCode.ComparatorNotFound,
            $"Could not start {ExecutablePath}.");
        Task<string> stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        string stdout = process.StandardOutput.ReadToEnd();
        using (cancellationToken.Register(() => Kill(process)))
        {
            process.WaitForExit();
        }
        cancellationToken.ThrowIfCancellationRequested();
        return (process.ExitCode, stdout + stderr.GetAwaiter().GetResult());
    }

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

    /// <summary>rsync's "rsync: --x: unknown option"; openrsync's and older rsyncs' "unrecognized option `--x'".</summary>
    [GeneratedRegex(@"(?:rsync: (?<flag>-[^:\s]+): unknown option|(?:unrecognized|illegal|invalid) option [`'""]?(?<flag>-[^'""\s]+))")]
    private static partial Regex UnknownOptionPattern();

    private static string FirstLine(string text) =>
        text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault() ?? "no output";

    private static string WithSlash(string path) =>
        path.EndsWith(Path.DirectorySeparatorChar) || path.EndsWith('/') ? path : path + "/";

    internal static string Quote(string arg) =>
        arg.Length > 0 && !arg.Any(c => char.IsWhiteSpace(c) || c is '"' or '\'' or '$' or '`' or '\\' or '*' or '?')
            ? arg
            : "'" + arg.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
}

/// <summary>
/// Samples the peak memory (VmHWM) of a process and its descendants from /proc on a
/// background thread; the result is the sum over the tree's processes of their peaks.
/// </summary>
internal sealed class TreePeakSampler
{
    private readonly int _rootPid;
    private readonly TimeSpan _interval;
    private readonly Dictionary<int, long> _peaks = [];
    private readonly Thread _thread;
    private readonly ManualResetEventSlim _stop = new();
    private readonly bool _childrenFiles;

    /// <summary>The first samples come this often, so a process that lives a few milliseconds is still seen at its peak.</summary>
    public static readonly TimeSpan FastInterval = TimeSpan.FromMilliseconds(2);

    /// <summary>How long the fast sampling lasts before <see cref="_interval"/> takes over.</summary>
    public static readonly TimeSpan FastPhase = TimeSpan.FromMilliseconds(100);

    private readonly Stopwatch _age = Stopwatch.StartNew();

    public TreePeakSampler(int rootPid, TimeSpan interval)
    {
        _rootPid = rootPid;
        _interval = interval;
        _childrenFiles = File.Exists($"/proc/self/task/{Environment.ProcessId}/children");
        _thread = new Thread(Loop) { IsBackground = true, Name = "blit-bench-sampler" };
        _thread.Start();
    }

    /// <summary>Stops sampling and returns the summed peak (bytes); 0 when nothing was sampled.</summary>
    public long Stop()
    {
        _stop.Set();
        _thread.Join();
        _stop.Dispose();
        return _peaks.Values.Sum();
    }

    private void Loop()
    {
        do
        {
            Sample();
        }
        while (!_stop.Wait(_age.Elapsed < FastPhase ? FastInterval : _interval));
    }

    private void Sample()
    {
        foreach (int pid in Tree())
        {
            long hwm = ResourceUsage.ReadStatusKiB($"/proc/{pid}/status", "VmHWM:") * 1024;
            if (hwm > 0)
            {
                _peaks[pid] = Math.Max(_peaks.GetValueOrDefault(pid), hwm);
            }
        }
    }

    private List<int> Tree()
    {
        var result = new List<int> { _rootPid };
        if (_childrenFiles)
        {
            for (int i = 0; i < result.Count; i++)
            {
                try
                {
                    foreach (string task in Directory.EnumerateDirectories($"/proc/{result[i]}/task"))
                    {
                        foreach (string child in File.ReadAllText(Path.Combine(task, "children"))
                                     .Split(' ', StringSplitOptions.RemoveEmptyEntries))
                        {
                            if (int.TryParse(child, NumberStyles.Integer, CultureInfo.InvariantCulture, out int c))
                            {
                                result.Add(c);
                            }
                        }
                    }
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                {
                    // The process ended between listing and reading.
                }
            }
            return result;
        }
        // No /proc/<pid>/task/<tid>/children (CONFIG_PROC_CHILDREN off): build the tree from every process's parent.
        var parents = new Dictionary<int, List<int>>();
        foreach (string dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), NumberStyles.Integer, CultureInfo.InvariantCulture, out int pid))
            {
                continue;
            }
            int ppid = ParentOf(dir);
            if (ppid > 0)
            {
                if (!parents.TryGetValue(ppid, out List<int>? kids))
                {
                    parents[ppid] = kids = [];
                }
                kids.Add(pid);
            }
        }
        for (int i = 0; i < result.Count; i++)
        {
            if (parents.TryGetValue(result[i], out List<int>? kids))
            {
                result.AddRange(kids);
            }
        }
        return result;
    }

    /// <summary>The ppid field of /proc/&lt;pid&gt;/stat (after the parenthesized command, which may hold spaces).</summary>
    internal static int ParentOf(string procDir)
    {
        try
        {
            string stat = File.ReadAllText(Path.Combine(procDir, "stat"));
            return ParseParent(stat);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return 0;
        }
    }

    internal static int ParseParent(string stat)
    {
        int close = stat.LastIndexOf(')');
        if (close < 0)
        {
            return 0;
        }
        string[] fields = stat[(close + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return fields.Length > 1 && int.TryParse(fields[1], NumberStyles.Integer, CultureInfo.InvariantCulture, out int ppid)
            ? ppid
            : 0;
    }
}
