using Blit.Errors;
using Blit.Planning;
using Blit.Platform;

namespace Blit.Execution;

/// <summary>
/// Phase 3, in parallel by directory: deletes the extraneous entries (only when allowed; an
/// interrupted run's temp files always), each directory with its whole tree.
/// </summary>
internal sealed class DeletePhase(RunContext run, EntryRemover remover)
{
    public void Run(MirrorPlan plan, DirHandle dstRoot, bool deleteAll, int workers, CancellationToken cancellationToken)
    {
        var groups = new List<List<DeleteOp>>();
        foreach (var group in plan.Deletions.Where(d => !d.Declined && (deleteAll || d.IsStaleTemp)).GroupBy(d => d.ParentPath))
        {
            groups.Add([.. group]);
        }
        if (groups.Count == 0)
        {
            return;
        }
        WorkerPool.Run(groups, workers, group => DeleteIn(group, dstRoot, cancellationToken), cancellationToken);
    }

    /// <summary>Deletes <paramref name="group"/>, entries of one directory.</summary>
    private void DeleteIn(List<DeleteOp> group, DirHandle dstRoot, CancellationToken cancellationToken)
    {
        DirHandle parent;
        try
        {
            parent = run.Open(dstRoot, group[0].ParentPath);
        }
        catch (IOException ex)
        {
            run.Report(BlitErrorCode.DeleteFailed, $"Cannot open directory to delete from: {ex.Message}",
                run.Display(group[0].ParentPath), ex);
            return;
        }
        using (parent)
        {
            List<string>? permanentTemps = null;
            foreach (DeleteOp del in group)
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (del.IsStaleTemp && del.Parent is not null &&
                    run.Restriction(parent, del.Parent) is DirectoryRestriction.AppendOnly or DirectoryRestriction.Immutable)
                {
                    (permanentTemps ??= []).Add(del.Name);
                    continue;
                }
                try
                {
                    if (del.Parent is not null)
                    {
                        run[del.Parent].Touched = true;
                    }
                    if (del.Kind == EntryKind.Directory)
                    {
                        if (!remover.DeleteTree(parent, del.ParentPath, del.Name))
                        {
                            continue; // what could not be deleted is reported, and the rest went
                        }
                    }
                    else
                    {
                        remover.RemoveEntry(parent, del.Parent, del.Name, del.Kind);
                    }
                    run.Emit(MirrorAction.Delete, del.RelativePath, del.Kind, 0);
                }
                catch (IOException ex)
                {
                    run.Report(BlitErrorCode.DeleteFailed, $"Cannot delete: {ex.Message}", run.Display(del.RelativePath), ex);
                }
            }
            if (permanentTemps is not null)
            {
                // Left by an older Blit or a killed run before the attribute was set: nothing can
                // remove them until it is cleared, so say so once, as a warning, not an error per run.
                string dir = run.Display(group[0].ParentPath);
                run.Report(BlitErrorCode.DeleteFailed,
                    $"Cannot remove {permanentTemps.Count} temp file(s) an earlier run left in '{dir}': the directory is " +
                    $"append-only or immutable (chattr +a/+i); clear the attribute to let Blit remove them: {string.Join(", ", permanentTemps)}",
                    dir, warning: true);
            }
        }
    }
}
