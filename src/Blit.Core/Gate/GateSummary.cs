using Blit.Benchmarking;

namespace Blit.Gate;

/// <summary>
/// The overall decision: GO only if there is at least one workload decision and every one is GO.
/// A script tests it in one line: <c>(... | Compare-BlitBaseline -Summary).IsGo</c>.
/// </summary>
public sealed class GateSummary
{
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

    public GateDecision Decision { get; }

    public bool IsGo => Decision == GateDecision.Go;

    public IReadOnlyList<WorkloadDecision> Decisions { get; }

    public int GoCount => Decisions.Count(d => d.IsGo);

    public int NoGoCount => Decisions.Count(d => !d.IsGo);

    /// <summary>Every NO-GO reason, each prefixed with its workload and size; empty on GO.</summary>
    public IReadOnlyList<string> Reasons { get; }

    /// <summary>Notes about the comparison as a whole (e.g. unreadable baseline files skipped).</summary>
    public IReadOnlyList<string> Notes { get; }

    /// <summary>The folder searched for baseline runs.</summary>
    public string? BaselinePath { get; }

    public double? Threshold => Decisions.Count > 0 ? Decisions[0].Threshold : null;

    /// <summary>The latest measurement time among the decisions.</summary>
    public DateTimeOffset? Timestamp => Decisions.Max(d => d.Timestamp);

    public SystemInfo? System => Decisions.Select(d => d.System).FirstOrDefault(s => s is not null);

    public override string ToString() =>
        FormattableString.Invariant($"{GateText.Label(Decision)} ({GoCount} of {Decisions.Count} workloads GO)");
}
