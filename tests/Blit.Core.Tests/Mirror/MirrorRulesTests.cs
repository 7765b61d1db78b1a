using Blit.Errors;
using Blit.Mirror;
using Blit.Planning;
using Blit.Platform;
using Blit.Tests.Support;

namespace Blit.Tests.Mirror;

/// <summary>One or more tests per rule of DESIGN.md §2, against the real Linux filesystem.</summary>
public sealed class MirrorRulesTests : IDisposable
{
    private readonly TempTree _t = new();

    public void Dispose() => _t.Dispose();

    private void AssertMirrored(Func<string, bool>? ignore = null)
    {
        var diff = Snapshot.Diff(Snapshot.Take(_t.Source), Snapshot.Take(_t.Dest), ignore);
        Assert.True(diff.Count == 0, string.Join('\n', diff));
    }

    [Fact]
    public void Contents_are_mirrored_into_a_missing_destination_created_with_parents()
    {
        TempTree.WriteFile(_t.S("a.txt"), "alpha");
        TempTree.WriteFile(_t.S("sub/deeper/b.txt"), "beta");
        string dest = Path.Combine(_t.Root, "x/y/dst");

        MirrorResult r = _t.Mirror(dest: dest);

        var diff = Snapshot.Diff(Snapshot.Take(_t.Source), Snapshot.Take(dest));
        Assert.Empty(diff);
        Assert.Equal(2, r.FilesCopied);
        Assert.Equal(3, r.DirectoriesCreated); // root, sub, sub/deeper
        Assert.Equal(9, r.BytesCopied);
        Assert.Equal(0, r.Errors);
    }

    [Fact]
    public void A_second_mirror_of_an_unchanged_tree_copies_nothing()
    {
        for (int i = 0; i < 50; i++)
        {
            TempTree.WriteFile(_t.S($"d{i % 5}/f{i}.txt"), new string('x', i));
        }
        TempTree.Symlink(_t.S("link"), "d0/f0.txt");
        _t.Mirror();
        var before = Snapshot.Take(_t.Dest);

        var listener = new RecordingListener();
        MirrorResult r = _t.Mirror(listener: listener);

        Assert.Empty(listener.Items);
        Assert.Equal(0, r.FilesCopied + r.FilesUpdated + r.SymlinksCopied + r.MetadataUpdated + r.DirectoriesCreated);
        Assert.Equal(0, r.BytesCopied);
        Assert.Equal(50, r.FilesUnchanged);
        Assert.Empty(Snapshot.Diff(before, Snapshot.Take(_t.Dest)));
    }

    [Fact]
    public void Quick_check_leaves_same_size_and_mtime_alone_even_with_other_content()
    {
        TempTree.WriteFile(_t.S("f"), "source!", 1_600_000_000, 5);
        TempTree.WriteFile(_t.D("f"), "stale!!", 1_600_000_000, 5);

        MirrorResult r = _t.Mirror();

        Assert.Equal("stale!!", File.ReadAllText(_t.D("f")));
        Assert.Equal(1, r.FilesUnchanged);
        Assert.Equal(0, r.FilesUpdated);
    }

    [Fact]
    public void A_difference_in_nanoseconds_alone_is_a_change()
    {
        TempTree.WriteFile(_t.S("f"), "source!", 1_600_000_000, 123_456_789);
        TempTree.WriteFile(_t.D("f"), "stale!!", 1_600_000_000, 123_456_788);

        MirrorResult r = _t.Mirror();

        Assert.Equal(1, r.FilesUpdated);
        Assert.Equal("source!", File.ReadAllText(_t.D("f")));
        AssertMirrored();
    }

    [Fact]
    public void A_size_difference_is_a_change()
    {
        TempTree.WriteFile(_t.S("f"), "longer content", 1_600_000_000);
        TempTree.WriteFile(_t.D("f"), "short", 1_600_000_000);

        Assert.Equal(1, _t.Mirror().FilesUpdated);
        AssertMirrored();
    }

