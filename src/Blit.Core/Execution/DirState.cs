using Blit.Platform;

namespace Blit.Execution;

/// <summary>
/// What one run finds and changes about one directory of the plan. Kept beside the plan (by
/// <see cref="Planning.DirOp.Index"/>, see <see cref="RunContext"/>), so the plan stays a description.
/// </summary>
internal sealed class DirState
{
    /// <summary>Anything inside changed, or its mode was lifted: its metadata is set again at the end. Set by any worker.</summary>
    public volatile bool Touched;

    /// <summary>This run created it.</summary>
    public bool Created;

    /// <summary>This run could not create it or move it into place: nothing below it is written, its metadata not set.</summary>
    public bool Failed;

    /// <summary>What the destination directory's attributes forbid (chattr +a, +i); null until asked.</summary>
    public DirectoryRestriction? Restriction;

    /// <summary>
    /// A new directory whose parent exists is built under this temp name and renamed to its own
    /// name once everything inside is written (see <see cref="Planning.StagingPlanner"/>); null once published.
    /// </summary>
    public string? StagedName;

    /// <summary>This directory is staged or inside a staged one: no one sees its entries until it is published.</summary>
    public bool InStagedTree;

    /// <summary>Where it is in the destination now, relative to its root, while that differs from its own path (staged).</summary>
    public string? DiskPath;

    /// <summary>Batches still to run in this staged directory's tree.</summary>
    public int PendingBatches;
}
