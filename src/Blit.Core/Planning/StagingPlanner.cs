namespace Blit.Planning;

/// <summary>
/// Which new directories may be staged: built under a temp name and renamed into place once
/// everything inside is written, so their files can be created under their own names and still
/// never be seen incomplete. A decision from the plan's shape; the executor adds only what the
/// disk can tell (a parent that is append-only, or already inside a staged tree).
/// </summary>
internal static class StagingPlanner
{
    /// <summary>
    /// A new directory is staged when its whole tree holds at most this many entries and bytes; a
    /// larger one is created in place, its files written unnamed, and its subdirectories considered
    /// one by one. So a killed run leaves at most this much per worker in staged trees for the next
    /// run to remove and copy again.
    /// </summary>
    internal const int StageMaxEntries = 4096;

    /// <inheritdoc cref="StageMaxEntries"/>
    internal const long StageMaxBytes = 256L << 20;

    /// <summary>
    /// For each directory of <paramref name="plan"/> (by <see cref="DirOp.Index"/>): true when it is
    /// new in the destination and its tree (entries to write, bytes to copy) is within the bounds.
    /// </summary>
    public static bool[] MayStage(MirrorPlan plan)
    {
        int count = plan.Directories.Count;
        var entries = new long[count];
        var bytes = new long[count];
        foreach (EntryOp op in plan.Entries)
        {
            entries[op.Dir.Index]++;
            bytes[op.Dir.Index] += op.CopyBytes;
        }
        for (int i = count - 1; i > 0; i--) // children come after their parent
        {
            int parent = plan.Directories[i].Parent!.Index;
            entries[parent] += entries[i] + 1;
            bytes[parent] += bytes[i];
        }
        var may = new bool[count];
        for (int i = 0; i < count; i++)
        {
            may[i] = plan.Directories[i].DestKind is null && entries[i] <= StageMaxEntries && bytes[i] <= StageMaxBytes;
        }
        return may;
    }
}