    [Fact]
    public void Checksum_compares_content_of_same_size_files()
    {
        TempTree.WriteFile(_t.S("changed"), "AAAA", 1_600_000_000, 1);
        TempTree.WriteFile(_t.D("changed"), "BBBB", 1_600_000_000, 1);
        TempTree.WriteFile(_t.S("same-content-other-mtime"), "CCCC", 1_600_000_000, 1);
        TempTree.WriteFile(_t.D("same-content-other-mtime"), "CCCC", 1_500_000_000, 7);
        TempTree.WriteFile(_t.S("identical"), "DDDD", 1_600_000_000, 1);
        TempTree.WriteFile(_t.D("identical"), "DDDD", 1_600_000_000, 1);
        // Equal root metadata, so the only metadata update expected is the file's.
        TempTree.SetMtime(_t.Source, 1_700_000_000, 0);
        TempTree.SetMtime(_t.Dest, 1_700_000_000, 0);
        string inodeBefore = TempTree.Run("stat", "-c", "%i", _t.D("same-content-other-mtime"));

        MirrorResult r = _t.Mirror(checksum: true);

        Assert.Equal(1, r.FilesUpdated);
        Assert.Equal(1, r.MetadataUpdated); // same content: only its mtime is fixed, no copy
        Assert.Equal(1, r.FilesUnchanged);
        Assert.Equal(4, r.BytesCopied);
        Assert.Equal("AAAA", File.ReadAllText(_t.D("changed")));
        AssertMirrored();
        Assert.Equal(inodeBefore, TempTree.Run("stat", "-c", "%i", _t.D("same-content-other-mtime"))); // not rewritten
    }

    [Fact]
    public void Mode_and_nanosecond_mtimes_are_carried_for_files_directories_symlinks_and_the_root()
    {
        TempTree.WriteFile(_t.S("dir/exec.sh"), "#!/bin/sh", 1_234_567_890, 987_654_321);
        TempTree.Chmod(_t.S("dir/exec.sh"), 0x1ED); // 0755
        TempTree.WriteFile(_t.S("private"), "p", 1_111_111_111, 1);
        TempTree.Chmod(_t.S("private"), 0x180); // 0600
        TempTree.WriteFile(_t.S("sticky-dir/f"), "f");
        TempTree.Chmod(_t.S("sticky-dir"), 0x3FF); // 01777
        TempTree.Symlink(_t.S("dir/link"), "exec.sh");
        TempTree.SetMtime(_t.S("dir/link"), 1_000_000_000, 42);
        TempTree.SetMtime(_t.S("dir"), 1_300_000_000, 999_999_999);
        TempTree.SetMtime(_t.S("sticky-dir"), 1_300_000_001, 1);
        TempTree.Chmod(_t.Source, 0x1E8); // 0750
        TempTree.SetMtime(_t.Source, 1_200_000_000, 500);

        _t.Mirror();

        AssertMirrored();
        var root = new LinuxFileSystem().StatRoot(_t.Dest);
        Assert.Equal(0x1E8u, root.Permissions);
        Assert.Equal(500, root.MtimeNsec);
    }

    [Fact]
    public void Owner_and_group_are_carried_when_running_as_root()
    {
        Assert.True(LinuxNative.GetEuid() == 0, "this suite runs as root (CI does); owner rules need it");
        TempTree.WriteFile(_t.S("owned"), "o");
        TempTree.Chown(_t.S("owned"), 1234, 5678);
        Directory.CreateDirectory(_t.S("owned-dir"));
        TempTree.Chown(_t.S("owned-dir"), 4321, 8765);
        TempTree.Symlink(_t.S("owned-link"), "owned");
        TempTree.Chown(_t.S("owned-link"), 1111, 2222);

        _t.Mirror();
        AssertMirrored();

        // A later owner change alone is applied without copying.
        TempTree.Chown(_t.S("owned"), 999, 999);
        MirrorResult r = _t.Mirror();
        Assert.Equal(1, r.MetadataUpdated);
        Assert.Equal(0, r.FilesUpdated);
        AssertMirrored();
    }

    [Fact]
    public void Owner_is_right_in_a_setgid_destination_directory_and_modes_survive_the_umask()
    {
        TempTree.WriteFile(_t.S("dir/root-owned"), "r");
        TempTree.Chown(_t.S("dir/root-owned"), 0, 0);
        TempTree.WriteFile(_t.S("dir/world"), "w");
        TempTree.Chmod(_t.S("dir/world"), 0x1FF); // 0777: the umask would strip it
        TempTree.WriteFile(_t.S("dir/setuid"), "s");
        TempTree.Chown(_t.S("dir/setuid"), 1234, 1234);
        TempTree.Chmod(_t.S("dir/setuid"), 0x9ED); // 04755: chown would clear it
        TempTree.Chown(_t.S("dir"), 0, 0);
        Directory.CreateDirectory(_t.D("dir"));
        TempTree.Chown(_t.D("dir"), 0, 5678);
        TempTree.Chmod(_t.D("dir"), 0x5ED); // 02755: new files would inherit group 5678

        _t.Mirror();

        AssertMirrored();
    }

