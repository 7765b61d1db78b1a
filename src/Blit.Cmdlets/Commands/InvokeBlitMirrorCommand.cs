using System.Management.Automation;
using Blit.Cmdlets.Infrastructure;
using Blit.Errors;
using Blit.Mirror;
using Blit.Platform;

namespace Blit.Cmdlets.Commands;

/// <summary>
/// <para type="synopsis">Mirrors a directory tree: the destination ends up matching the source exactly.</para>
/// </summary>
[Cmdlet(VerbsLifecycle.Invoke, "BlitMirror", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(MirrorResult), typeof(MirrorItem))]
public sealed class InvokeBlitMirrorCommand : PSCmdlet
{
    private readonly CancellationTokenSource _cancel = new();

    /// <summary>The source directory whose contents are mirrored.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("FullName", "PSPath", "Source")]
    [ValidateNotNullOrEmpty]
    public string Path { get; set; } = string.Empty;

    /// <summary>The directory that is made to match the source (created if missing).</summary>
    [Parameter(Mandatory = true, Position = 1, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string Destination { get; set; } = string.Empty;

    /// <summary>rsync exclude patterns: matching entries are neither copied nor deleted.</summary>
    [Parameter]
    [ValidateNotNull]
    public string[] Exclude { get; set; } = [];

    /// <summary>rsync include patterns, tried before the exclude patterns: matching entries are mirrored.</summary>
    [Parameter]
    [ValidateNotNull]
    public string[] Include { get; set; } = [];

    /// <summary>Files of exclude rules in rsync's --exclude-from syntax.</summary>
    [Parameter]
    [ValidateNotNull]
    public string[] ExcludeFrom { get; set; } = [];

    /// <summary>Files of include rules in rsync's --include-from syntax.</summary>
    [Parameter]
    [ValidateNotNull]
    public string[] IncludeFrom { get; set; } = [];

    /// <summary>Delete excluded entries from the destination too (rsync --delete-excluded).</summary>
    [Parameter]
    public SwitchParameter DeleteExcluded { get; set; }

    /// <summary>Compare same-size files by content instead of modification time.</summary>
    [Parameter]
    public SwitchParameter Checksum { get; set; }

    /// <summary>Seconds within which two mtimes count as equal (rsync's --modify-window); by default the destination's measured precision.</summary>
    [Parameter]
    [ValidateRange(0.0, 86400.0)]
    public double ModifyWindow { get; set; }

    /// <summary>Allow an empty source over a non-empty destination, and a root or home destination.</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    /// <summary>Emit one record per action taken, before the result.</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    /// <summary>Copy workers; 0 (default) lets the planner choose.</summary>
    [Parameter]
    [ValidateRange(0, 256)]
    public int ThrottleLimit { get; set; }

    protected override void ProcessRecord()
    {
        MirrorOptions options;
        try
        {
            options = new MirrorOptions
            {
                Source = PathResolution.ResolveExisting(this, Path, "source"),
                Destination = PathResolution.ResolveNew(this, Destination, "destination"),
                Checksum = Checksum,
                Force = Force,
                Exclude = Exclude,
                Include = Include,
                ExcludeFrom = [.. ExcludeFrom.Select(f => PathResolution.ResolveNew(this, f, "exclude file"))],
                IncludeFrom = [.. IncludeFrom.Select(f => PathResolution.ResolveNew(this, f, "include file"))],
                DeleteExcluded = DeleteExcluded,
                ThrottleLimit = ThrottleLimit,
                EmitItems = PassThru,
                ModifyWindow = MyInvocation.BoundParameters.ContainsKey(nameof(ModifyWindow))
                    ? TimeSpan.FromSeconds(ModifyWindow) : null,
            };
        }
        catch (BlitException ex)
        {
            ThrowTerminatingError(ErrorMapping.ToRecord(ex));
            return;
        }

        using var pump = new PipelinePump();
        var listener = new PumpListener(pump);
        var progress = new MirrorProgress();
        var reporter = new ProgressReporter(this, 1, $"Mirroring {options.Source} to {options.Destination}");
        try
        {
            MirrorSession session;
            try
            {
                session = RunEngine(pump, Task.Run(() => MirrorEngine.Prepare(options, listener, progress, _cancel.Token)),
                    () => ShowProgress(reporter, progress));
            }
            catch (BlitException ex)
            {
                ThrowTerminatingError(ErrorMapping.ToRecord(ex));
                return;
            }
            catch (IOException ex)
            {
                ThrowTerminatingError(new ErrorRecord(ex, nameof(BlitErrorCode.SourceUnreadable), ErrorCategory.ReadError, options.Source));
                return;
            }
            using (session)
            {
                WriteVerbose($"Destination filesystem: {session.DestinationFileSystem}.");
                foreach ((string mountPoint, FileSystemCapabilities mounted) in session.MountedFileSystems)
                {
                    WriteVerbose($"Filesystem mounted at '{mountPoint}' in the destination: {mounted}.");
                }
                if (!Approve(session, out bool whatIf))
                {
                    if (whatIf)
                    {
                        WriteObject(session.WhatIfResult());
                    }
                    return;
                }
                MirrorResult result;
                try
                {
                    result = RunEngine(pump, Task.Run(() => session.Execute(_cancel.Token)),
                        () => ShowProgress(reporter, progress));
                }
                catch (BlitException ex)
                {
                    // Setup errors raised at execution (DestinationUnusable: the destination is created
                    // only then) keep their stable id too.
                    ThrowTerminatingError(ErrorMapping.ToRecord(ex));
                    return;
                }
                ShowProgress(reporter, progress, final: true);
                WriteObject(result);
            }
        }
        catch (OperationCanceledException) when (_cancel.IsCancellationRequested)
        {
            // Ctrl+C: the engine has removed its temp files; PowerShell reports the stop.
        }
        finally
        {
            reporter.Complete();
        }
    }

    /// <summary>
    /// Runs engine work through the pump. If the pipeline thread fails first (a write throws
    /// PipelineStoppedException while stopping, or anything else), the engine is cancelled and
    /// awaited before the exception goes on: it must not outlive the cmdlet, or its temp files
    /// stay behind when the process exits and the session's directory handles close under it.
    /// </summary>
    private T RunEngine<T>(PipelinePump pump, Task<T> work, Action onTick)
    {
        try
        {
            return pump.Run(this, work, onTick);
        }
        catch
        {
            _cancel.Cancel();
            try
            {
                work.Wait();
            }
            catch (AggregateException)
            {
                // The engine's own outcome (cancelled or failed) matters less than the first error.
            }
            if (work.IsCompletedSuccessfully && work.Result is IDisposable finished)
            {
                finished.Dispose(); // a session prepared just as the pipeline stopped
            }
            throw;
        }
    }

    /// <summary>
    /// -WhatIf and -Confirm go through ShouldProcess for every planned action; otherwise no
    /// per-action call is made (there would be nothing to ask). Returns false when nothing
    /// should be executed.
    /// </summary>
    private bool Approve(MirrorSession session, out bool whatIf)
    {
        whatIf = IsSwitchOn("WhatIf", "WhatIfPreference");
        bool confirm = IsSwitchOn("Confirm", null)
            || (!MyInvocation.BoundParameters.ContainsKey("Confirm")
                && GetVariableValue("ConfirmPreference") is ConfirmImpact pref && pref != ConfirmImpact.None
                && pref <= ConfirmImpact.Medium);
        if (!whatIf && !confirm)
        {
            return true;
        }
        foreach (PlannedAction action in session.GetPlannedActions())
        {
            if (!ShouldProcess(action.DestinationPath, action.Action.ToString()))
            {
                action.Decline();
            }
        }
        return !whatIf;
    }

    private bool IsSwitchOn(string parameter, string? preferenceVariable)
    {
        if (MyInvocation.BoundParameters.TryGetValue(parameter, out object? value))
        {
            return value is SwitchParameter s ? s.IsPresent : value is true;
        }
        return preferenceVariable is not null && LanguagePrimitives.IsTrue(GetVariableValue(preferenceVariable));
    }

    private static void ShowProgress(ProgressReporter reporter, MirrorProgress progress, bool final = false)
    {
        if (!reporter.Enabled)
        {
            return;
        }
        reporter.Tick(record =>
        {
            long bytesDone = progress.BytesDone, bytesTotal = progress.BytesTotal;
            long filesDone = progress.FilesDone, filesTotal = progress.FilesTotal;
            double seconds = Math.Max(reporter.Elapsed.TotalSeconds, 0.001);
            double rate = bytesDone / seconds;
            record.StatusDescription = progress.Phase switch
            {
                MirrorPhase.Scanning => "Scanning source and destination",
                MirrorPhase.Planning => "Comparing",
                MirrorPhase.Deleting => "Deleting extraneous entries",
                MirrorPhase.Finishing => "Setting directory metadata",
                _ => $"{filesDone:N0} of {filesTotal:N0} entries, {ProgressReporter.FormatBytes(bytesDone)} of " +
                     $"{ProgressReporter.FormatBytes(bytesTotal)} ({Units.Rate(rate)})",
            };
            if (progress.Phase is MirrorPhase.Copying or MirrorPhase.Done && (bytesTotal > 0 || filesTotal > 0))
            {
                double fraction = bytesTotal > 0 ? (double)bytesDone / bytesTotal : (double)filesDone / filesTotal;
                record.PercentComplete = (int)Math.Clamp(fraction * 100, 0, 100);
                record.SecondsRemaining = rate > 0 && bytesTotal > 0 ? (int)((bytesTotal - bytesDone) / rate) : -1;
            }
            else
            {
                record.PercentComplete = -1;
                record.SecondsRemaining = -1;
            }
        }, final);
    }

    protected override void StopProcessing() => _cancel.Cancel();

    /// <summary>Queues engine reports to the pipeline thread.</summary>
    private sealed class PumpListener(PipelinePump pump) : IMirrorListener
    {
        public void OnError(BlitError error)
        {
            if (error.IsWarning)
            {
                pump.Post(c => c.WriteWarning(error.Message));
            }
            else
            {
                pump.Post(c => c.WriteError(ErrorMapping.ToRecord(error)));
            }
        }

        public void OnItem(MirrorItem item) => pump.Post(c => c.WriteObject(item));
    }
}
