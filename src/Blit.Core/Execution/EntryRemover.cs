using Blit.Errors;
using Blit.Planning;
using Blit.Platform;

namespace Blit.Execution;

/// <summary>
/// Removes destination entries and whole trees, read live, never following a symlink, lifting a
/// write protection where one refuses it: for the deletion phase, and for the entries a new
/// directory, file or link replaces.
/// </summary>
internal sealed class EntryRemover(RunContext run)
{
    /// <summary>Removes a non-directory entry (or a directory tree), making a read-only parent writable if needed.</summary>
    public void RemoveEntry(DirHandle parent, DirOp? parentOp, string name, EntryKind kind)
    {
        if (kind == EntryKind.Directory)
        {
            string parentPath = parentOp?.RelativePath ?? string.Empty;
            if (!DeleteTree(parent, parentPath, name))
            {
                string relative = RelativePath.Join(parentPath, name);
                throw new BlitException(BlitErrorCode.DeleteFailed,
                    $"Cannot delete the directory '{relative}': not everything in it could be deleted.", run.Display(relative));
            }
            return;
        }
        bool madeWritable = false;
        Remove(parent, name, isDirectory: false, ref madeWritable);
        if (madeWritable && parentOp is not null)
        {
            run[parentOp].Touched = true;
        }
        Interlocked.Increment(ref run.Counters.FilesDeleted);
    }

    /// <summary>
    /// Removes an entry; where it is refused, makes <paramref name="dir"/> writable once (once for all
    /// the calls sharing <paramref name="madeWritable"/>) and tries again.
    /// </summary>
    private void Remove(DirHandle dir, string name, bool isDirectory, ref bool madeWritable) =>
        run.Removals.Run(dir, name, touched: null, ref madeWritable, (run.Fs, dir, name, isDirectory),
            static s => s.Fs.Remove(s.dir, s.name, s.isDirectory));

    /// <summary>
    /// Deletes the directory <paramref name="name"/> and everything in it, read live (never
    /// following symlinks). Excluded entries inside are kept, and so is the directory then. An
    /// entry that cannot be deleted is reported, each one, and the rest still goes, as rsync does;
    /// the directories holding it stay. Returns true when the directory is gone.
    /// </summary>
    /// <param name="parent">The open directory holding it.</param>
    /// <param name="parentPath">That directory's path relative to the destination root.</param>
    /// <param name="name">The directory to delete.</param>
    /// <param name="stagedTree">A staged directory of this run: nothing is counted, and what cannot
    /// be removed is a warning (the next run removes it).</param>
    public bool DeleteTree(DirHandle parent, string parentPath, string name, bool stagedTree = false)
    {
        IMirrorFileSystem fs = run.Fs;
        string relative = RelativePath.Join(parentPath, name);
        bool complete = true;
        bool kept = false;
        DirHandle dir;
        TreeEntry[] entries;
        try
        {
            dir = fs.OpenDirectory(parent, name);
        }
        catch (NativeIOException ex) when (ex.IsNotFound)
        {
            return true; // gone already
        }
        catch (IOException ex)
        {
            ReportFailure(relative, ex, stagedTree);
            return false;
        }
        using (dir)
        {
            try
            {
                entries = fs.ReadDirectory(dir, readLinkTargets: false, keep: false);
            }
            catch (IOException ex)
            {
                ReportFailure(relative, ex, stagedTree);
                return false;
            }
            bool madeWritable = false;
            foreach (TreeEntry entry in entries)
            {
                string entryName = entry.Name; // decoded once: a name held as bytes decodes on every read
                string childPath = RelativePath.Join(relative, entryName);
                if (!run.Exclude.IsEmpty && run.Exclude.IsExcluded(childPath, entryName, entry.Kind == EntryKind.Directory))
                {
                    kept = true;
                    continue;
                }
                if (entry.Kind == EntryKind.Directory)
                {
                    complete &= DeleteTree(dir, relative, entryName, stagedTree);
                    continue;
                }
                try
                {
                    Remove(dir, entryName, isDirectory: false, ref madeWritable);
                }
                catch (IOException ex)
                {
                    ReportFailure(childPath, ex, stagedTree);
                    complete = false;
                    continue;
                }
                if (!stagedTree)
                {
                    Interlocked.Increment(ref run.Counters.FilesDeleted);
                }
            }
        }
        if (kept)
        {
            run.Report(BlitErrorCode.DirectoryNotEmpty,
                $"Kept directory '{NameEncoding.Display(relative)}': it holds excluded entries.", run.Display(relative), warning: true);
            return false;
        }
        if (!complete)
        {
            return false; // each entry that stays is reported; its directories stay with it
        }
        try
        {
            bool parentWritable = false;
            Remove(parent, name, isDirectory: true, ref parentWritable);
        }
        catch (IOException ex)
        {
            ReportFailure(relative, ex, stagedTree);
            return false;
        }
        if (!stagedTree)
        {
            Interlocked.Increment(ref run.Counters.DirectoriesDeleted);
        }
        return true;
    }

    private void ReportFailure(string relativePath, IOException ex, bool stagedTree) =>
        run.Report(BlitErrorCode.DeleteFailed,
            stagedTree ? $"Cannot remove a staged directory; the next run removes it: {ex.Message}" : $"Cannot delete: {ex.Message}",
            run.Display(relativePath), ex, warning: stagedTree);
}