    [Fact]
    public void Symlinks_are_copied_as_links_and_never_followed_in_the_source()
    {
        string outside = Path.Combine(_t.Root, "outside");
        TempTree.WriteFile(Path.Combine(outside, "secret.txt"), "do not copy");
        TempTree.Symlink(_t.S("to-outside-dir"), outside);
        TempTree.Symlink(_t.S("dangling"), "no/such/target");
        TempTree.Symlink(_t.S("relative"), "../outside/secret.txt");

        MirrorResult r = _t.Mirror();

        Assert.Equal(3, r.SymlinksCopied);
        Assert.Equal(outside, new FileInfo(_t.D("to-outside-dir")).LinkTarget);
        Assert.Equal("no/such/target", new FileInfo(_t.D("dangling")).LinkTarget);
        Assert.False(File.Exists(_t.D("to-outside-dir/secret.txt")) && !new FileInfo(_t.D("to-outside-dir")).Attributes.HasFlag(FileAttributes.ReparsePoint));
        AssertMirrored();
    }

    [Fact]
    public void A_destination_symlink_is_replaced_never_written_through()
    {
        string outside = Path.Combine(_t.Root, "outside");
        TempTree.WriteFile(Path.Combine(outside, "victim.txt"), "precious", 1_000, 0);
        Directory.CreateDirectory(Path.Combine(outside, "victim-dir"));
        var outsideBefore = Snapshot.Take(outside);
        TempTree.WriteFile(_t.S("file"), "new content");
        TempTree.WriteFile(_t.S("dir/inner.txt"), "inner");
        Directory.CreateDirectory(_t.Dest);
        TempTree.Symlink(_t.D("file"), Path.Combine(outside, "victim.txt"));
        TempTree.Symlink(_t.D("dir"), Path.Combine(outside, "victim-dir"));

        _t.Mirror();

        AssertMirrored();
        Assert.Empty(Snapshot.Diff(outsideBefore, Snapshot.Take(outside)));
        Assert.Equal("precious", File.ReadAllText(Path.Combine(outside, "victim.txt")));
    }

    public static TheoryData<string, string> TypeChanges => new()
    {
        { "file", "dir" }, { "dir", "file" }, { "file", "symlink" }, { "symlink", "file" },
        { "dir", "symlink" }, { "symlink", "dir" },
    };

    private static void Make(string path, string kind, string tag)
    {
        switch (kind)
        {
            case "file": TempTree.WriteFile(path, "file " + tag); break;
            case "dir": TempTree.WriteFile(Path.Combine(path, "child-" + tag), "child " + tag); Directory.CreateDirectory(Path.Combine(path, "sub-" + tag, "deep")); break;
            case "symlink": TempTree.Symlink(path, "target-" + tag); break;
        }
    }

    [Theory]
    [MemberData(nameof(TypeChanges))]
    public void Type_changes_are_handled_in_every_direction(string destKind, string sourceKind)
    {
        Make(_t.S("entry"), sourceKind, "src");
        Directory.CreateDirectory(_t.Dest);
        Make(_t.D("entry"), destKind, "dst");

        MirrorResult r = _t.Mirror();

        Assert.Equal(0, r.Errors);
        AssertMirrored();
    }

    [Fact]
    public void Extraneous_entries_are_deleted_including_read_only_ones()
    {
        TempTree.WriteFile(_t.S("keep"), "k");
        TempTree.WriteFile(_t.D("keep"), "k");
        TempTree.WriteFile(_t.D("junk.txt"), "j");
        TempTree.WriteFile(_t.D("readonly.txt"), "r");
        TempTree.Chmod(_t.D("readonly.txt"), 0x124); // 0444
        TempTree.WriteFile(_t.D("tree/a/b/c.txt"), "c");
        TempTree.WriteFile(_t.D("rotree/x.txt"), "x");
        TempTree.Chmod(_t.D("rotree/x.txt"), 0x100);
        TempTree.Chmod(_t.D("rotree"), 0x16D); // 0555
        TempTree.Symlink(_t.D("junk-link"), "/etc");

        MirrorResult r = _t.Mirror();

        AssertMirrored();
        Assert.Equal(5, r.FilesDeleted); // junk, readonly, c.txt, x.txt, junk-link
        Assert.Equal(4, r.DirectoriesDeleted); // tree, a, b, rotree
        Assert.True(File.Exists("/etc/hostname") || Directory.Exists("/etc"));
    }

