using Blit.Errors;
using Blit.Mirror;
using Blit.Tests.Support;

namespace Blit.Tests.Reliability;

/// <summary>
/// Issue 7, item 3: source entries that vanish, grow, shrink or change while a mirror runs.
/// Each is reported, its destination entry keeps its previous version (never deleted, never
/// stamped with the source's old mtime), and the rest of the run completes.
/// </summary>
public sealed class SourceFaultTests
{
    private static (MirrorResult Result, RecordingListener Listener) Run(TempTree box, FaultInjectingFileSystem? fs = null,
        Action? betweenScanAndCopy = null)
    {
        var listener = new RecordingListener();
        using MirrorSession session = box.Prepare(fs, listener);
        betweenScanAndCopy?.Invoke();
        return (session.Execute(), listener);
    }

    /// <summary>Old destination, then a source where every file changed and one destination file is extraneous.</summary>
    private static void OldMirrorThenChanges(TempTree box, params string[] names)
    {
        foreach (string name in names)
        {
            Tree.Write(box.Src(name), "old " + name, Tree.OldTime);
        }
        MirrorEngine.Run(box.Options());
        foreach (string name in names)
        {
            Tree.Write(box.Src(name), "new version of " + name);
        }
        Tree.Write(box.Dst("extra.txt"), "extraneous");
    }

    [Fact]
    public void File_deleted_between_scan_and_copy_is_reported_and_its_destination_kept()
    {
        using var box = new TempTree();
        OldMirrorThenChanges(box, "a.txt", "b.txt", "c.txt");

        var (result, listener) = Run(box, betweenScanAndCopy: () => File.Delete(box.Src("b.txt")));

        BlitError error = Assert.Single(listener.NonWarnings);
        Assert.Equal(BlitErrorCode.SourceVanished, error.Code);
        Assert.Equal(box.Src("b.txt"), error.Path);
        Assert.Equal("old b.txt", File.ReadAllText(box.Dst("b.txt")));
        Assert.Equal("new version of a.txt", File.ReadAllText(box.Dst("a.txt")));
        Assert.Equal("new version of c.txt", File.ReadAllText(box.Dst("c.txt")));
        Assert.False(File.Exists(box.Dst("extra.txt")), "the scan was complete: extraneous entries go");
        Assert.Equal(1, result.Errors);
        Assert.Empty(Tree.TempFiles(box.Destination));

        // The next run mirrors the source as it now is.
        var (next, nextListener) = Run(box);
        Assert.Empty(nextListener.Errors);
        Assert.Equal(0, next.Errors);
        Tree.AssertSameTree(box.Source, box.Destination);
    }

    [Fact]
    public void Directory_deleted_between_scan_and_copy_is_reported_and_its_destination_kept()
    {
        using var box = new TempTree();
        OldMirrorThenChanges(box, "sub/x.txt", "sub/y.txt", "top.txt");

        var (result, listener) = Run(box, betweenScanAndCopy: () => Directory.Delete(box.Src("sub"), recursive: true));

        Assert.NotEmpty(listener.NonWarnings);
        Assert.All(listener.NonWarnings, e => Assert.Contains("sub", e.Path!, StringComparison.Ordinal));
        Assert.Contains(listener.NonWarnings, e => e.Message.Contains("x.txt", StringComparison.Ordinal));
        Assert.Equal("old sub/x.txt", File.ReadAllText(box.Dst("sub/x.txt")));
        Assert.Equal("old sub/y.txt", File.ReadAllText(box.Dst("sub/y.txt")));
        Assert.Equal("new version of top.txt", File.ReadAllText(box.Dst("top.txt")));
        Assert.True(result.Errors > 0);
        Assert.Empty(Tree.TempFiles(box.Destination));
    }

    /// <summary>
    /// Issue 13.8: a directory that vanishes during the scan is gone, not unreadable: a warning,
    /// and the mirror still deletes (as rsync does, exit 24), its destination copy included.
    /// </summary>
    [Fact]
    public void Directory_that_vanishes_during_the_scan_is_a_warning_and_deletions_still_run()
    {
        using var box = new TempTree();
        OldMirrorThenChanges(box, "keep/k.txt", "gone-before-open/a.txt", "gone-before-read/b.txt");
        var fs = new FaultInjectingFileSystem
        {
            // One removed just before the scan opens it, one after it is open and before it is listed.
            BeforeOpenDirectory = path =>
            {
                if (path == box.Src("gone-before-open"))
                {
                    Directory.Delete(path, recursive: true);
                }
            },
            BeforeReadDirectory = path =>
            {
                if (path == box.Src("gone-before-read"))
                {
                    Directory.Delete(path, recursive: true);
                }
            },
        };

        var (result, listener) = Run(box, fs);

        Assert.Empty(listener.NonWarnings);
        Assert.Equal(0, result.Errors);
        Assert.False(result.DeletionSkipped);
        Assert.Equal(2, result.EntriesVanished);
        Assert.Equal([box.Src("gone-before-open"), box.Src("gone-before-read")],
            listener.Errors.Where(e => e.Code == BlitErrorCode.SourceVanished).Select(e => e.Path!).Order(StringComparer.Ordinal));
        Assert.All(listener.Errors, e => Assert.True(e.IsWarning));
        Assert.False(File.Exists(box.Dst("extra.txt")), "the scan was complete: extraneous entries go");
        Assert.False(Directory.Exists(box.Dst("gone-before-open")));
        Assert.False(Directory.Exists(box.Dst("gone-before-read")));
        Assert.Equal("new version of keep/k.txt", File.ReadAllText(box.Dst("keep/k.txt")));
        // The source root changed while it was scanned (its mtime); everything below it matches.
        var source = Tree.Snapshot(box.Source);
        var dest = Tree.Snapshot(box.Destination);
        source.Remove("");
        dest.Remove("");
        Assert.Equal(source, dest);
    }

