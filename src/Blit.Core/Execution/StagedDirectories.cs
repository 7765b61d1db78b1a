using Blit.Errors;
using Blit.Planning;
using Blit.Platform;

namespace Blit.Execution;

/// <summary>
/// Moves staged directories (see <see cref="DirState.StagedName"/>) into place: each one as soon as
/// its last batch is written, the rest at the end of the copy phase, also when it is cancelled (a
/// staged tree holds only complete entries: a file that fails or is cancelled mid-copy is removed).
/// </summary>
internal sealed class StagedDirectories(RunContext run, EntryRemover remover)
{
    /// <summary>Publishes every staged directory not yet published.</summary>
    public void PublishAll(MirrorPlan plan, DirHandle dstRoot)
    {
        foreach (DirOp op in plan.Directories)
        {
            if (run[op].StagedName is not null)
            {
                Publish(op, dstRoot);
            }
        }
    }

    /// <summary>
    /// Renames the staged directory <paramref name="op"/> to its own name. If the name was taken
    /// meanwhile, that is reported and the staged tree removed: the entry that appeared is left
    /// alone, and the next run copies the tree again.
    /// </summary>
    public void Publish(DirOp op, DirHandle dstRoot)
    {
        DirState state = run[op];
        string staged = state.StagedName!;
        DirHandle parent;
        try
        {
            parent = run.Open(dstRoot, run.DiskPath(op.Parent!)); // never staged itself: its path is stable
        }
        catch (IOException ex)
        {
            state.Failed = true; // its metadata is not set either; the next run removes the staged tree
            state.StagedName = null;
            run.Report(BlitErrorCode.CreateFailed, $"Cannot move the new directory into place: {ex.Message}",
                run.Display(op.RelativePath), ex);
            return;
        }
        using (parent)
        {
            try
            {
                run.Fs.RenameNoReplace(parent, staged, op.Name);
                state.DiskPath = null;
                state.StagedName = null;
            }
            catch (IOException ex)
            {
                state.Failed = true;
                state.StagedName = null;
                run.Report(RunContext.IsDiskFull(ex) ? BlitErrorCode.DiskFull : BlitErrorCode.CreateFailed,
                    $"Cannot move the new directory into place; what was copied into it is removed and the next run copies it again: {ex.Message}",
                    run.Display(op.RelativePath), ex);
                // Nothing in it was in the destination before this run: not a deletion to count, and
                // what cannot be removed is a warning (the next run removes it).
                _ = remover.DeleteTree(parent, run.DiskPath(op.Parent!), staged, stagedTree: true);
            }
        }
    }

    /// <summary>The staged directory that <paramref name="dir"/> is in (or is), or null.</summary>
    public DirOp? StagedRootOf(DirOp dir)
    {
        for (DirOp? d = dir; d is not null && run[d].InStagedTree; d = d.Parent)
        {
            if (run[d].StagedName is not null)
            {
                return d;
            }
        }
        return null;
    }
}
