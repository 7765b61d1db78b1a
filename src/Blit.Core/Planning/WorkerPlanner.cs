namespace Blit.Planning;

/// <summary>
/// How many copy workers a plan gets: a decision from the shape of the work, made with the plan
/// (and shown in every result as WorkerCount), not by the executor.
/// </summary>
internal static class WorkerPlanner
{
    /// <summary>Files at least this large get a batch (a worker) of their own.</summary>
    internal const long LargeFileBytes = 4L << 20;

    /// <summary>More small entries than this: the per-file system calls are worth overlapping on every core, twice.</summary>
    private const int ManySmallEntries = 256;

    /// <summary>The most workers for small files: past this, creating entries contends on directory locks.</summary>
    private const int MaxSmallFileWorkers = 16;

    /// <summary>Below <see cref="ManySmallEntries"/>, one worker per this many small entries (a thread costs more than a few files).</summary>
    private const int SmallEntriesPerWorker = 64;

    /// <summary>Readers for the scans and the -Checksum comparisons: reading overlaps on every core, at least two.</summary>
    public static int ReadWorkers => Math.Max(2, Environment.ProcessorCount);

    /// <summary>The worker count for <paramref name="plan"/>: <paramref name="throttleLimit"/> when set, else by the work's shape.</summary>
    public static int ChooseWorkers(int throttleLimit, MirrorPlan plan)
    {
        if (throttleLimit > 0)
        {
            return throttleLimit;
        }
        int large = 0, small = 0;
        foreach (EntryOp op in plan.Entries)
        {
            if (op.Action is not (MirrorAction.CopyFile or MirrorAction.UpdateFile))
            {
                small++; // symlinks and metadata fixes: a few calls each, like a small file
            }
            else if (op.Source.Size >= LargeFileBytes)
            {
                large++;
            }
            else
            {
                small++;
            }
        }
        int cpus = Environment.ProcessorCount;
        // Small files are bound by per-file syscalls: overlap them. Large files by the kernel copy.
        int forSmall = small > ManySmallEntries
            ? Math.Clamp(cpus * 2, 2, MaxSmallFileWorkers)
            : Math.Clamp(small / SmallEntriesPerWorker + 1, 1, cpus);
        int forLarge = Math.Min(large, Math.Max(1, cpus));
        return Math.Max(1, Math.Max(forSmall, forLarge + (small > 0 ? 1 : 0)));
    }
}
