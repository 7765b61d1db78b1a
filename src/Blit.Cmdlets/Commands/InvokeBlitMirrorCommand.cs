using System.Management.Automation;
using Blit.Cmdlets.Infrastructure;
using Blit.Errors;
using Blit.Mirror;
using Blit.Platform;

namespace Blit.Cmdlets.Commands;

/// <summary>
/// <para type="synopsis">Mirrors a directory tree: the destination ends up matching the source exactly.</para>
/// </summary>
[Cmdlet(VerbsLifecycle.Invoke, "BlitMirror", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium,
    DefaultParameterSetName = PathSet)]
[OutputType(typeof(MirrorResult), typeof(MirrorItem))]
public sealed class InvokeBlitMirrorCommand : PSCmdlet, IDisposable
{
    private const string PathSet = "Path";
    private const string LiteralPathSet = "LiteralPath";

    /// <summary>
    /// Added to the result of a -PassThru run: its view is out of band, so the result shows as its
    /// own list after the MirrorItem table instead of as a bare property list (Blit.format.ps1xml).
    /// </summary>
    public const string PassThruResultTypeName = "Blit.Mirror.MirrorResult#PassThru";

    private readonly CancellationTokenSource _cancel = new();
    /// <summary>Destinations mirrored into by this pipeline so far, with their source.</summary>
    private readonly Dictionary<string, string> _destinations = new(StringComparer.Ordinal);
    private MirrorLog? _log;
    private bool _verbose;

    /// <summary>The source directory whose contents are mirrored (wildcards expanded).</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true, ParameterSetName = PathSet)]
    [Alias("Source")]
    [ValidateNotNullOrEmpty]
    [SupportsWildcards]
    public string Path { get; set; } = string.Empty;