    /// <summary>Issue 13.9: an entry that cannot be deleted does not stop the rest of its tree going.</summary>
    [Fact]
    public void One_undeletable_entry_does_not_stop_the_deletion_of_the_rest_of_its_tree()
    {
        using var ext4 = new LoopExt4(_t.Root);
        string src = ext4.Path("src");
        string dst = ext4.Path("dst");
        TempTree.WriteFile(Path.Combine(src, "keep.txt"), "keep");
        TempTree.WriteFile(Path.Combine(dst, "keep.txt"), "keep");
        foreach (string name in new[] { "a", "b", "c", "locked/f", "sub/d", "sub/e", "z/y" })
        {
            TempTree.WriteFile(Path.Combine(dst, "old", name), name);
        }
        TempTree.WriteFile(Path.Combine(dst, "old2/x"), "x");
        LoopExt4.Chattr("+i", Path.Combine(dst, "old/b"));      // cannot be removed
        LoopExt4.Chattr("+i", Path.Combine(dst, "old/locked")); // nothing in it can be removed
        var listener = new RecordingListener();

        MirrorResult r = _t.Mirror(source: src, dest: dst, listener: listener);

        Assert.Equal(2, r.Errors);
        Assert.Equal([Path.Combine(dst, "old/b"), Path.Combine(dst, "old/locked/f")],
            listener.Errors.Where(e => !e.IsWarning).Select(e => e.Path!).Order(StringComparer.Ordinal));
        Assert.All(listener.Errors.Where(e => !e.IsWarning), e => Assert.Equal(BlitErrorCode.DeleteFailed, e.Code));
        // Everything else went; the failing entries and their ancestors stay.
        Assert.Equal(["old", "old/b", "old/locked", "old/locked/f"],
            Directory.EnumerateFileSystemEntries(dst, "*", SearchOption.AllDirectories)
                .Select(p => Path.GetRelativePath(dst, p)).Where(p => p != "keep.txt").Order(StringComparer.Ordinal));
        Assert.Equal(6, r.FilesDeleted);       // a c sub/d sub/e z/y old2/x
        Assert.Equal(3, r.DirectoriesDeleted); // sub z old2
    }

    /// <summary>
    /// Issue 13.10: in an append-only directory (chattr +a) entries can be created but not renamed
    /// or removed. Blit adds what is new there, says once per entry what it cannot replace, and
    /// leaves no temp file behind; temp files an earlier run left there are a warning, not an error.
    /// </summary>
    [Fact]
    public void An_append_only_directory_gets_new_entries_and_no_temp_files_and_later_runs_do_not_pile_up_errors()
    {
        using var ext4 = new LoopExt4(_t.Root);
        string src = ext4.Path("src");
        string dst = ext4.Path("dst");
        TempTree.WriteFile(Path.Combine(src, "sub/g"), "old g", 1_600_000_000);
        TempTree.Symlink(Path.Combine(src, "sub/l"), "a");
        _t.Mirror(source: src, dest: dst);
        // Left by an earlier, killed run: a temp file and a staged directory.
        TempTree.WriteFile(Path.Combine(dst, "sub/.~blit-1-2.tmp"), "partial");
        TempTree.WriteFile(Path.Combine(dst, "sub/.~blit-1-3.tmp/n"), "staged");
        LoopExt4.Chattr("+a", Path.Combine(dst, "sub"));
        TempTree.WriteFile(Path.Combine(src, "sub/g"), "new g, another size");
        File.Delete(Path.Combine(src, "sub/l"));
        TempTree.Symlink(Path.Combine(src, "sub/l"), "b");
        TempTree.WriteFile(Path.Combine(src, "sub/new.txt"), "new");
        TempTree.WriteFile(Path.Combine(src, "sub/newdir/n"), "n");
        string[] leftovers = [Path.Combine(dst, "sub/.~blit-1-2.tmp"), Path.Combine(dst, "sub/.~blit-1-3.tmp")];

        for (int run = 1; run <= 2; run++)
        {
            var listener = new RecordingListener();
            MirrorResult r = _t.Mirror(source: src, dest: dst, listener: listener);

            // Only what cannot be done is an error: replacing g and l.
            Assert.Equal([Path.Combine(dst, "sub/g"), Path.Combine(dst, "sub/l")],
                listener.Errors.Where(e => !e.IsWarning).Select(e => e.Path!).Order(StringComparer.Ordinal));
            Assert.All(listener.Errors.Where(e => !e.IsWarning), e => Assert.Equal(BlitErrorCode.CopyFailed, e.Code));
            Assert.Equal(2, r.Errors);
            Assert.Contains(listener.Errors, e => e.IsWarning && e.Message.Contains("append-only", StringComparison.Ordinal) &&
                e.Message.Contains(".~blit-1-2.tmp", StringComparison.Ordinal));
            Assert.Equal("old g", File.ReadAllText(Path.Combine(dst, "sub/g")));
            Assert.Equal("new", File.ReadAllText(Path.Combine(dst, "sub/new.txt")));
            Assert.Equal("n", File.ReadAllText(Path.Combine(dst, "sub/newdir/n")));
            // No temp file but the two left before.
            Assert.Equal(leftovers, Directory.EnumerateFileSystemEntries(dst, ".~blit-*", SearchOption.AllDirectories)
                .Where(p => Path.GetDirectoryName(p) == Path.Combine(dst, "sub")).Order(StringComparer.Ordinal));
            Assert.Equal(["n"], Directory.EnumerateFileSystemEntries(leftovers[1]).Select(Path.GetFileName));
        }
    }

