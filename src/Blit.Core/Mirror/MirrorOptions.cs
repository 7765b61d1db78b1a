namespace Blit.Mirror;

/// <summary>What to mirror and how. Paths must be full filesystem paths.</summary>
public sealed class MirrorOptions
{
    public required string Source { get; init; }

    public required string Destination { get; init; }

    /// <summary>Compare same-size files by content instead of mtime.</summary>
    public bool Checksum { get; init; }

    /// <summary>Pass the safety refusals: empty source over a non-empty destination, root or home as destination.</summary>
    public bool Force { get; init; }

    /// <summary>rsync-style exclude patterns: matching entries are neither copied nor deleted.</summary>
    public IReadOnlyList<string> Exclude { get; init; } = [];

    /// <summary>Worker threads for copying; 0 lets the planner choose.</summary>
    public int ThrottleLimit { get; init; }

    /// <summary>Report per-entry records to the listener.</summary>
    public bool EmitItems { get; init; }

    /// <summary>Try reflink clones for file data (default on).</summary>
    public bool AllowClone { get; init; } = true;

    /// <summary>
    /// Copy only (rsync without --delete, robocopy /E): extraneous destination entries are kept.
    /// An entry the source has as another type is still replaced; Blit's own stale temp files are still removed.
    /// </summary>
    public bool NoDelete { get; init; }

    /// <summary>How many times one entry's copy, link or metadata update is tried again after a transient error.</summary>
    public int RetryCount { get; init; }

    /// <summary>The pause before each retry.</summary>
    public TimeSpan RetryDelay { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Report every entry left alone, with the reason, to <see cref="IMirrorListener.OnSkip"/> (costs a record per entry).</summary>
    public bool ReportSkips { get; init; }
}
