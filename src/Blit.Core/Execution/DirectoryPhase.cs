using Blit.Errors;
using Blit.Planning;
using Blit.Platform;

namespace Blit.Execution;

/// <summary>
/// Phase 1, top-down: creates the new directories (a new tree within the staging bounds under a
/// temp name), replaces what stands where a directory belongs, and renames directories whose name
/// differs only by the destination's rule.
/// </summary>
internal sealed class DirectoryPhase(RunContext run, EntryRemover remover)
{
    /// <param name="plan">The plan.</param>
    /// <param name="dstRoot">The destination root.</param>
    /// <param name="mayStage">By directory index: the plan allows staging it (<see cref="StagingPlanner.MayStage"/>).</param>
    /// <param name="cancellationToken">Stops the phase.</param>
    public void Run(MirrorPlan plan, DirHandle dstRoot, bool[] mayStage, CancellationToken cancellationToken)
    {
        IMirrorFileSystem fs = run.Fs;
        // Pre-order walk keeping the chain of open ancestors, so each mkdir is one call.
        var chain = new Stack<(DirOp Op, DirHandle Handle)>();
        chain.Push((plan.Directories[0], fs.OpenDirectory(dstRoot, ".")));
        try
        {
            for (int i = 1; i < plan.Directories.Count; i++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                DirOp op = plan.Directories[i];
                while (chain.Count > 1 && !IsAncestor(chain.Peek().Op, op))
                {
                    chain.Pop().Handle.Dispose();
                }
                if (!ReferenceEquals(chain.Peek().Op, op.Parent))
                {
                    continue; // the parent failed, was declined or is unreadable: nothing below it
                }
                DirHandle parent = chain.Peek().Handle;
                if (run.IsAbandoned(op))
                {
                    continue;
                }
                DirState state = run[op];
                DirState parentState = run[op.Parent!];
                try
                {
                    if (op.NeedsCreate)
                    {
                        if (op.DestKind is not null && run.WriteFailed)
                        {
                            state.Failed = true; // replacing the entry deletes it: not after a disk-full
                            continue;
                        }
                        if (op.DestKind is not null)
                        {
                            remover.RemoveEntry(parent, op.Parent!, op.Name, op.DestKind.Value);
                        }
                        // Not in an append-only parent: the staged tree could not be renamed into place there.
                        bool stage = mayStage[op.Index] && !parentState.InStagedTree &&
                                     run.Restriction(parent, op.Parent!) != DirectoryRestriction.AppendOnly;
                        // A new tree is built under a temp name and renamed into place when its
                        // files are written, so they can be created under their own names (no
                        // O_TMPFILE orphan bookkeeping, no link per file) and still never be seen
                        // incomplete. Only trees up to the bounds: a killed run's staged trees
                        // are removed by the next run, which must not redo unbounded work.
                        string diskName = stage ? TempName.New() : op.Name;
                        run.Writes.Run(parent, null, parentState, (fs, parent, diskName),
                            static s => s.fs.CreateDirectory(s.parent, s.diskName));
                        if (stage)
                        {
                            state.StagedName = diskName;
                        }
                        state.InStagedTree = stage || parentState.InStagedTree;
                        state.DiskPath = state.InStagedTree ? RelativePath.Join(run.DiskPath(op.Parent!), diskName) : null;
                        state.Created = true;
                        parentState.Touched = true;
                        Interlocked.Increment(ref run.Counters.DirectoriesCreated);
                        run.Emit(MirrorAction.CreateDirectory, op.RelativePath, EntryKind.Directory, 0);
                    }
                    else if (op.DestName is not null)
                    {
                        run.Writes.Run(parent, op.DestName, parentState, (fs, parent, op.DestName, op.Name),
                            static s => s.fs.Rename(s.parent, s.DestName, s.Name));
                        parentState.Touched = true;
                        Interlocked.Increment(ref run.Counters.Renamed);
                        run.Emit(MirrorAction.Rename, op.RelativePath, EntryKind.Directory, 0);
                    }
                    if (op.SourceReadable)
                    {
                        DirHandle child = fs.OpenDirectory(parent, state.StagedName ?? op.Name);
                        chain.Push((op, state.StagedName is null ? child : child.Relabel(run.Display(op.RelativePath))));
                    }
                }
                catch (Exception ex) when (ex is IOException or BlitException)
                {
                    state.Failed = true; // nothing below it can be written
                    bool full = run.NoteDiskFull(ex);
                    run.Report(full ? BlitErrorCode.DiskFull : BlitErrorCode.CreateFailed,
                        $"Cannot create directory: {ex.Message}", run.Display(op.RelativePath), ex);
                }
            }
        }
        finally
        {
            while (chain.Count > 0)
            {
                chain.Pop().Handle.Dispose();
            }
        }
    }

    private static bool IsAncestor(DirOp candidate, DirOp op)
    {
        for (DirOp? d = op.Parent; d is not null; d = d.Parent)
        {
            if (ReferenceEquals(d, candidate))
            {
                return true;
            }
        }
        return false;
    }
}