    [Fact]
    public void Excluded_entries_are_neither_copied_nor_deleted()
    {
        TempTree.WriteFile(_t.S("keep.txt"), "k");
        TempTree.WriteFile(_t.S("skip.log"), "s");
        TempTree.WriteFile(_t.S("cache/data"), "d");
        TempTree.WriteFile(_t.S("sub/cache/data"), "d");
        TempTree.WriteFile(_t.D("old.log"), "protected");
        TempTree.WriteFile(_t.D("junk.txt"), "gone");
        TempTree.WriteFile(_t.D("gone-dir/keep-me.log"), "protected inside a deleted tree");
        TempTree.WriteFile(_t.D("gone-dir/other"), "gone");

        var listener = new RecordingListener();
        MirrorResult r = _t.Mirror(exclude: ["*.log", "/cache/"], listener: listener);

        Assert.True(File.Exists(_t.D("keep.txt")));
        Assert.False(File.Exists(_t.D("skip.log")));
        Assert.False(Directory.Exists(_t.D("cache")));
        Assert.True(File.Exists(_t.D("sub/cache/data")), "an anchored pattern matches only at the root");
        Assert.Equal("protected", File.ReadAllText(_t.D("old.log")));
        Assert.False(File.Exists(_t.D("junk.txt")));
        Assert.True(File.Exists(_t.D("gone-dir/keep-me.log")));
        Assert.False(File.Exists(_t.D("gone-dir/other")));
        Assert.Contains(listener.Errors, e => e.Code == BlitErrorCode.DirectoryNotEmpty && e.IsWarning);
        Assert.Equal(0, r.Errors);
    }

    [Fact]
    public void Updates_are_written_to_a_temp_name_and_renamed_never_in_place()
    {
        TempTree.WriteFile(_t.S("f"), "version 2", 2_000_000_000);
        TempTree.WriteFile(_t.D("f"), "version 1", 1_000_000_000);
        // A hard link to the old destination file sees only the old bytes if the update is a rename.
        TempTree.Run("ln", _t.D("f"), Path.Combine(_t.Root, "old-view"));

        _t.Mirror();

        Assert.Equal("version 2", File.ReadAllText(_t.D("f")));
        Assert.Equal("version 1", File.ReadAllText(Path.Combine(_t.Root, "old-view")));
        Assert.DoesNotContain(Directory.GetFiles(_t.Dest), f => Path.GetFileName(f).StartsWith(".~blit-", StringComparison.Ordinal));
    }

    [Fact]
    public void A_large_file_is_copied_exactly()
    {
        // Above the 4 MiB large-file batching threshold, with a tail that is not a whole MiB.
        long size = (40L << 20) + 12345;
        var data = new byte[size];
        new Random(7).NextBytes(data);
        Directory.CreateDirectory(_t.S("big"));
        File.WriteAllBytes(_t.S("big/file.bin"), data);

        MirrorResult r = _t.Mirror();

        Assert.Equal(size, r.BytesCopied);
        Assert.Equal(1, r.FilesKernelCopied + r.FilesCloned);
        AssertMirrored();
    }

