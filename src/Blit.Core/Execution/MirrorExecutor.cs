using Blit.Mirror;
using Blit.Planning;
using Blit.Platform;
using Blit.Scanning;

namespace Blit.Execution;

/// <summary>
/// Carries out a plan in four phases: directories (top-down, <see cref="DirectoryPhase"/>), files
/// and symlinks (parallel, largest first, each written to a temp name and renamed into place,
/// <see cref="CopyPhase"/>), deletions (only when allowed, <see cref="DeletePhase"/>), then
/// directory metadata (bottom-up, so contents cannot disturb the mtimes, <see cref="MetadataPhase"/>).
/// </summary>
internal sealed class MirrorExecutor(IMirrorFileSystem fs, ExcludeFilter exclude, IMirrorListener? listener, bool emitItems,
    MirrorCounters counters, MirrorProgress progress, string destinationRoot, TransientRetry? retry = null)
{
    private RunContext? _run;

    /// <summary>True when a write failed for lack of space: deletions are then skipped.</summary>
    public bool WriteFailed => _run?.WriteFailed ?? false;

    /// <param name="plan">What to do.</param>
    /// <param name="srcRoot">The source root.</param>
    /// <param name="dstRoot">The destination root.</param>
    /// <param name="rootCreated">This run created the destination root (its metadata is set at the end).</param>
    /// <param name="workers">Copy and delete workers.</param>
    /// <param name="nothingDeletedBecause">Why nothing is deleted (-NoDelete, an incomplete source scan): then no extraneous
    /// entry is deleted, and a directory that an entry of another type replaces makes way only when it is empty. Null:
    /// the extraneous entries may be deleted.</param>
    /// <param name="cancellationToken">Stops the run between entries.</param>
    public void Execute(MirrorPlan plan, DirHandle srcRoot, DirHandle dstRoot, bool rootCreated, int workers,
        string? nothingDeletedBecause, CancellationToken cancellationToken)
    {
        var run = _run = new RunContext(plan, fs, exclude, listener, emitItems, counters, progress, destinationRoot, retry)
        {
            NothingDeletedBecause = nothingDeletedBecause,
        };
        run[plan.Directories[0]].Created = rootCreated;
        var remover = new EntryRemover(run);
        var staging = new StagedDirectories(run, remover);
        var metadata = new MetadataPhase(run);
        Volatile.Write(ref progress.PhaseField, (int)MirrorPhase.Copying);
        try
        {
            try
            {
                new DirectoryPhase(run, remover).Run(plan, dstRoot, StagingPlanner.MayStage(plan), cancellationToken);
                new CopyPhase(run, remover, staging).Run(plan, srcRoot, dstRoot, workers, cancellationToken);
            }
            finally
            {
                // A staged tree is published as soon as its last batch is done; here go the rest, also
                // when cancelled: a staged tree holds only complete entries (a file that fails or is
                // cancelled mid-copy is removed), so it is published, not left behind as a temp.
                staging.PublishAll(plan, dstRoot);
            }

            Volatile.Write(ref progress.PhaseField, (int)MirrorPhase.Deleting);
            new DeletePhase(run, remover).Run(plan, dstRoot, nothingDeletedBecause is null && !run.WriteFailed, workers, cancellationToken);
        }
        catch (OperationCanceledException)
        {
            // A stop leaves the directories this run created with their final mode and mtime (not
            // the private 0700 they are made with), partly filled: the next run completes them.
            metadata.Run(plan, dstRoot, CancellationToken.None, createdOnly: true);
            throw;
        }

        Volatile.Write(ref progress.PhaseField, (int)MirrorPhase.Finishing);
        metadata.Run(plan, dstRoot, cancellationToken);
    }
}