    [Fact]
    public void File_that_grows_between_scan_and_copy_keeps_its_old_version_and_is_copied_next_run()
    {
        using var box = new TempTree();
        OldMirrorThenChanges(box, "grow.txt", "other.txt");
        DateTime oldDestMtime = File.GetLastWriteTimeUtc(box.Dst("grow.txt"));

        var (result, listener) = Run(box, betweenScanAndCopy: () => File.AppendAllText(box.Src("grow.txt"), " and more"));

        BlitError error = Assert.Single(listener.NonWarnings);
        Assert.Equal(BlitErrorCode.SourceChanged, error.Code);
        Assert.Equal(box.Src("grow.txt"), error.Path);
        Assert.Equal("old grow.txt", File.ReadAllText(box.Dst("grow.txt")));
        Assert.Equal(oldDestMtime, File.GetLastWriteTimeUtc(box.Dst("grow.txt")));
        Assert.Equal("new version of other.txt", File.ReadAllText(box.Dst("other.txt")));
        Assert.Equal(1, result.Errors);
        Assert.Empty(Tree.TempFiles(box.Destination));

        var (next, _) = Run(box);
        Assert.Equal(1, next.FilesUpdated);
        Assert.Equal("new version of grow.txt and more", File.ReadAllText(box.Dst("grow.txt")));
        Tree.AssertSameTree(box.Source, box.Destination);
    }

    public static TheoryData<string> ChangesDuringCopy => ["grow", "shrink", "rewrite-same-size"];

    [Theory]
    [MemberData(nameof(ChangesDuringCopy))]
    public void File_that_changes_while_copied_keeps_its_old_version_and_is_copied_next_run(string change)
    {
        using var box = new TempTree();
        OldMirrorThenChanges(box, "busy.txt", "calm.txt");
        DateTime scannedMtime = File.GetLastWriteTimeUtc(box.Src("busy.txt"));
        var fs = new FaultInjectingFileSystem();
        bool changed = false;
        fs.OnCopyProgress = (source, _) =>
        {
            if (source == box.Src("busy.txt") && !changed)
            {
                changed = true;
                string path = box.Src("busy.txt");
                switch (change)
                {
                    case "grow": File.AppendAllText(path, " plus a tail"); break;
                    case "shrink": using (var f = File.OpenWrite(path)) { f.SetLength(3); } break;
                    default:
                        File.WriteAllText(path, "NEW VERSION OF BUSY.TXT");
                        File.SetLastWriteTimeUtc(path, scannedMtime.AddSeconds(7));
                        break;
                }
            }
        };

        var (result, listener) = Run(box, fs);

        Assert.True(changed, "the hook ran during the copy");
        BlitError error = Assert.Single(listener.NonWarnings);
        Assert.Equal(BlitErrorCode.SourceChanged, error.Code);
        Assert.Equal(box.Src("busy.txt"), error.Path);
        Assert.Equal("old busy.txt", File.ReadAllText(box.Dst("busy.txt")));
        Assert.NotEqual(scannedMtime, File.GetLastWriteTimeUtc(box.Dst("busy.txt")));
        Assert.Equal("new version of calm.txt", File.ReadAllText(box.Dst("calm.txt")));
        Assert.Equal(1, result.Errors);
        Assert.Empty(Tree.TempFiles(box.Destination));

        var (next, nextListener) = Run(box);
        Assert.Empty(nextListener.Errors);
        Assert.Equal(1, next.FilesUpdated);
        Tree.AssertSameTree(box.Source, box.Destination);
    }

    [Fact]
    public void Large_file_that_shrinks_between_copy_chunks_is_reported_and_leaves_no_partial_file()
    {
        // 80 MiB: the kernel copy goes in 64 MiB chunks, so the second chunk meets the shorter file.
        using var box = new TempTree();
        Tree.Write(box.Src("big.bin"), "old", Tree.OldTime);
        MirrorEngine.Run(box.Options());
        Tree.WriteLarge(box.Src("big.bin"), 80L << 20, seed: 1);
        var fs = new FaultInjectingFileSystem();
        int reports = 0;
        fs.OnCopyProgress = (source, done) =>
        {
            if (reports++ == 0 && done < (80L << 20))
            {
                // Another program shrinks it (a .NET writer in this process would meet .NET's own
                // advisory lock on the file the portable backend reads).
                Blit.Tests.Support.Tree.Run("truncate", "-s", done.ToString(System.Globalization.CultureInfo.InvariantCulture), source);
            }
        };

        var (_, listener) = Run(box, fs);

        BlitError error = Assert.Single(listener.NonWarnings);
        Assert.True(error.Code == BlitErrorCode.SourceChanged, error.Message);
        Assert.Equal("old", File.ReadAllText(box.Dst("big.bin")));
        Assert.Empty(Tree.TempFiles(box.Destination));
    }

