using Blit.Errors;
using Blit.Planning;
using Blit.Platform;

namespace Blit.Execution;

/// <summary>
/// Phase 4, bottom-up: sets the mode, owner and mtime of every directory that differs from the
/// source or that the run changed, after its contents, so they cannot disturb the mtimes.
/// </summary>
internal sealed class MetadataPhase(RunContext run)
{
    /// <param name="plan">The plan.</param>
    /// <param name="dstRoot">The destination root.</param>
    /// <param name="cancellationToken">Stops the phase.</param>
    /// <param name="createdOnly">After a stop: only the directories this run created (and published),
    /// so they keep their final mode and mtime, not the private 0700 they are made with.</param>
    public void Run(MirrorPlan plan, DirHandle dstRoot, CancellationToken cancellationToken, bool createdOnly = false)
    {
        for (int i = plan.Directories.Count - 1; i >= 0; i--)
        {
            cancellationToken.ThrowIfCancellationRequested();
            DirOp op = plan.Directories[i];
            DirState state = run[op];
            if (run.IsAbandoned(op) || op.MetadataDeclined || !(op.MetadataDiffers || state.Touched || state.Created) ||
                (createdOnly && (!state.Created || state.StagedName is not null)))
            {
                continue;
            }
            try
            {
                if (op.Parent is null)
                {
                    run.Fs.SetMetadata(dstRoot, op.Source);
                }
                else
                {
                    using DirHandle parent = run.Open(dstRoot, op.Parent.RelativePath);
                    run.Fs.SetMetadata(parent, op.Name, op.Source);
                }
                if (op.MetadataDiffers && !state.Created)
                {
                    Interlocked.Increment(ref run.Counters.MetadataUpdated);
                    run.Emit(MirrorAction.UpdateMetadata, op.RelativePath, EntryKind.Directory, 0);
                }
            }
            catch (IOException ex)
            {
                bool appendOnly = ex is NativeIOException { IsPermissionDenied: true } && IsAppendOnly(dstRoot, op);
                run.Report(BlitErrorCode.MetadataFailed, appendOnly
                        ? $"Cannot set directory metadata: the directory is append-only (chattr +a), which keeps its mode, owner and mtime as they are: {ex.Message}"
                        : $"Cannot set directory metadata: {ex.Message}",
                    run.Display(op.RelativePath), ex, warning: appendOnly);
            }
        }
    }

    /// <summary>True when the destination directory of <paramref name="op"/> is append-only (asked after a failure).</summary>
    private bool IsAppendOnly(DirHandle dstRoot, DirOp op)
    {
        try
        {
            using DirHandle dir = run.Open(dstRoot, op.RelativePath);
            return run.Restriction(dir, op) == DirectoryRestriction.AppendOnly;
        }
        catch (IOException)
        {
            return false;
        }
    }
}
