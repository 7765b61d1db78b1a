using System.Collections.ObjectModel;
using System.Management.Automation;
using Blit.Benchmarking;
using Blit.Cmdlets.Infrastructure;
using Blit.Errors;
using Blit.Gate;
using Microsoft.PowerShell.Commands;

namespace Blit.Cmdlets.Commands;

/// <summary>
/// <para type="synopsis">Turns benchmark measurements into the quality gate's GO / NO-GO decisions.</para>
/// </summary>
[Cmdlet(VerbsData.Compare, "BlitBaseline", DefaultParameterSetName = InputSet)]
[OutputType(typeof(WorkloadDecision), typeof(GateSummary))]
public sealed class CompareBlitBaselineCommand : PSCmdlet
{
    private const string InputSet = "InputObject";
    private const string PathSet = "Path";

    private readonly List<WorkloadMeasurement> _measurements = [];
    private GateOptions _options = new();

    /// <summary>Measurements from Measure-BlitWorkload.</summary>
    [Parameter(Mandatory = true, ValueFromPipeline = true, ParameterSetName = InputSet)]
    [AllowEmptyCollection]
    public WorkloadMeasurement[] InputObject { get; set; } = [];

    /// <summary>results.json files, or folders searched recursively for them.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true, ParameterSetName = PathSet)]
    [Alias("FullName", "PSPath")]
    [ValidateNotNullOrEmpty]
    public string[] Path { get; set; } = [];

    /// <summary>The folder of earlier logged runs (default ./logs).</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string BaselinePath { get; set; } = "logs";

    /// <summary>Least comparator/Blit median ratio for GO.</summary>
    [Parameter]
    public double Threshold { get; set; } = GateOptions.DefaultThreshold;

    /// <summary>Least ratio for GO of cold measurements (fresh pwsh per Blit run); 0 reports it without gating.</summary>
    [Parameter]
    public double ColdThreshold { get; set; }

    /// <summary>Allowed rise of peak memory over the baseline, as a fraction.</summary>
    [Parameter]
    public double MemoryTolerance { get; set; } = GateOptions.DefaultMemoryTolerance;

    /// <summary>Allowed rise of CPU seconds over the baseline, as a fraction.</summary>
    [Parameter]
    public double CpuTolerance { get; set; } = GateOptions.DefaultCpuTolerance;

    /// <summary>Emit one GateSummary (the overall decision) instead of one decision per workload.</summary>
    [Parameter]
    public SwitchParameter Summary { get; set; }

    protected override void BeginProcessing()
    {
        _options = new GateOptions
        {
            Threshold = Threshold, ColdThreshold = ColdThreshold, MemoryTolerance = MemoryTolerance, CpuTolerance = CpuTolerance,
        };
        try
        {
            _options.Validate();
        }
        catch (BlitException ex)
        {
            ThrowTerminatingError(ErrorMapping.ToRecord(ex));
        }
    }

    protected override void ProcessRecord()
    {
        if (ParameterSetName == InputSet)
        {
            _measurements.AddRange(InputObject.Where(m => m is not null));
            return;
        }
        foreach (string path in Path)
        {
            foreach (string file in ResolveResultsFiles(path))
            {
                try
                {
                    _measurements.AddRange(GateResults.Load(file).Select(l => l.Measurement));
                }
                catch (BlitException ex)
                {
                    WriteError(ErrorMapping.ToRecord(ex));
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                {
                    WriteError(new ErrorRecord(ex, nameof(BlitErrorCode.InvalidResultsFile), ErrorCategory.ReadError, file));
                }
            }
        }
    }

    protected override void EndProcessing()
    {
        string baselineFolder;
        try
        {
            baselineFolder = PathResolution.ResolveNew(this, BaselinePath, "baseline path");
        }
        catch (BlitException ex)
        {
            ThrowTerminatingError(ErrorMapping.ToRecord(ex));
            return;
        }
        if (File.Exists(baselineFolder))
        {
            // Not "no baseline yet" (a missing folder): a file here is a mistake, and deciding without
            // the memory and CPU checks would hide it.
            ThrowTerminatingError(ErrorMapping.ToRecord(new BlitException(BlitErrorCode.InvalidArgument,
                $"The baseline path '{baselineFolder}' is a file; give the folder of earlier logged runs (default ./logs).", baselineFolder)));
            return;
        }
        BaselineStore store = BaselineStore.Load(baselineFolder);
        GateSummary summary = BaselineComparer.Compare(_measurements, store, _options);
        foreach (string note in summary.Notes)
        {
            WriteWarning(note);
        }
        if (Summary)
        {
            WriteObject(summary);
            return;
        }
        if (summary.Decisions.Count == 0)
        {
            WriteWarning("No measurements to compare: there is nothing to decide on (with -Summary the decision is NO-GO).");
        }
        foreach (WorkloadDecision decision in summary.Decisions)
        {
            WriteObject(decision);
        }
    }

    /// <summary>The results files a -Path item names: the file itself, or every results.json below a folder. Wildcards allowed.</summary>
    private List<string> ResolveResultsFiles(string path)
    {
        var files = new List<string>();
        Collection<string> resolved;
        ProviderInfo provider;
        try
        {
            resolved = SessionState.Path.GetResolvedProviderPathFromPSPath(path, out provider);
        }
        catch (Exception ex) when (ex is ItemNotFoundException or System.Management.Automation.DriveNotFoundException)
        {
            WriteError(ErrorMapping.ToRecord(new BlitException(BlitErrorCode.SourceNotFound,
                $"The results path '{path}' does not exist.", path, ex)));
            return files;
        }
        if (provider.ImplementingType != typeof(FileSystemProvider))
        {
            WriteError(ErrorMapping.ToRecord(new BlitException(BlitErrorCode.InvalidArgument,
                $"The results path '{path}' is on the {provider.Name} provider; results files are filesystem paths.", path)));
            return files;
        }
        foreach (string item in resolved)
        {
            if (Directory.Exists(item))
            {
                int before = files.Count;
                files.AddRange(GateResults.FindResultsFiles(item));
                if (files.Count == before)
                {
                    WriteWarning($"No {BaselineStore.ResultsFileName} under '{item}'.");
                }
            }
            else
            {
                files.Add(item);
            }
        }
        return files;
    }
}