    [Fact]
    public void Without_O_TMPFILE_new_files_go_through_a_temp_name_and_a_rename()
    {
        for (int i = 0; i < 20; i++)
        {
            TempTree.WriteFile(_t.S($"d{i % 3}/f{i}"), new string('q', i * 100), 1_600_000_000 + i, i);
        }
        var listener = new RecordingListener();

        using (MirrorSession session = MirrorEngine.Prepare(new MirrorOptions { Source = _t.Source, Destination = _t.Dest },
                   listener, null, default, new LinuxFileSystem(tryClone: true, tryTmpFile: false)))
        {
            Assert.Equal(20, session.Execute().FilesCopied);
        }

        Assert.Empty(listener.Errors);
        AssertMirrored();
        Assert.Empty(Directory.GetFiles(_t.Dest, ".~blit-*", SearchOption.AllDirectories));
    }

    [Fact]
    public void Stale_temp_files_of_an_interrupted_run_are_removed()
    {
        TempTree.WriteFile(_t.S("f"), "f");
        TempTree.WriteFile(_t.D(".~blit-1a2b-3.tmp"), "partial");

        _t.Mirror();

        Assert.False(File.Exists(_t.D(".~blit-1a2b-3.tmp")));
        AssertMirrored();
    }

    [Fact]
    public void Special_files_are_skipped_with_a_warning_and_counted()
    {
        TempTree.MkFifo(_t.S("pipe"));
        TempTree.WriteFile(_t.S("f"), "f");
        var listener = new RecordingListener();

        MirrorResult r = _t.Mirror(listener: listener);

        Assert.Equal(1, r.SpecialFilesSkipped);
        Assert.False(File.Exists(_t.D("pipe")));
        Assert.Contains(listener.Errors, e => e.Code == BlitErrorCode.SpecialFileSkipped && e.IsWarning);
        Assert.Equal(0, r.Errors);
    }

    [Fact]
    public void Reading_the_source_leaves_its_access_times_alone()
    {
        // atime == mtime, so a relatime mount would update the atime on the first read.
        TempTree.WriteFile(_t.S("f"), "content", 1_500_000_000, 0);
        string before = TempTree.Run("stat", "-c", "%X", _t.S("f"));

        _t.Mirror();

        Assert.Equal("content", File.ReadAllText(_t.D("f")));
        Assert.Equal(before, TempTree.Run("stat", "-c", "%X", _t.S("f")));
    }

    [Fact]
    public void Hard_links_are_copied_as_separate_files()
    {
        TempTree.WriteFile(_t.S("a"), "shared");
        TempTree.Run("ln", _t.S("a"), _t.S("b"));

        _t.Mirror();

        File.WriteAllText(_t.D("a"), "changed");
        Assert.Equal("shared", File.ReadAllText(_t.D("b")));
    }

    /// <summary>Issue 13.5: a destination file with other links is replaced, never changed in place.</summary>
    [Fact]
    public void A_hard_linked_destination_file_is_replaced_so_its_other_names_keep_their_metadata()
    {
        // Source: a and b with the same content and mtime but different modes.
        TempTree.WriteFile(_t.S("a"), "same", 1_600_000_000, 5);
        TempTree.WriteFile(_t.S("b"), "same", 1_600_000_000, 5);
        TempTree.Chmod(_t.S("a"), 0x180); // 600
        TempTree.Chmod(_t.S("b"), 0x1A4); // 644
        TempTree.WriteFile(_t.S("c"), "outside", 1_600_000_000, 7);
        TempTree.Chmod(_t.S("c"), 0x184); // 604
        TempTree.SetMtime(_t.Source, 1_600_000_000, 0);
        // Destination: a and b are one inode, and c is a link to a file outside the tree.
        TempTree.WriteFile(_t.D("a"), "same", 1_600_000_000, 5);
        TempTree.Chmod(_t.D("a"), 0x1A4);
        TempTree.Run("ln", _t.D("a"), _t.D("b"));
        string outside = Path.Combine(_t.Root, "outside");
        TempTree.WriteFile(outside, "outside", 1_600_000_000, 7);
        TempTree.Chmod(outside, 0x1A0); // 640
        TempTree.Run("ln", outside, _t.D("c"));
        var outsideBefore = new FileInfo(outside);
        (UnixFileMode mode, DateTime mtime) before = (outsideBefore.UnixFileMode, outsideBefore.LastWriteTimeUtc);

        MirrorResult first = _t.Mirror();

        Assert.Equal(0, first.Errors);
        AssertMirrored();
        var after = new FileInfo(outside);
        Assert.Equal(before, (after.UnixFileMode, after.LastWriteTimeUtc));
        Assert.Equal("outside", File.ReadAllText(outside));
        // And the mirror has settled: a second run finds nothing to do.
        MirrorResult second = _t.Mirror();
        Assert.Equal(0, second.FilesCopied + second.FilesUpdated + second.MetadataUpdated);
        AssertMirrored();
    }

