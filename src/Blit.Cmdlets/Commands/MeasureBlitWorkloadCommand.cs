using System.Globalization;
using System.Management.Automation;
using System.Management.Automation.Language;
using System.Reflection;
using Blit.Benchmarking;
using Blit.Cmdlets.Infrastructure;
using Blit.Errors;

namespace Blit.Cmdlets.Commands;

/// <summary>
/// <para type="synopsis">Measures Blit against rsync or robocopy on generated workloads and logs the results.</para>
/// </summary>
[Cmdlet(VerbsDiagnostic.Measure, "BlitWorkload")]
[OutputType(typeof(WorkloadMeasurement))]
public sealed class MeasureBlitWorkloadCommand : PSCmdlet
{
    private readonly CancellationTokenSource _cancel = new();
    private volatile BenchmarkStatus? _status;

    /// <summary>The workloads to measure (default: all six).</summary>
    [Parameter(Position = 0, ValueFromPipeline = true)]
    [ValidateNotNullOrEmpty]
    public Workload[] Workload { get; set; } = Enum.GetValues<Workload>();

    /// <summary>The directory the workspace is created in (default: the temp directory).</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Root { get; set; }

    /// <summary>Where logs go (default ./logs, against the current location).</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string LogPath { get; set; } = "logs";

    /// <summary>Measured runs per tool (default 5; 3 with -Quick; Tiny: 30, 10 with -Quick). Given, it applies to every workload.</summary>
    [Parameter]
    public int Runs { get; set; }

    /// <summary>Warm-up runs per tool before the measured ones (default 1; Tiny: 3, 2 with -Quick). Given, it applies to every workload.</summary>
    [Parameter]
    public int Warmup { get; set; }

    /// <summary>Small sizes for smoke tests.</summary>
    [Parameter]
    public SwitchParameter Quick { get; set; }

    /// <summary>LargeFile: the sizes to measure, in MiB, one measurement each.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public int[]? SizeMB { get; set; }

    /// <summary>SmallFiles, Incremental, NoOp: files in the tree.</summary>
    [Parameter]
    public int FileCount { get; set; }

    /// <summary>SmallFiles, Incremental, NoOp: smallest file size in KiB.</summary>
    [Parameter]
    public int MinFileSizeKB { get; set; }

    /// <summary>SmallFiles, Incremental, NoOp: largest file size in KiB.</summary>
    [Parameter]
    public int MaxFileSizeKB { get; set; }

    /// <summary>Files per directory in generated trees.</summary>
    [Parameter]
    public int FilesPerDirectory { get; set; }

    /// <summary>Mixed: size of the large file in MiB.</summary>
    [Parameter]
    public int MixedSizeMB { get; set; }

    /// <summary>Mixed: number of small files.</summary>
    [Parameter]
    public int MixedFileCount { get; set; }

    /// <summary>Mixed: size of each small file in KiB.</summary>
    [Parameter]
    public int MixedFileSizeKB { get; set; }

    /// <summary>Incremental: files appended to before each run.</summary>
    [Parameter]
    public int TouchCount { get; set; }

    /// <summary>Incremental: files deleted before each run.</summary>
    [Parameter]
    public int DeleteCount { get; set; }

    /// <summary>Incremental: files added before each run.</summary>
    [Parameter]
    public int AddCount { get; set; }

    /// <summary>Seed of the generated trees.</summary>
    [Parameter]
    public int Seed { get; set; } = WorkloadSpec.DefaultSeed;

    /// <summary>The comparator: Auto (robocopy on Windows, rsync elsewhere), Rsync, Robocopy or None.</summary>
    [Parameter]
    public ComparatorKind Comparator
    {
        get => _comparator is ComparatorKind kind ? kind : ComparatorKind.Auto;
        set => _comparator = value;
    }

    // Boxed, not a ComparatorKind field: an enum field makes loading this type load Blit.Core, and
    // PowerShell loads the module's public types before the module can choose which Blit.Core to
    // load (Infrastructure/PrecompiledCore.cs).
    private object? _comparator;

    /// <summary>Flags that replace the comparator's defaults (the source and destination are added).</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string[]? ComparatorArgument { get; set; }

    /// <summary>Keep the generated trees.</summary>
    [Parameter]
    public SwitchParameter KeepWorkspace { get; set; }

    /// <summary>Drop the page cache before every run, where permitted.</summary>
    [Parameter]
    public SwitchParameter DropCaches { get; set; }

    /// <summary>Flush written data (sync) inside the timed window.</summary>
    [Parameter]
    public SwitchParameter Flush { get; set; }

