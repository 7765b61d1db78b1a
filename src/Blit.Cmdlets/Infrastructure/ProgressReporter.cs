using System.Diagnostics;
using System.Management.Automation;

namespace Blit.Cmdlets.Infrastructure;

/// <summary>
/// One Write-Progress activity, updated at most every <see cref="Interval"/> and only after
/// <see cref="Delay"/>, so quick runs show nothing; completed by <see cref="Complete"/>.
/// Does nothing at all when $ProgressPreference is SilentlyContinue.
/// </summary>
internal sealed class ProgressReporter
{
    // Not readonly: tests set them to zero through reflection to exercise every update.
    internal static TimeSpan Delay = TimeSpan.FromMilliseconds(500);
    internal static TimeSpan Interval = TimeSpan.FromMilliseconds(250);

    private readonly PSCmdlet _cmdlet;
    private readonly int _activityId;
    private readonly string _activity;
    private ProgressRecord? _record;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly bool _enabled;
    private TimeSpan? _last;
    private bool _shown;

    public ProgressReporter(PSCmdlet cmdlet, int activityId, string activity)
    {
        _cmdlet = cmdlet;
        _activityId = activityId;
        _activity = activity;
        object? pref = cmdlet.GetVariableValue("ProgressPreference");
        _enabled = pref is not ActionPreference.SilentlyContinue and not ActionPreference.Ignore
            && !(pref is string s && (s.Equals("SilentlyContinue", StringComparison.OrdinalIgnoreCase)
                                    || s.Equals("Ignore", StringComparison.OrdinalIgnoreCase)));
    }

    public bool Enabled => _enabled;

    public TimeSpan Elapsed => _clock.Elapsed;

    /// <summary>
    /// Updates the bar if enough time has passed; <paramref name="fill"/> sets the record's fields.
    /// A <paramref name="final"/> update ignores the interval (not the delay) so the last figures show.
    /// </summary>
    public void Tick(Action<ProgressRecord> fill, bool final = false)
    {
        if (!_enabled)
        {
            return;
        }
        TimeSpan now = _clock.Elapsed;
        if (now < Delay || (!final && _last is { } last && now - last < Interval))
        {
            return;
        }
        _last = now;
        // A new record per update: hosts that keep records (a runspace's Progress stream, jobs)
        // hold each one, and a reused instance would turn every kept record into the last state.
        var record = new ProgressRecord(_activityId, _activity, "Starting");
        fill(record);
        record.RecordType = ProgressRecordType.Processing;
        _cmdlet.WriteProgress(record);
        _record = record;
        _shown = true;
    }

    public void Complete()
    {
        if (!_enabled || !_shown || _record is not { } last)
        {
            return;
        }
        var completed = new ProgressRecord(_activityId, _activity, last.StatusDescription)
        {
            PercentComplete = last.PercentComplete,
            SecondsRemaining = last.SecondsRemaining,
            RecordType = ProgressRecordType.Completed,
        };
        try
        {
            _cmdlet.WriteProgress(completed);
        }
        catch (PipelineStoppedException)
        {
        }
        _shown = false;
    }

    public static string FormatBytes(double bytes) => Units.Bytes(bytes);
}