    /// <summary>The source directory, as written: no wildcards. Binds PSPath from Get-Item and Get-ChildItem.</summary>
    [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true, ParameterSetName = LiteralPathSet)]
    [Alias("PSPath", "LP")]
    [ValidateNotNullOrEmpty]
    public string LiteralPath { get; set; } = string.Empty;

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

    /// <summary>Allow an empty source over a non-empty destination, a root or home destination, and one destination for several inputs.</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    /// <summary>Emit one record per action taken (with -WhatIf: planned), before the result.</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    /// <summary>Copy workers; 0 (default) lets the planner choose.</summary>
    [Parameter]
    [ValidateRange(0, 256)]
    public int ThrottleLimit { get; set; }

    /// <summary>Copy only: delete nothing from the destination (rsync without --delete, robocopy /E).</summary>
    [Parameter]
    public SwitchParameter NoDelete { get; set; }

    /// <summary>A text log: a header, one line per action and error, and a summary for each mirror.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? LogPath { get; set; }

    /// <summary>Add to the -LogPath file instead of replacing it.</summary>
    [Parameter]
    public SwitchParameter Append { get; set; }

    /// <summary>Times one entry is tried again after a transient error.</summary>
    [Parameter]
    [ValidateRange(0, 1000)]
    public int RetryCount { get; set; }

    /// <summary>Seconds to wait before each retry.</summary>
    [Parameter]
    [ValidateRange(0, 3600)]
    public int RetryDelay { get; set; } = 5;

    protected override void BeginProcessing()
    {
        _verbose = MyInvocation.BoundParameters.TryGetValue("Verbose", out object? v)
            ? v is SwitchParameter s ? s.IsPresent : LanguagePrimitives.IsTrue(v)
            : GetVariableValue("VerbosePreference") is ActionPreference pref
              && pref is not (ActionPreference.SilentlyContinue or ActionPreference.Ignore);
        if (LogPath is null)
        {
            return;
        }
        try
        {
            _log = MirrorLog.Open(PathResolution.ResolveNew(this, LogPath, "log path"), Append);
        }
        catch (BlitException ex)
        {
            ThrowTerminatingError(ErrorMapping.ToRecord(ex));
        }
    }

    protected override void EndProcessing() => _log?.Dispose();

    public void Dispose()
    {
        _log?.Dispose();
        _cancel.Dispose();
    }

    private string SourceText => ParameterSetName == LiteralPathSet ? LiteralPath : Path;

    /// <summary>
    /// A mirror that cannot start. With pipeline input it is this input's non-terminating error and
    /// the next input runs; called with arguments alone there is nothing else to run, and it stays
    /// terminating, so try/catch around one mirror catches it.
    /// </summary>
    private void FailInput(ErrorRecord record, bool headerWritten)
    {
        _log?.Failure(SourceText, Destination, record, headerWritten);
        if (MyInvocation.ExpectingInput)
        {
            WriteError(record);
        }
        else
        {
            ThrowTerminatingError(record);
        }
    }

    /// <summary>The options this mirror was given, as a command line would show them (for the log header).</summary>
    private string OptionsText()
    {
        var parts = new List<string>();
        foreach (KeyValuePair<string, object> p in MyInvocation.BoundParameters)
        {
            // This cmdlet's own parameters, and -Verbose (it puts the skips in the log); not the other common ones.
            if ((p.Key != "Verbose" && GetType().GetProperty(p.Key) is null)
                || p.Key is "Path" or "LiteralPath" or "Destination" or "LogPath" or "Append")
            {
                continue;
            }
            parts.Add(p.Value switch
            {
                SwitchParameter sw => sw.IsPresent ? $"-{p.Key}" : $"-{p.Key}:$false",
                string[] list => $"-{p.Key} " + string.Join(",", list.Select(x => "'" + x.Replace("'", "''", StringComparison.Ordinal) + "'")),
                string text => $"-{p.Key} '{text.Replace("'", "''", StringComparison.Ordinal)}'",
                _ => $"-{p.Key} {Convert.ToString(p.Value, System.Globalization.CultureInfo.InvariantCulture)}",
            });
        }
        return string.Join(" ", parts);
    }

    protected override void ProcessRecord()
    {
        MirrorOptions options;
        try
        {
            string source = ParameterSetName == LiteralPathSet
                ? PathResolution.ResolveLiteral(this, LiteralPath, "source")
                : PathResolution.ResolveExisting(this, Path, "source");
            string destination = PathResolution.ResolveNew(this, Destination, "destination");
            CheckDestinationReuse(source, destination);
            options = new MirrorOptions
            {
                Source = source,
                Destination = destination,
                Checksum = Checksum,
                Force = Force,
                Exclude = Exclude,
                Include = Include,
                ExcludeFrom = [.. ExcludeFrom.Select(f => PathResolution.ResolveNew(this, f, "exclude file"))],
                IncludeFrom = [.. IncludeFrom.Select(f => PathResolution.ResolveNew(this, f, "include file"))],
                DeleteExcluded = DeleteExcluded,
                ThrottleLimit = ThrottleLimit,
                NoDelete = NoDelete,
                RetryCount = RetryCount,
                RetryDelay = TimeSpan.FromSeconds(RetryDelay),
                EmitItems = PassThru || _verbose || _log is not null,
                ReportSkips = _verbose,
                ModifyWindow = MyInvocation.BoundParameters.ContainsKey(nameof(ModifyWindow))
                    ? TimeSpan.FromSeconds(ModifyWindow) : null,
            };
        }
        catch (BlitException ex)
        {
            FailInput(ErrorMapping.ToRecord(ex), headerWritten: false);
            return;
        }

        bool whatIf = IsSwitchOn("WhatIf", "WhatIfPreference");
        _log?.Header(options.Source, options.Destination, options.NoDelete, whatIf, OptionsText());
        if (_verbose)
        {
            WriteVerbose(MirrorText.Start(options));
        }
        using var pump = new PipelinePump();
        var listener = new CmdletListener(pump, PassThru, _verbose, _log);
        var progress = new MirrorProgress();
        var reporter = new ProgressReporter(this, 1, $"Mirroring {options.Source} to {options.Destination}", ProgressTiming.FromEnvironment());
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
                FailInput(ErrorMapping.ToRecord(ex), headerWritten: true);
                return;
            }
            catch (IOException ex)
            {
                FailInput(new ErrorRecord(ex, nameof(BlitErrorCode.SourceUnreadable), ErrorCategory.ReadError, options.Source), headerWritten: true);
                return;
            }
            _destinations[DestinationKey(options.Destination)] = options.Source;
            using (session)
            {
                WriteVerbose($"Destination filesystem: {session.DestinationFileSystem}.");
                foreach ((string mountPoint, FileSystemCapabilities mounted) in session.MountedFileSystems)
                {
                    WriteVerbose($"Filesystem mounted at '{mountPoint}' in the destination: {mounted}.");
                }
                if (_verbose)
                {
                    MirrorResult plan = session.Preview();
                    WriteVerbose(MirrorText.Scanned(session, plan));
                    WriteVerbose(MirrorText.Plan(plan));
                }
                MirrorResult result;
                if (!Approve(session, whatIf, listener))
                {
                    if (!whatIf)
                    {
                        return;
                    }
                    // The skips the plan reports go through the pump: let it write them.
                    result = RunEngine(pump, Task.Run(session.WhatIfResult), () => { });
                }
                else
                {
                    try
                    {
                        result = RunEngine(pump, Task.Run(() => session.Execute(_cancel.Token)),
                            () => ShowProgress(reporter, progress));
                    }
                    catch (BlitException ex)
                    {
                        // Setup errors raised at execution (DestinationUnusable: the destination is created
                        // only then) keep their stable id too.
                        FailInput(ErrorMapping.ToRecord(ex), headerWritten: true);
                        return;
                    }
                    ShowProgress(reporter, progress, final: true);
                }
                _log?.Summary(result);
                if (_verbose)
                {
                    WriteVerbose(MirrorText.Done(result));
                }
                WriteResult(result);
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

    private void WriteResult(MirrorResult result)
    {
        if (!PassThru)
        {
            WriteObject(result);
            return;
        }
        var tagged = new PSObject(result);
        tagged.TypeNames.Insert(0, PassThruResultTypeName);
        WriteObject(tagged);
    }

    private static string DestinationKey(string destination) => System.IO.Path.TrimEndingDirectorySeparator(destination);

    /// <summary>
    /// Refuses a second input into a destination an earlier input of this pipeline mirrored into:
    /// each mirror deletes what the previous one copied, and only the last source would remain
    /// (Get-ChildItem -Directory | Invoke-BlitMirror -Destination X). -NoDelete merges sources on
    /// purpose, and -Force insists.
    /// </summary>
    private void CheckDestinationReuse(string source, string destination)
    {
        if (NoDelete || Force || !_destinations.TryGetValue(DestinationKey(destination), out string? earlier))
        {
            return;
        }
        throw new BlitException(BlitErrorCode.DestinationReused,
            $"The destination '{destination}' already received a mirror of '{earlier}' in this pipeline: mirroring '{source}' " +
            "into it too would delete what that mirror copied. Give each input its own destination " +
            "(-Destination { Join-Path <root> $_.Name }), use -NoDelete to merge sources into one destination, or -Force.",
            destination);
    }

    /// <summary>
    /// Runs engine work through the pump. If the pipeline thread fails first (a write throws
    /// PipelineStoppedException while stopping, or anything else), the running engine is cancelled and
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
            // Only an engine still running is cancelled: one that failed by itself (a missing
            // source) must leave the token alone, or every later pipeline input would be cancelled.
            if (!work.IsCompleted)
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
    /// per-action call is made (there would be nothing to ask). With -WhatIf each planned action
    /// is also reported as the item a run would write (-PassThru, the log). Returns false when
    /// nothing should be executed.
    /// </summary>
    private bool Approve(MirrorSession session, bool whatIf, CmdletListener listener)
    {
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
            // Under -WhatIf ShouldProcess says no to everything: that is not the user declining.
            if (!ShouldProcess(action.DestinationPath, action.Action.ToString()) && !whatIf)
            {
                action.Decline();
            }
            if (whatIf)
            {
                listener.Planned(this, action.ToItem());
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

    /// <summary>
    /// Where the engine's reports go: the log (written at once, from any thread), and the
    /// pipeline thread through the pump for errors, warnings, -Verbose lines and -PassThru items.
    /// </summary>
    private sealed class CmdletListener(PipelinePump pump, bool passThru, bool verbose, MirrorLog? log) : IMirrorListener
    {
        public void OnError(BlitError error)
        {
            log?.Error(error);
            if (error.IsWarning)
            {
                pump.Post(c => c.WriteWarning(error.Message));
            }
            else
            {
                pump.Post(c => c.WriteError(ErrorMapping.ToRecord(error)));
            }
        }

        public void OnItem(MirrorItem item)
        {
            log?.Item(item);
            if (verbose)
            {
                string line = MirrorText.Item(item);
                pump.Post(c => c.WriteVerbose(line));
            }
            if (passThru)
            {
                pump.Post(c => c.WriteObject(item));
            }
        }

        public void OnSkip(MirrorSkip skip)
        {
            log?.Skip(skip);
            if (verbose)
            {
                string line = MirrorText.Skip(skip);
                pump.Post(c => c.WriteVerbose(line));
            }
        }

        /// <summary>A planned action under -WhatIf, on the pipeline thread: the item a run would write.</summary>
        public void Planned(Cmdlet cmdlet, MirrorItem item)
        {
            log?.Item(item);
            if (passThru)
            {
                cmdlet.WriteObject(item);
            }
        }
    }
}