    [Fact]
    public void Deletion_is_skipped_when_the_source_scan_is_incomplete()
    {
        TempTree.WriteFile(_t.S("ok/file"), "ok");
        TempTree.WriteFile(_t.S("broken/file"), "unreadable");
        TempTree.WriteFile(_t.D("extraneous"), "must survive");
        TempTree.WriteFile(_t.D("broken/file"), "must survive too");
        var fs = new FaultyFileSystem(new LinuxFileSystem()) { FailReadDirectory = p => p.EndsWith("/src/broken", StringComparison.Ordinal) };
        var listener = new RecordingListener();

        MirrorResult r;
        using (MirrorSession session = MirrorEngine.Prepare(new MirrorOptions { Source = _t.Source, Destination = _t.Dest },
                   listener, null, default, fs))
        {
            Assert.False(session.SourceScanComplete);
            r = session.Execute();
        }

        Assert.True(r.DeletionSkipped);
        Assert.True(File.Exists(_t.D("extraneous")));
        Assert.Equal("must survive too", File.ReadAllText(_t.D("broken/file")));
        Assert.Equal("ok", File.ReadAllText(_t.D("ok/file")));
        Assert.Contains(listener.Errors, e => e.Code == BlitErrorCode.SourceUnreadable && e.Path!.EndsWith("/broken", StringComparison.Ordinal));
        Assert.Contains(listener.Errors, e => e.Code == BlitErrorCode.DeletionSkipped);
        Assert.True(r.Errors >= 1);
    }

    [Fact]
    public void WhatIf_plans_every_action_and_touches_nothing()
    {
        TempTree.WriteFile(_t.S("new/file"), "n");
        TempTree.WriteFile(_t.S("changed"), "new!", 2_000_000_000);
        TempTree.WriteFile(_t.D("changed"), "old", 1_000_000_000);
        TempTree.WriteFile(_t.D("junk"), "j");
        var before = Snapshot.Take(_t.Root);

        using MirrorSession session = MirrorEngine.Prepare(new MirrorOptions { Source = _t.Source, Destination = _t.Dest });
        IReadOnlyList<PlannedAction> actions = session.GetPlannedActions();
        MirrorResult r = session.WhatIfResult();

        Assert.Empty(Snapshot.Diff(before, Snapshot.Take(_t.Root)));
        Assert.Contains(actions, a => a.Action == MirrorAction.CreateDirectory && a.RelativePath == "new");
        Assert.Contains(actions, a => a.Action == MirrorAction.CopyFile && a.RelativePath == "new/file");
        Assert.Contains(actions, a => a.Action == MirrorAction.UpdateFile && a.RelativePath == "changed");
        Assert.Contains(actions, a => a.Action == MirrorAction.Delete && a.RelativePath == "junk");
        Assert.True(r.WhatIf);
        Assert.Equal(1, r.FilesCopied);
        Assert.Equal(1, r.FilesUpdated);
        Assert.Equal(1, r.FilesDeleted);
    }

    [Fact]
    public void WhatIf_counts_what_the_real_run_then_does()
    {
        TempTree.WriteFile(_t.S("new/file"), "n");
        TempTree.WriteFile(_t.S("changed"), "new!", 2_000_000_000);
        TempTree.WriteFile(_t.S("modeonly"), "m", 2_000_000_000);
        TempTree.WriteFile(_t.D("changed"), "old", 1_000_000_000);
        TempTree.WriteFile(_t.D("modeonly"), "m", 2_000_000_000);
        TempTree.Chmod(_t.D("modeonly"), 0x180);
        TempTree.WriteFile(_t.D("junkdir/a/b"), "x");
        TempTree.WriteFile(_t.D("junk"), "j");
        Directory.CreateDirectory(_t.S("samedir"));
        Directory.CreateDirectory(_t.D("samedir"));
        TempTree.Chmod(_t.D("samedir"), 0x1C0);
        TempTree.SetMtime(_t.Source, 1_700_000_000, 1);
        TempTree.SetMtime(_t.Dest, 1_700_000_000, 2);

        MirrorResult planned;
        using (MirrorSession session = MirrorEngine.Prepare(new MirrorOptions { Source = _t.Source, Destination = _t.Dest }))
        {
            planned = session.WhatIfResult();
        }
        MirrorResult done = _t.Mirror();

        Assert.Equal((done.FilesCopied, done.FilesUpdated, done.MetadataUpdated, done.DirectoriesCreated, done.FilesDeleted, done.DirectoriesDeleted, done.BytesCopied),
            (planned.FilesCopied, planned.FilesUpdated, planned.MetadataUpdated, planned.DirectoriesCreated, planned.FilesDeleted, planned.DirectoriesDeleted, planned.BytesCopied));
        Assert.Equal(2, done.FilesDeleted);
        Assert.Equal(2, done.DirectoriesDeleted);
        Assert.Equal(3, done.MetadataUpdated); // modeonly, samedir and the root
    }

