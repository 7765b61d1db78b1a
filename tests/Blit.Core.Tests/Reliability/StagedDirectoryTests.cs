using Blit.Errors;
using Blit.Planning;
using Blit.Mirror;
using Blit.Platform;
using Blit.Tests.Support;

namespace Blit.Tests.Reliability;

/// <summary>
/// A directory that is new to the destination is built under a temp name (its files written
/// under their own names inside it) and renamed into place once its entries are written. These
/// tests hold the promise that makes that safe: nobody sees the tree before it is complete, a
/// file that fails or is cancelled mid-copy is removed, a name taken meanwhile is left alone,
/// and a staged tree left by a killed run is removed by the next one.
/// </summary>
public sealed class StagedDirectoryTests
{
    [Fact]
    public void A_new_directory_is_hidden_under_a_temp_name_until_its_files_are_written()
    {
        using var box = new TempTree();
        Tree.Write(box.Src("top.txt"), "top");
        Tree.Write(box.Src("new/a.txt"), "a", Tree.OldTime);
        Tree.Write(box.Src("new/sub/b.txt"), "b", Tree.OldTime);
        Tree.Write(box.Src("new/sub/deeper/c.txt"), "c");
        Directory.CreateDirectory(box.Destination);

        var fs = new FaultInjectingFileSystem();
        bool? finalNameVisible = null;
        List<(string Path, bool IsDirectory)> tempsDuringCopy = [];
        fs.BeforeCopy = source =>
        {
            if (source.EndsWith("/new/sub/b.txt", StringComparison.Ordinal))
            {
                finalNameVisible = Directory.Exists(box.Dst("new"));
                tempsDuringCopy.AddRange(Tree.TempFiles(box.Destination).Select(p => (p, Directory.Exists(p))));
            }
        };
        var listener = new RecordingListener();
        MirrorResult result = box.Run(fs, listener, throttle: 1);

        Assert.Empty(listener.Errors);
        Assert.False(finalNameVisible, "the new tree must not be visible under its name while it is written");
        // One staged directory at the top of the new tree; the directories inside it have their own names.
        var staged = Assert.Single(tempsDuringCopy);
        Assert.True(staged.IsDirectory);
        Assert.Equal(box.Destination, Path.GetDirectoryName(staged.Path));
        Assert.Equal(4, result.FilesCopied);
        Assert.Equal(3, result.DirectoriesCreated);
        Assert.Empty(Tree.TempFiles(box.Destination));
        Tree.AssertSameTree(box.Source, box.Destination); // modes and mtimes too, directories included
    }

    [Fact]
    public void Files_in_a_new_directory_are_written_under_their_names_and_files_in_an_existing_one_unnamed()
    {
        using var box = new TempTree();
        Tree.Write(box.Src("old/x.txt"), "x");
        MirrorEngine.Run(box.Options());
        Tree.Write(box.Src("old/y.txt"), "y");
        Tree.Write(box.Src("new/z.txt"), "z");

        var fs = new FaultInjectingFileSystem();
        Assert.Equal(2, box.Run(fs).FilesCopied);

        Assert.Contains("CopyNewFile y.txt", fs.CopyCalls);  // existing directory: O_TMPFILE, linked when complete
        Assert.Contains("CopyFile z.txt->z.txt", fs.CopyCalls); // staged directory: its own name
        Tree.AssertSameTree(box.Source, box.Destination);
    }

    [Fact]
    public void Each_new_tree_is_published_as_soon_as_its_files_are_written()
    {
        using var box = new TempTree();
        Tree.Write(box.Src("first/big.bin"), new byte[64 << 10]); // more bytes: its batch runs first
        Tree.Write(box.Src("second/small.txt"), "s");
        Directory.CreateDirectory(box.Destination);

        var fs = new FaultInjectingFileSystem();
        bool? firstVisible = null, secondVisible = null;
        fs.BeforeCopy = source =>
        {
            if (source.EndsWith("/second/small.txt", StringComparison.Ordinal))
            {
                firstVisible = Directory.Exists(box.Dst("first"));
                secondVisible = Directory.Exists(box.Dst("second"));
            }
        };
        var listener = new RecordingListener();
        box.Run(fs, listener, throttle: 1);

        Assert.Empty(listener.Errors);
        Assert.True(firstVisible, "the finished tree is published while the run goes on");
        Assert.False(secondVisible);
        Tree.AssertSameTree(box.Source, box.Destination);
    }

