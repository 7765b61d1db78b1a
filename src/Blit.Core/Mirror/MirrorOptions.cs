namespace Blit.Mirror;

/// <summary>What to mirror and how. Paths must be full filesystem paths.</summary>
public sealed class MirrorOptions
{
    /// <summary>The directory to mirror.</summary>
    public required string Source { get; init; }

    /// <summary>The directory to make a mirror of the source (created if missing).</summary>
    public required string Destination { get; init; }

    /// <summary>Compare same-size files by content instead of mtime.</summary>
    public bool Checksum { get; init; }

    /// <summary>Pass the safety refusals: empty source over a non-empty destination, root or home as destination.</summary>
    public bool Force { get; init; }

    /// <summary>rsync exclude patterns (<c>--exclude</c>): matching entries are neither copied nor deleted.</summary>
    public IReadOnlyList<string> Exclude { get; init; } = [];

    /// <summary>rsync include patterns (<c>--include</c>): matching entries are mirrored even if a later rule excludes them.</summary>
    public IReadOnlyList<string> Include { get; init; } = [];

    /// <summary>Files of exclude rules in rsync's <c>--exclude-from</c> syntax (full paths).</summary>
    public IReadOnlyList<string> ExcludeFrom { get; init; } = [];

    /// <summary>Files of include rules in rsync's <c>--include-from</c> syntax (full paths).</summary>
    public IReadOnlyList<string> IncludeFrom { get; init; } = [];

    /// <summary>
    /// rsync's <c>--delete-excluded</c>: the rules only keep source entries out; on the
    /// destination nothing is protected, so excluded entries there are deleted.
    /// </summary>
    public bool DeleteExcluded { get; init; }

    /// <summary>Worker threads for copying; 0 lets the planner choose.</summary>
    public int ThrottleLimit { get; init; }

    /// <summary>Report per-entry records to the listener.</summary>
    public bool EmitItems { get; init; }

    /// <summary>
    /// Mtimes at most this far apart are the same (rsync's --modify-window); null (the default) uses
    /// the destination's measured timestamp precision. Zero compares mtimes exactly.
    /// </summary>
    public TimeSpan? ModifyWindow { get; init; }

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
