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

    /// <summary>rsync-style exclude patterns: matching entries are neither copied nor deleted.</summary>
    public IReadOnlyList<string> Exclude { get; init; } = [];

    /// <summary>Worker threads for copying; 0 lets the planner choose.</summary>
    public int ThrottleLimit { get; init; }

    /// <summary>Report per-entry records to the listener.</summary>
    public bool EmitItems { get; init; }

    /// <summary>
    /// Mtimes closer than this are the same (rsync's --modify-window); null (the default) uses
    /// the destination's measured timestamp precision. Zero compares mtimes exactly.
    /// </summary>
    public TimeSpan? ModifyWindow { get; init; }

    /// <summary>Try reflink clones for file data (default on).</summary>
    public bool AllowClone { get; init; } = true;
}
