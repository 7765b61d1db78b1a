using Blit.Mirror;
using Blit.Tests.Support;

namespace Blit.Tests.Reliability;

/// <summary>
/// Issue 7, item 4: a destination directory or file swapped for a symlink to somewhere
/// outside the tree while the mirror runs (after the scan saw a real one). The engine never
/// writes, chmods, stamps or deletes through it: the outside tree stays byte for byte and
/// mode for mode as it was.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class DestinationSwapTests
{
    /// <summary>Replaces the destination directory <paramref name="relative"/> with a symlink to the outside tree.</summary>
    private static void SwapForSymlink(TempTree box, string relative)
    {
        string path = box.Dst(relative);
        Directory.Move(path, path + ".moved-away");
        Directory.CreateSymbolicLink(path, box.Outside);
    }

    private static void FillOutside(TempTree box)
    {
        Tree.Write(Path.Combine(box.Outside, "precious.txt"), "outside, must not change", Tree.OldTime);
        Tree.Write(Path.Combine(box.Outside, "a.txt"), "outside a.txt", Tree.OldTime);
        File.SetUnixFileMode(box.Outside, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute |
            UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
        Directory.SetLastWriteTimeUtc(box.Outside, Tree.OldTime);
    }

    [Fact]
    public void Directory_swapped_for_a_symlink_after_the_scan_is_not_written_through()
    {
        using var box = new TempTree();
        FillOutside(box);
        Tree.Write(box.Src("sub/a.txt"), "old a", Tree.OldTime);
        MirrorEngine.Run(box.Options());
        Tree.Write(box.Src("sub/a.txt"), "new a");
        Tree.Write(box.Src("sub/b.txt"), "new b");
        var outsideBefore = Tree.Snapshot(box.Outside);

        var listener = new RecordingListener();
        using (MirrorSession session = MirrorEngine.Prepare(box.Options(), listener))
        {
            SwapForSymlink(box, "sub");
            MirrorResult result = session.Execute();
            Assert.True(result.Errors > 0, "writing below the swapped directory is reported");
        }

        Assert.Equal(outsideBefore, Tree.Snapshot(box.Outside));
    }

    [Fact]
    public void Directory_swapped_for_a_symlink_while_its_files_are_copied_is_not_written_through()
    {
        using var box = new TempTree();
        FillOutside(box);
        for (int i = 0; i < 20; i++)
        {
            Tree.Write(box.Src($"sub/f{i:00}.txt"), $"old {i}", Tree.OldTime);
        }
        MirrorEngine.Run(box.Options());
        for (int i = 0; i < 20; i++)
        {
            Tree.Write(box.Src($"sub/f{i:00}.txt"), $"new {i}");
        }
        var outsideBefore = Tree.Snapshot(box.Outside);

        var fs = new FaultInjectingFileSystem();
        bool swapped = false;
        fs.BeforeCopy = source =>
        {
            if (!swapped && source.EndsWith("f05.txt", StringComparison.Ordinal))
            {
                swapped = true;
                SwapForSymlink(box, "sub");
            }
        };
        box.Run(fs, new RecordingListener(), throttle: 1);

        Assert.True(swapped);
        Assert.Equal(outsideBefore, Tree.Snapshot(box.Outside));
    }

    [Fact]
    public void Directory_swapped_for_a_symlink_before_its_metadata_is_set_is_not_chmodded_through()
    {
        using var box = new TempTree();
        FillOutside(box);
        Tree.Write(box.Src("sub/a.txt"), "a", Tree.OldTime);
        MirrorEngine.Run(box.Options());
        // The source directory's mode and mtime change: the mirror will set them on dst/sub.
        File.SetUnixFileMode(box.Src("sub"), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        Directory.SetLastWriteTimeUtc(box.Src("sub"), new DateTime(2021, 5, 5, 0, 0, 0, DateTimeKind.Utc));
        var outsideBefore = Tree.Snapshot(box.Outside);

        var fs = new FaultInjectingFileSystem();
        bool swapped = false;
        fs.BeforeSetMetadata = path =>
        {
            if (!swapped && path == box.Dst("sub"))
            {
                swapped = true;
                SwapForSymlink(box, "sub");
            }
        };
        box.Run(fs, new RecordingListener());

        Assert.True(swapped);
        Assert.Equal(outsideBefore, Tree.Snapshot(box.Outside));
    }

    [Fact]
    public void File_swapped_for_a_symlink_before_its_metadata_is_fixed_is_not_chmodded_through()
    {
        using var box = new TempTree();
        FillOutside(box);
        Tree.Write(box.Src("f.txt"), "same content", Tree.OldTime);
        MirrorEngine.Run(box.Options());
        File.SetUnixFileMode(box.Src("f.txt"), UnixFileMode.UserRead); // only the mode changes: UpdateMetadata
        string outsideFile = Path.Combine(box.Outside, "precious.txt");
        var outsideBefore = Tree.Snapshot(box.Outside);

        var listener = new RecordingListener();
        using (MirrorSession session = MirrorEngine.Prepare(box.Options(), listener))
        {
            File.Delete(box.Dst("f.txt"));
            File.CreateSymbolicLink(box.Dst("f.txt"), outsideFile);
            session.Execute();
        }

        Assert.Equal(outsideBefore, Tree.Snapshot(box.Outside));
    }

    [Fact]
    public void Extraneous_directory_swapped_for_a_symlink_before_deletion_does_not_delete_the_outside_tree()
    {
        using var box = new TempTree();
        FillOutside(box);
        Tree.Write(box.Src("keep.txt"), "keep");
        Tree.Write(box.Dst("extra/x.txt"), "extra");
        var outsideBefore = Tree.Snapshot(box.Outside);

        using (MirrorSession session = MirrorEngine.Prepare(box.Options(), new RecordingListener()))
        {
            SwapForSymlink(box, "extra");
            session.Execute();
        }

        Assert.Equal(outsideBefore, Tree.Snapshot(box.Outside));
    }
}