    /// <summary>
    /// Warm (Blit in this process) and/or Cold (a fresh pwsh per Blit run). Default: Warm, plus Cold for Tiny, NoOp
    /// and Incremental.
    /// </summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public BenchmarkMode[]? Mode { get; set; }

    /// <summary>
    /// The pwsh that cold runs start: a pwsh executable, or a pwsh.dll (run by dotnet). Default: the pwsh running this
    /// command.
    /// </summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? PwshPath { get; set; }

    private readonly List<Workload> _workloads = [];

    protected override void ProcessRecord() => _workloads.AddRange(Workload);

    protected override void EndProcessing()
    {
        BenchmarkOptions options;
        try
        {
            options = new BenchmarkOptions
            {
                Specs = BuildSpecs(),
                Root = Root is null ? Path.TrimEndingDirectorySeparator(Path.GetTempPath()) : PathResolution.ResolveNew(this, Root, "root"),
                LogRoot = PathResolution.ResolveNew(this, LogPath, "log path"),
                Runs = IsBound(nameof(Runs)) ? Runs : Quick ? 3 : 5,
                Warmup = IsBound(nameof(Warmup)) ? Warmup : 1,
                Comparator = Comparator,
                ComparatorArguments = ComparatorArgument,
                KeepWorkspace = KeepWorkspace,
                DropCaches = DropCaches,
                Flush = Flush,
                CommandLine = InvocationText(),
                Modes = Mode is null ? null : [.. Mode.Distinct()],
            };
            Func<string?>? probe = null;
            if (options.Specs.Any(s => options.ModesFor(s).Contains(BenchmarkMode.Cold)))
            {
                options = options with { BlitProcess = ColdCommand(out probe) };
            }
            else if (PwshPath is not null)
            {
                // A warning, not an error: a runbook may pass its -PwshPath whichever workloads it was asked for.
                WriteWarning("-PwshPath is not used: it names the pwsh of cold runs, and no workload is measured cold (-Mode Cold measures them).");
            }
            // The comparator, the free space and the log path too: a refusal must not wait for the pwsh below.
            _ = BenchmarkRunner.Preflight(options, out _);
            // Only now, with every argument accepted, is the cold runs' pwsh started and asked what it runs on.
            if (options.BlitProcess is { } cold && probe is not null)
            {
                options = options with { BlitProcess = cold with { Runtime = probe() } };
            }
        }
        catch (BlitException ex)
        {
            ThrowTerminatingError(ErrorMapping.ToRecord(ex));
            return;
        }

        using var pump = new PipelinePump();
        var reporter = new ProgressReporter(this, 1, "Measure-BlitWorkload", ProgressTiming.FromEnvironment());
        var runner = new BenchmarkRunner(options, new PumpListener(pump, this));
        Task<IReadOnlyList<WorkloadMeasurement>> work = Task.Run(() => runner.Run(_cancel.Token));
        try
        {
            pump.Run(this, work, () => ShowProgress(reporter));
        }
        catch (BlitException ex)
        {
            ThrowTerminatingError(ErrorMapping.ToRecord(ex));
        }
        catch (OperationCanceledException) when (_cancel.IsCancellationRequested)
        {
            // Ctrl+C: the runner has killed the comparator and removed the workspace.
        }
        catch (Exception)
        {
            // The pipeline is stopping (or a write failed): let the runner stop and clean up before returning.
            _cancel.Cancel();
            WaitQuietly(work);
            throw;
        }
        finally
        {
            reporter.Complete();
        }
    }

    protected override void StopProcessing() => _cancel.Cancel();

    private bool IsBound(string name) => MyInvocation.BoundParameters.ContainsKey(name);

    /// <summary>The specs: -Quick or default sizes, with every explicitly given figure applied.</summary>
    private List<WorkloadSpec> BuildSpecs()
    {
        var specs = new List<WorkloadSpec>();
        foreach (Workload w in _workloads.Distinct())
        {
            IReadOnlyList<WorkloadSpec> baseline = Quick ? WorkloadSpec.Quick(w) : WorkloadSpec.Defaults(w);
            if (w == Benchmarking.Workload.LargeFile && SizeMB is not null)
            {
                baseline = [.. SizeMB.Distinct().Select(m => baseline[0] with { LargeFileBytes = m * WorkloadSpec.MiB })];
            }
            foreach (WorkloadSpec spec in baseline)
            {
                specs.Add(Apply(spec));
            }
        }
        foreach (WorkloadSpec spec in specs)
        {
            spec.Validate();
        }
        return specs;
    }