    [Fact]
    public void A_new_tree_over_the_staging_bound_is_created_in_place_and_its_small_subtrees_staged()
    {
        using var box = new TempTree();
        int direct = StagingPlanner.StageMaxEntries + 1; // the tree "big" is over the bound by its own files
        for (int i = 0; i < direct; i++)
        {
            Tree.Write(box.Src($"big/f{i:00000}"), "x");
        }
        Tree.Write(box.Src("big/small/inner.txt"), "inner");
        Directory.CreateDirectory(box.Destination);

        var fs = new FaultInjectingFileSystem();
        Assert.Equal(direct + 1, box.Run(fs).FilesCopied);

        Assert.Contains("CopyNewFile f00000", fs.CopyCalls);             // in place: each file unnamed until complete
        Assert.Contains("CopyFile inner.txt->inner.txt", fs.CopyCalls);  // big/small is small enough to stage
        Assert.DoesNotContain(fs.CopyCalls, c => c.StartsWith("CopyFile f", StringComparison.Ordinal));
        Assert.Empty(Tree.TempFiles(box.Destination));
        Tree.AssertSameTree(box.Source, box.Destination);
    }

    [Fact]
    public void A_file_that_fails_in_a_new_directory_leaves_no_partial_file_and_the_rest_is_published()
    {
        using var box = new TempTree();
        Tree.Write(box.Src("new/ok.txt"), "ok");
        Tree.WriteLarge(box.Src("new/grows.bin"), 3 << 20, seed: 5);

        var fs = new FaultInjectingFileSystem();
        fs.OnCopyProgress = (source, done) =>
        {
            if (source.EndsWith("/grows.bin", StringComparison.Ordinal))
            {
                using var s = new FileStream(box.Src("new/grows.bin"), FileMode.Append);
                s.WriteByte(1); // the source grows while it is copied: SourceChanged after the data is in
            }
        };
        var listener = new RecordingListener();
        MirrorResult result = box.Run(fs, listener);

        BlitError error = Assert.Single(listener.NonWarnings);
        Assert.Equal(BlitErrorCode.SourceChanged, error.Code);
        Assert.False(File.Exists(box.Dst("new/grows.bin")), "the partial file was removed, not published");
        Assert.Equal("ok", File.ReadAllText(box.Dst("new/ok.txt")));
        Assert.Empty(Tree.TempFiles(box.Destination));
        Assert.Equal(1, result.FilesCopied);

        Assert.Equal(0, MirrorEngine.Run(box.Options()).Errors);
        Tree.AssertSameTree(box.Source, box.Destination);
    }

    [Fact]
    public void Cancel_while_a_new_directory_is_filled_publishes_only_complete_files_and_no_temp()
    {
        using var box = new TempTree();
        byte[] bigHash = Tree.WriteLarge(box.Src("new/big.bin"), 80L << 20, seed: 3); // two 64 MiB chunks
        for (int i = 0; i < 50; i++)
        {
            Tree.Write(box.Src($"new/f{i:00}.txt"), $"file {i}");
        }

        using var cts = new CancellationTokenSource();
        var fs = new FaultInjectingFileSystem();
        long doneWhenCancelled = -1;
        fs.OnCopyProgress = (source, done) =>
        {
            if (source.EndsWith("/big.bin", StringComparison.Ordinal) && doneWhenCancelled < 0)
            {
                doneWhenCancelled = done;
                cts.Cancel();
            }
        };
        using (MirrorSession session = box.Prepare(fs, new RecordingListener()))
        {
            Assert.ThrowsAny<OperationCanceledException>(() => session.Execute(cts.Token));
        }

        Assert.InRange(doneWhenCancelled, 1, (80L << 20) - 1); // really in the middle of big.bin
        Assert.True(Directory.Exists(box.Dst("new")), "what was written is published under the final name");
        Assert.False(File.Exists(box.Dst("new/big.bin")), "the interrupted file is removed");
        foreach (string file in Directory.GetFiles(box.Dst("new")))
        {
            Assert.Equal(File.ReadAllBytes(Path.Combine(box.Src("new"), Path.GetFileName(file))), File.ReadAllBytes(file));
        }
        Assert.Empty(Tree.TempFiles(box.Destination));

        Assert.Equal(0, MirrorEngine.Run(box.Options()).Errors);
        Assert.Equal(bigHash, Tree.HashFile(box.Dst("new/big.bin")));
        Tree.AssertSameTree(box.Source, box.Destination);
    }

