namespace Blit.Planning;

/// <summary>Entries of one directory that one worker writes in a row.</summary>
internal sealed class CopyBatch(DirOp dir)
{
    public DirOp Dir { get; } = dir;
    public List<EntryOp> Ops { get; } = [];
    /// <summary>Bytes its files copy.</summary>
    public long Bytes { get; private set; }

    public void Add(EntryOp op)
    {
        Ops.Add(op);
        Bytes += op.CopyBytes;
    }
}

/// <summary>How the entries of a plan are handed to the copy workers: batches per directory, largest first.</summary>
internal static class BatchPlanner
{
    /// <summary>
    /// Entries per batch. A batch stays in one directory, and creating entries in one directory
    /// serializes on its lock in the kernel, so workers do best in different directories.
    /// </summary>
    internal const int BatchEntries = 4096;

    /// <summary>
    /// The entries of <paramref name="plan"/> not declined, in batches: each file of at least
    /// <see cref="WorkerPlanner.LargeFileBytes"/> alone, the others by directory, at most
    /// <see cref="BatchEntries"/> each; largest first, so a big file starts at once and small
    /// batches fill the other workers.
    /// </summary>
    public static List<CopyBatch> Batches(MirrorPlan plan)
    {
        var batches = new List<CopyBatch>();
        CopyBatch? current = null;
        foreach (EntryOp op in plan.Entries)
        {
            if (op.Declined)
            {
                continue;
            }
            if (op.CopyBytes >= WorkerPlanner.LargeFileBytes)
            {
                var alone = new CopyBatch(op.Dir);
                alone.Add(op);
                batches.Add(alone);
                continue;
            }
            if (current is null || !ReferenceEquals(current.Dir, op.Dir) || current.Ops.Count >= BatchEntries)
            {
                current = new CopyBatch(op.Dir);
                batches.Add(current);
            }
            current.Add(op);
        }
        batches.Sort(static (a, b) => b.Bytes.CompareTo(a.Bytes));
        return batches;
    }
}
