using System.Diagnostics;
using System.Management.Automation;

namespace Blit.Cmdlets.Infrastructure;

/// <summary>
/// When progress shows: not before <see cref="Delay"/>, so quick runs show nothing, and then at most
/// every <see cref="Interval"/>. <see cref="FromEnvironment"/> gives the defaults unless
/// BLIT_PROGRESS_DELAY_MS or BLIT_PROGRESS_INTERVAL_MS say otherwise (the progress tests set both
/// to 0 to see every update; docs/platforms.md lists the contributor settings).
/// </summary>
internal readonly record struct ProgressTiming(TimeSpan Delay, TimeSpan Interval)
{
    /// <summary>The environment variable that overrides <see cref="Delay"/>, in milliseconds.</summary>
    internal const string DelayVariable = "BLIT_PROGRESS_DELAY_MS";

    /// <summary>The environment variable that overrides <see cref="Interval"/>, in milliseconds.</summary>
    internal const string IntervalVariable = "BLIT_PROGRESS_INTERVAL_MS";

    /// <summary>Half a second before the first update, then four updates a second at most.</summary>
    public static ProgressTiming Default { get; } = new(TimeSpan.FromMilliseconds(500), TimeSpan.FromMilliseconds(250));

    /// <summary><see cref="Default"/>, with either figure replaced by its environment variable when that holds a whole number of milliseconds (0 or more).</summary>
    public static ProgressTiming FromEnvironment() => new(
        Milliseconds(DelayVariable) ?? Default.Delay,
        Milliseconds(IntervalVariable) ?? Default.Interval);

    private static TimeSpan? Milliseconds(string variable) =>
        int.TryParse(Environment.GetEnvironmentVariable(variable), System.Globalization.NumberStyles.None,
            System.Globalization.CultureInfo.InvariantCulture, out int ms) ? TimeSpan.FromMilliseconds(ms) : null;
}

/// <summary>
/// One Write-Progress activity, updated by its <see cref="ProgressTiming"/>; completed by
/// <see cref="Complete"/>. Does nothing at all when $ProgressPreference is SilentlyContinue.
/// </summary>
internal sealed class ProgressReporter
{
    private readonly ProgressTiming _timing;
    private readonly PSCmdlet _cmdlet;
    private readonly int _activityId;
    private readonly string _activity;
    private ProgressRecord? _record;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly bool _enabled;
    private TimeSpan? _last;
    private bool _shown;

    public ProgressReporter(PSCmdlet cmdlet, int activityId, string activity, ProgressTiming timing)
    {
        _timing = timing;
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
        if (now < _timing.Delay || (!final && _last is { } last && now - last < _timing.Interval))
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