    [Fact]
    public void File_replaced_by_a_symlink_between_scan_and_copy_is_not_followed()
    {
        using var box = new TempTree();
        OldMirrorThenChanges(box, "f.txt", "g.txt");
        Tree.Write(Path.Combine(box.Outside, "secret.txt"), "outside content");

        var (result, listener) = Run(box, betweenScanAndCopy: () =>
        {
            File.Delete(box.Src("f.txt"));
            File.CreateSymbolicLink(box.Src("f.txt"), Path.Combine(box.Outside, "secret.txt"));
        });

        BlitError error = Assert.Single(listener.NonWarnings);
        Assert.Equal(box.Src("f.txt"), error.Path);
        Assert.Equal(BlitErrorCode.SourceChanged, error.Code);
        Assert.Equal("old f.txt", File.ReadAllText(box.Dst("f.txt")));
        Assert.Equal("new version of g.txt", File.ReadAllText(box.Dst("g.txt")));
        Assert.Equal(1, result.Errors);
    }

    /// <summary>Swaps the source file for a FIFO nobody writes to: opening it for reading would block for good.</summary>
    private static void SwapForFifo(string path)
    {
        File.Delete(path);
        Blit.Tests.Support.Tree.MkFifo(path);
    }

    /// <summary>Runs <paramref name="run"/> with a deadline; a worker stuck opening a FIFO is released by a writer.</summary>
    private static T WithinDeadline<T>(Func<T> run, params string[] fifos)
    {
        Task<T> task = Task.Run(run);
        if (!task.Wait(TimeSpan.FromSeconds(30)))
        {
            foreach (string fifo in fifos)
            {
                using var writer = new FileStream(fifo, FileMode.Open, FileAccess.Write); // lets a blocked open() return
            }
            task.Wait(TimeSpan.FromSeconds(30));
            Assert.Fail("the mirror blocked opening a FIFO that replaced a source file");
        }
        return task.Result;
    }

    /// <summary>Issue 13.7: a FIFO swapped in for a source file is detected, never waited on.</summary>
    [Fact]
    public void File_replaced_by_a_FIFO_between_scan_and_copy_never_blocks_the_mirror()
    {
        using var box = new TempTree();
        OldMirrorThenChanges(box, "f.txt", "g.txt");
        Tree.Write(box.Src("new.txt"), "a new file");

        var listener = new RecordingListener();
        using MirrorSession session = box.Prepare(null, listener);
        SwapForFifo(box.Src("f.txt"));
        SwapForFifo(box.Src("new.txt"));
        MirrorResult result = WithinDeadline(() => session.Execute(), box.Src("f.txt"), box.Src("new.txt"));

        Assert.Equal(2, result.Errors);
        Assert.All(listener.NonWarnings, e => Assert.Equal(BlitErrorCode.SourceChanged, e.Code));
        Assert.Equal([box.Src("f.txt"), box.Src("new.txt")], listener.NonWarnings.Select(e => e.Path!).Order(StringComparer.Ordinal));
        Assert.Equal("old f.txt", File.ReadAllText(box.Dst("f.txt")));
        Assert.False(File.Exists(box.Dst("new.txt")));
        Assert.Equal("new version of g.txt", File.ReadAllText(box.Dst("g.txt")));
        Assert.Empty(Tree.TempFiles(box.Destination));
    }

    [Fact]
    public void File_replaced_by_a_FIFO_before_a_checksum_comparison_never_blocks_the_mirror()
    {
        using var box = new TempTree();
        Tree.Write(box.Src("f.txt"), "same size A", Tree.OldTime);
        Tree.Write(box.Src("g.txt"), "unchanged", Tree.OldTime);
        MirrorEngine.Run(box.Options());
        Tree.Write(box.Src("f.txt"), "same size B", Tree.OldTime);
        var fs = new FaultInjectingFileSystem { BeforeCompare = source => SwapForFifo(source) };
        var listener = new RecordingListener();
        MirrorOptions options = new() { Source = box.Source, Destination = box.Destination, Checksum = true };

        MirrorResult result = WithinDeadline(() =>
        {
            using MirrorSession session = MirrorEngine.Prepare(options, listener, null, default, fs);
            return session.Execute();
        }, box.Src("f.txt"));

        Assert.NotEmpty(listener.NonWarnings);
        Assert.True(result.Errors > 0);
        Assert.Equal("same size A", File.ReadAllText(box.Dst("f.txt")));
        Assert.Empty(Tree.TempFiles(box.Destination));
    }
}