    private WorkloadSpec Apply(WorkloadSpec spec)
    {
        spec = spec with
        {
            Seed = Seed,
            Runs = IsBound(nameof(Runs)) ? null : spec.Runs,
            Warmup = IsBound(nameof(Warmup)) ? null : spec.Warmup,
        };
        if (spec.Workload is Benchmarking.Workload.LargeFile or Benchmarking.Workload.Tiny)
        {
            return spec;
        }
        if (IsBound(nameof(FilesPerDirectory)))
        {
            spec = spec with { FilesPerDirectory = FilesPerDirectory };
        }
        if (spec.Workload == Benchmarking.Workload.Mixed)
        {
            if (IsBound(nameof(MixedSizeMB)))
            {
                spec = spec with { LargeFileBytes = MixedSizeMB * WorkloadSpec.MiB };
            }
            if (IsBound(nameof(MixedFileCount)))
            {
                spec = spec with { FileCount = MixedFileCount };
            }
            if (IsBound(nameof(MixedFileSizeKB)))
            {
                spec = spec with { MinFileBytes = MixedFileSizeKB * WorkloadSpec.KiB, MaxFileBytes = MixedFileSizeKB * WorkloadSpec.KiB };
            }
            return spec;
        }
        if (IsBound(nameof(FileCount)))
        {
            spec = spec with { FileCount = FileCount };
        }
        if (IsBound(nameof(MinFileSizeKB)))
        {
            spec = spec with { MinFileBytes = MinFileSizeKB * WorkloadSpec.KiB };
        }
        if (IsBound(nameof(MaxFileSizeKB)))
        {
            spec = spec with { MaxFileBytes = MaxFileSizeKB * WorkloadSpec.KiB };
        }
        if (spec.Workload == Benchmarking.Workload.Incremental)
        {
            if (IsBound(nameof(TouchCount)))
            {
                spec = spec with { TouchCount = TouchCount };
            }
            if (IsBound(nameof(DeleteCount)))
            {
                spec = spec with { DeleteCount = DeleteCount };
            }
            if (IsBound(nameof(AddCount)))
            {
                spec = spec with { AddCount = AddCount };
            }
        }
        return spec;
    }

    /// <summary>
    /// How a cold run starts Blit: -PwshPath, or the pwsh running this cmdlet (its own executable; under "dotnet pwsh",
    /// dotnet and pwsh.dll), importing this module's own manifest, then Invoke-BlitMirror with default options, printing
    /// the result line the runner reads and exiting 1 when the mirror failed. <paramref name="probe"/> starts that pwsh
    /// once and asks what it runs on (it throws when the program cannot import the module).
    /// </summary>
    private BlitProcessCommand ColdCommand(out Func<string?> probe)
    {
        (string exe, string[] prefix) = PwshPath is { } given ? NamedPwsh(given) : FindPwsh() ?? throw new BlitException(BlitErrorCode.InvalidArgument,
            $"Cold mode starts a fresh pwsh per Blit run, but this process ({Environment.ProcessPath}) is not pwsh and there is no pwsh in " +
            $"{SessionState.PSVariable.GetValue("PSHOME")}. Name one with -PwshPath, measure with -Mode Warm, or run Measure-BlitWorkload from pwsh.");
        PSModuleInfo? module = MyInvocation.MyCommand.Module;
        string manifest = module is null ? typeof(MeasureBlitWorkloadCommand).Assembly.Location
            : File.Exists(Path.Combine(module.ModuleBase, module.Name + ".psd1")) ? Path.Combine(module.ModuleBase, module.Name + ".psd1")
            : module.Path;
        string result = BlitProcessCommand.ResultPrefix + " " +
            string.Join(' ', BlitRunSummary.Keys.Select(k => $"{k.Key}=$($r.{k.Property})"));
        string Script(string source, string destination) =>
            $"Import-Module -Name {Quote(manifest)} -ErrorAction Stop; " +
            $"$r = Invoke-BlitMirror -Path {Quote(source)} -Destination {Quote(destination)}; $ok = $?; " +
            $"if ($r) {{ \"{result}\" }}; if (-not $ok) {{ exit 1 }}";
        IReadOnlyList<string> Arguments(string source, string destination) =>
            [.. prefix, "-NoProfile", "-NonInteractive", "-Command", Script(source, destination)];
        string description = string.Join(' ', new[] { exe }.Concat(Arguments("SRC", "DEST")).Select(a => a.Contains(' ') ? $"\"{a}\"" : a));
        probe = () => PwshProbe.Describe(exe, prefix, manifest, Quote);
        return new BlitProcessCommand(exe, Arguments, description);
    }

