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
    private readonly ProgressRecord _record;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly bool _enabled;
    private TimeSpan? _last;
    private bool _shown;

    public ProgressReporter(PSCmdlet cmdlet, int activityId, string activity)
    {
        _cmdlet = cmdlet;
        _record = new ProgressRecord(activityId, activity, "Starting");
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
        fill(_record);
        _record.RecordType = ProgressRecordType.Processing;
        _cmdlet.WriteProgress(_record);
        _shown = true;
    }

    public void Complete()
    {
        if (!_enabled || !_shown)
        {
            return;
        }
        _record.RecordType = ProgressRecordType.Completed;
        try
        {
            _cmdlet.WriteProgress(_record);
        }
        catch (PipelineStoppedException)
        {
        }
        _shown = false;
    }

    public static string FormatBytes(double bytes) => Units.Bytes(bytes);
}