    [Fact]
    public void WhatIf_does_not_create_a_missing_destination()
    {
        TempTree.WriteFile(_t.S("f"), "f");
        using MirrorSession session = MirrorEngine.Prepare(new MirrorOptions { Source = _t.Source, Destination = _t.D("x/y") });
        Assert.Equal(1, session.WhatIfResult().FilesCopied);
        Assert.False(Directory.Exists(_t.Dest));
    }

    [Fact]
    public void Declined_actions_are_not_carried_out()
    {
        TempTree.WriteFile(_t.S("a"), "a");
        TempTree.WriteFile(_t.S("dir/b"), "b");
        TempTree.WriteFile(_t.D("junk"), "j");

        using MirrorSession session = MirrorEngine.Prepare(new MirrorOptions { Source = _t.Source, Destination = _t.Dest });
        foreach (PlannedAction a in session.GetPlannedActions())
        {
            if (a.RelativePath is "dir" or "junk")
            {
                a.Decline();
            }
        }
        session.Execute();

        Assert.True(File.Exists(_t.D("a")));
        Assert.False(Directory.Exists(_t.D("dir")));
        Assert.True(File.Exists(_t.D("junk")));
    }

    [Fact]
    public void A_declined_directory_metadata_update_leaves_the_directory_as_it_was()
    {
        TempTree.WriteFile(_t.S("dir/f"), "f");
        TempTree.WriteFile(_t.D("dir/f"), "f");
        TempTree.SetMtime(_t.S("dir/f"), 1_600_000_000, 0);
        TempTree.SetMtime(_t.D("dir/f"), 1_600_000_000, 0);
        TempTree.Chmod(_t.S("dir"), 0x1ED);
        TempTree.Chmod(_t.D("dir"), 0x1C0);

        using (MirrorSession session = MirrorEngine.Prepare(new MirrorOptions { Source = _t.Source, Destination = _t.Dest }))
        {
            PlannedAction dirMeta = Assert.Single(session.GetPlannedActions(),
                a => a.Action == MirrorAction.UpdateMetadata && a.RelativePath == "dir");
            dirMeta.Decline();
            session.Execute();
        }

        Assert.Equal("700", TempTree.Run("stat", "-c", "%a", _t.D("dir")).Trim());
    }

    [Fact]
    public void Cancellation_stops_the_run_and_leaves_no_temp_files()
    {
        for (int i = 0; i < 400; i++)
        {
            TempTree.WriteFile(_t.S($"d{i % 4}/f{i}"), new string('z', 1000));
        }
        using var cts = new CancellationTokenSource();
        var listener = new RecordingListener();
        int seen = 0;
        listener.OnItemHook = _ =>
        {
            if (Interlocked.Increment(ref seen) == 50)
            {
                cts.Cancel();
            }
        };

        Assert.ThrowsAny<OperationCanceledException>(() => MirrorEngine.Run(
            new MirrorOptions { Source = _t.Source, Destination = _t.Dest, EmitItems = true, ThrottleLimit = 4 }, listener, null, cts.Token));

        var leftovers = Directory.GetFiles(_t.Dest, ".~blit-*", SearchOption.AllDirectories);
        Assert.Empty(leftovers);
        int copied = Directory.GetFiles(_t.Dest, "f*", SearchOption.AllDirectories).Length;
        Assert.InRange(copied, 40, 399); // 50 items include the directories created

        _t.Mirror(); // the next run completes the mirror
        AssertMirrored();
    }

    [Fact]
    public void ThrottleLimit_sets_the_worker_count()
    {
        TempTree.WriteFile(_t.S("f"), "f");
        Assert.Equal(3, _t.Mirror(throttle: 3).WorkerCount);
        Assert.Throws<BlitException>(() => _t.Mirror(throttle: -1));
    }
}
