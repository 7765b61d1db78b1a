using Blit.Benchmarking;

namespace Blit.Gate;

/// <summary>
/// The overall decision: GO only if there is at least one workload decision and every one is GO.
/// A script tests it in one line: <c>(... | Compare-BlitBaseline -Summary).IsGo</c>.
/// </summary>
public sealed class GateSummary
{
    /// <summary>The summary of <paramref name="decisions"/>, with <paramref name="notes"/> and the baseline folder used.</summary>
    public GateSummary(IEnumerable<WorkloadDecision> decisions, IEnumerable<string>? notes = null, string? baselinePath = null)
    {
        ArgumentNullException.ThrowIfNull(decisions);
        Decisions = [.. decisions];
        Notes = notes is null ? [] : [.. notes];
        BaselinePath = baselinePath;
        var reasons = new List<string>();
        if (Decisions.Count == 0)
        {
            reasons.Add("no measurements: there is nothing to decide on");
        }
        foreach (WorkloadDecision d in Decisions.Where(d => !d.IsGo))
        {
            reasons.AddRange(d.Reasons.Select(r => $"{d.Name}: {r}"));
        }
        Reasons = reasons;
        Decision = Decisions.Count > 0 && Decisions.All(d => d.IsGo) ? GateDecision.Go : GateDecision.NoGo;
    }

    /// <summary>GO only if there is at least one decision and every one is GO.</summary>
    public GateDecision Decision { get; }

    /// <summary>True when <see cref="Decision"/> is GO.</summary>
    public bool IsGo => Decision == GateDecision.Go;

    /// <summary>One decision per workload and size.</summary>
    public IReadOnlyList<WorkloadDecision> Decisions { get; }

    /// <summary>Decisions that are GO.</summary>
    public int GoCount => Decisions.Count(d => d.IsGo);

    /// <summary>Decisions that are NO-GO.</summary>
    public int NoGoCount => Decisions.Count(d => !d.IsGo);

    /// <summary>Every NO-GO reason, each prefixed with its workload and size; empty on GO.</summary>
    public IReadOnlyList<string> Reasons { get; }

    /// <summary>Notes about the comparison as a whole (e.g. unreadable baseline files skipped).</summary>
    public IReadOnlyList<string> Notes { get; }

    /// <summary>The folder searched for baseline runs.</summary>
    public string? BaselinePath { get; }

    /// <summary>The speed threshold the decisions used; null without decisions.</summary>
    public double? Threshold => Decisions.Count > 0 ? Decisions[0].Threshold : null;

    /// <summary>The latest measurement time among the decisions.</summary>
    public DateTimeOffset? Timestamp => Decisions.Max(d => d.Timestamp);

    /// <summary>The machine of the first decision that names one.</summary>
    public SystemInfo? System => Decisions.Select(d => d.System).FirstOrDefault(s => s is not null);

    /// <summary>One line: the decision and the counts.</summary>
    public override string ToString()
    {
        int reported = Decisions.Count(d => d.IsGo && !d.SpeedGated);
        return FormattableString.Invariant($"{GateText.Label(Decision)} ({GoCount} of {Decisions.Count} workloads GO") +
            (reported > 0 ? FormattableString.Invariant($"; {reported} of them with the speed reported, not gated)") : ")");
    }
}
