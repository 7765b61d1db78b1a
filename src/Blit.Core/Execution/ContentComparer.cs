using Blit.Errors;
using Blit.Mirror;
using Blit.Planning;
using Blit.Platform;

namespace Blit.Execution;

/// <summary>-Checksum: reads same-size files on both sides (read-only) for the planner to settle their actions.</summary>
internal static class ContentComparer
{
    /// <summary>
    /// Compares each entry of <paramref name="compared"/> with its destination counterpart, on
    /// workers: true where the content is equal, null where it could not be compared (reported).
    /// </summary>
    public static bool?[] Compare(IMirrorFileSystem fs, DirHandle srcRoot, DirHandle dstRoot, List<EntryOp> compared,
        string sourceRoot, IMirrorListener? listener, CancellationToken cancellationToken)
    {
        var equal = new bool?[compared.Count];
        var indexes = Enumerable.Range(0, compared.Count).ToList();
        WorkerPool.Run(indexes, WorkerPlanner.ReadWorkers, i =>
        {
            EntryOp op = compared[i];
            try
            {
                using DirHandle src = RelativePath.Open(fs, srcRoot, op.Dir.RelativePath);
                using DirHandle dst = RelativePath.Open(fs, dstRoot, op.Dir.RelativePath);
                equal[i] = fs.ContentEquals(src, op.Name, dst, op.Name, cancellationToken);
            }
            catch (IOException ex)
            {
                equal[i] = null; // cannot compare: copy it
                listener?.OnError(new BlitError(BlitErrorCode.SourceUnreadable,
                    $"Cannot compare contents of '{NameEncoding.Display(op.RelativePath)}': {ex.Message}",
                    RelativePath.Display(sourceRoot, op.RelativePath), Exception: ex));
            }
        }, cancellationToken);
        return equal;
    }
}