    [Fact]
    public void A_name_taken_while_the_new_directory_was_filled_is_left_alone_and_the_staged_tree_removed()
    {
        using var box = new TempTree();
        Tree.Write(box.Src("keep.txt"), "keep");
        Tree.Write(box.Src("new/a.txt"), "a");
        Tree.Write(box.Src("new/sub/b.txt"), "b");
        Directory.CreateDirectory(box.Destination);

        var fs = new FaultInjectingFileSystem();
        fs.BeforeCopy = source =>
        {
            if (source.EndsWith("/new/a.txt", StringComparison.Ordinal))
            {
                Tree.Write(box.Dst("new/theirs.txt"), "someone else's"); // appears at the final name meanwhile
            }
        };
        var listener = new RecordingListener();
        MirrorResult result = box.Run(fs, listener, throttle: 1);

        BlitError error = Assert.Single(listener.NonWarnings);
        Assert.Equal(BlitErrorCode.CreateFailed, error.Code);
        Assert.Equal(box.Dst("new"), error.Path);
        Assert.Equal("someone else's", File.ReadAllText(box.Dst("new/theirs.txt")));
        Assert.False(File.Exists(box.Dst("new/a.txt")));
        Assert.Equal("keep", File.ReadAllText(box.Dst("keep.txt")));
        Assert.Empty(Tree.TempFiles(box.Destination));
        Assert.Equal(0, result.FilesDeleted); // removing its own staged tree is not a deletion
        Assert.Equal(0, result.DirectoriesDeleted);

        Assert.Equal(0, MirrorEngine.Run(box.Options()).Errors);
        Tree.AssertSameTree(box.Source, box.Destination);
    }

    [Fact]
    public void Without_rename_flags_a_plain_rename_publishes_and_still_refuses_a_taken_name()
    {
        using var box = new TempTree();
        Tree.Write(box.Src("free/a.txt"), "a");
        Tree.Write(box.Src("taken/b.txt"), "b");
        Directory.CreateDirectory(box.Destination);
        var inner = new LinuxFileSystem(tryRenameFlags: false);
        var fs = new FaultyFileSystem(inner)
        {
            FailCopy = source =>
            {
                if (source.EndsWith("/taken/b.txt", StringComparison.Ordinal))
                {
                    Tree.Write(box.Dst("taken/theirs.txt"), "someone else's"); // a non-empty directory appears
                }
                return false;
            },
        };
        var listener = new RecordingListener();
        using (MirrorSession session = MirrorEngine.Prepare(box.Options(throttle: 1), listener, null, default, fs))
        {
            session.Execute();
        }

        BlitError error = Assert.Single(listener.NonWarnings);
        Assert.Equal(BlitErrorCode.CreateFailed, error.Code);
        Assert.Equal(box.Dst("taken"), error.Path);
        Assert.Equal("a", File.ReadAllText(box.Dst("free/a.txt")));
        Assert.Equal("someone else's", File.ReadAllText(box.Dst("taken/theirs.txt")));
        Assert.False(File.Exists(box.Dst("taken/b.txt")));
        Assert.Empty(Tree.TempFiles(box.Destination));
    }

    [Fact]
    public void A_staged_tree_left_by_a_killed_run_is_removed_even_when_deletions_are_skipped()
    {
        using var box = new TempTree();
        Tree.Write(box.Src("ok/file"), "ok");
        Tree.Write(box.Src("broken/file"), "unreadable");
        Tree.Write(box.Dst("extraneous"), "must survive");
        Tree.Write(box.Dst(".~blit-1a2b-7.tmp/half/written.txt"), "partial");
        Tree.Write(box.Dst(".~blit-1a2b-7.tmp/done.txt"), "done");
        var fs = new FaultyFileSystem(FileSystemFactory.Create()) { FailReadDirectory = p => p.EndsWith("/src/broken", StringComparison.Ordinal) };
        var listener = new RecordingListener();

        MirrorResult result;
        using (MirrorSession session = MirrorEngine.Prepare(box.Options(), listener, null, default, fs))
        {
            result = session.Execute();
        }

        Assert.True(result.DeletionSkipped);
        Assert.True(File.Exists(box.Dst("extraneous")));
        Assert.False(Directory.Exists(box.Dst(".~blit-1a2b-7.tmp")));
        Assert.Empty(Tree.TempFiles(box.Destination));
        Assert.Equal("ok", File.ReadAllText(box.Dst("ok/file")));
    }
}