    /// <summary>-PwshPath as a command: the file itself, or dotnet running it when it is a .dll.</summary>
    private (string Exe, string[] Prefix) NamedPwsh(string given)
    {
        string path = PathResolution.ResolveNew(this, given, "pwsh path");
        if (!File.Exists(path))
        {
            string what = Directory.Exists(path) ? "is a directory" : "does not exist";
            throw new BlitException(BlitErrorCode.InvalidArgument, $"-PwshPath '{given}' {what}: name a pwsh executable or a pwsh.dll.", path);
        }
        if (!path.EndsWith(".dll", StringComparison.OrdinalIgnoreCase))
        {
            return (path, []);
        }
        // dotnet: this process when it is dotnet, else the one the dotnet CLI names, else the one on PATH.
        string? self = Environment.ProcessPath;
        string dotnet = self is not null && Path.GetFileNameWithoutExtension(self).Equals("dotnet", StringComparison.OrdinalIgnoreCase) ? self
            : Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host
            : "dotnet";
        return (dotnet, [path]);
    }

    /// <summary>
    /// This command as it was typed, for the log header: its own statement (PowerShell 7.4+'s
    /// InvocationInfo.Statement, which PowerShellStandard does not declare), not the whole line around it
    /// ("Import-Module Blit; Measure-BlitWorkload ... | Format-Table ..."); else the line, else its name.
    /// </summary>
    private string InvocationText()
    {
        string? statement = typeof(InvocationInfo).GetProperty("Statement")?.GetValue(MyInvocation) as string;
        return statement?.Trim() is { Length: > 0 } own ? own
            : MyInvocation.Line?.Trim() is { Length: > 0 } line ? line
            : MyInvocation.InvocationName;
    }

    private static string Quote(string text) => "'" + CodeGeneration.EscapeSingleQuotedStringContent(text) + "'";

    /// <summary>This process when it is pwsh (or dotnet running pwsh.dll), else pwsh in $PSHOME; null when neither.</summary>
    private (string Exe, string[] Prefix)? FindPwsh()
    {
        string? exe = Environment.ProcessPath;
        string name = Path.GetFileNameWithoutExtension(exe ?? string.Empty);
        if (exe is not null && name.Equals("pwsh", StringComparison.OrdinalIgnoreCase))
        {
            return (exe, []);
        }
        string? entry = Assembly.GetEntryAssembly()?.Location;
        if (exe is not null && name.Equals("dotnet", StringComparison.OrdinalIgnoreCase)
            && Path.GetFileName(entry)?.Equals("pwsh.dll", StringComparison.OrdinalIgnoreCase) == true)
        {
            return (exe, [entry!]);
        }
        if (SessionState.PSVariable.GetValue("PSHOME") is string home)
        {
            string candidate = Path.Combine(home, OperatingSystem.IsWindows() ? "pwsh.exe" : "pwsh");
            if (File.Exists(candidate))
            {
                return (candidate, []);
            }
        }
        return null;
    }

    private void ShowProgress(ProgressReporter reporter)
    {
        BenchmarkStatus? status = _status;
        if (status is null || !reporter.Enabled)
        {
            return;
        }
        reporter.Tick(record =>
        {
            string what = status.Tool is null
                ? status.Activity
                : string.Format(CultureInfo.CurrentCulture, "{0} {1} of {2}: {3}", status.Activity, status.Run, status.Runs, status.Tool);
            record.StatusDescription = $"{status.Workload} {status.SizeLabel}: {what}";
            record.PercentComplete = status.TotalSteps > 0 ? Math.Clamp(status.Step * 100 / status.TotalSteps, 0, 100) : -1;
        });
    }

    private static void WaitQuietly(Task work)
    {
        try
        {
            work.Wait(TimeSpan.FromMinutes(2));
        }
        catch (AggregateException)
        {
            // Its failure (the cancellation) is not news.
        }
    }

    /// <summary>Queues the runner's reports to the pipeline thread; progress is sampled from the last status.</summary>
    private sealed class PumpListener(PipelinePump pump, MeasureBlitWorkloadCommand command) : IBenchmarkListener
    {
        public void OnStatus(BenchmarkStatus status) => command._status = status;

        public void OnLog(string line) => pump.Post(c => c.WriteVerbose(line));

        public void OnWarning(string message) => pump.Post(c => c.WriteWarning(message));

        public void OnRun(RunRecord run)
        {
        }

        public void OnMeasurement(WorkloadMeasurement measurement) => pump.Post(c => c.WriteObject(measurement));
    }
}
