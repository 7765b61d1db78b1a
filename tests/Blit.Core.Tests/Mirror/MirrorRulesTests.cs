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
        var diff = Snapshot.Diff(Snapshot.Take(_t.Source), Snapshot.Take(_t.Destination), ignore);
        Assert.True(diff.Count == 0, string.Join('\n', diff));
    }

    [Fact]
    public void Contents_are_mirrored_into_a_missing_destination_created_with_parents()
    {
        Tree.Write(_t.Src("a.txt"), "alpha");
        Tree.Write(_t.Src("sub/deeper/b.txt"), "beta");
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
            Tree.Write(_t.Src($"d{i % 5}/f{i}.txt"), new string('x', i));
        }
        Tree.Symlink(_t.Src("link"), "d0/f0.txt");
        _t.Mirror();
        var before = Snapshot.Take(_t.Destination);

        var listener = new RecordingListener();
        MirrorResult r = _t.Mirror(listener: listener);

        Assert.Empty(listener.Items);
        Assert.Equal(0, r.FilesCopied + r.FilesUpdated + r.SymlinksCopied + r.MetadataUpdated + r.DirectoriesCreated);
        Assert.Equal(0, r.BytesCopied);
        Assert.Equal(50, r.FilesUnchanged);
        Assert.Empty(Snapshot.Diff(before, Snapshot.Take(_t.Destination)));
    }

    [Fact]
    public void Quick_check_leaves_same_size_and_mtime_alone_even_with_other_content()
    {
        Tree.Write(_t.Src("f"), "source!", 1_600_000_000, 5);
        Tree.Write(_t.Dst("f"), "stale!!", 1_600_000_000, 5);

        MirrorResult r = _t.Mirror();

        Assert.Equal("stale!!", File.ReadAllText(_t.Dst("f")));
        Assert.Equal(1, r.FilesUnchanged);
        Assert.Equal(0, r.FilesUpdated);
    }

    [Fact]
    public void A_difference_in_nanoseconds_alone_is_a_change()
    {
        Tree.Write(_t.Src("f"), "source!", 1_600_000_000, 123_456_789);
        Tree.Write(_t.Dst("f"), "stale!!", 1_600_000_000, 123_456_788);

        MirrorResult r = _t.Mirror();

        if (Backend.TimestampPrecisionNs > 1)
        {
            // A backend that carries 100 ns (the portable one, through DateTime) sees the same mtime:
            // a quick check at its precision leaves the file alone.
            Assert.Equal(0, r.FilesUpdated);
            Assert.Equal("stale!!", File.ReadAllText(_t.Dst("f")));
            return;
        }
        Assert.Equal(1, r.FilesUpdated);
        Assert.Equal("source!", File.ReadAllText(_t.Dst("f")));
        AssertMirrored();
    }

    [Fact]
    public void A_size_difference_is_a_change()
    {
        Tree.Write(_t.Src("f"), "longer content", 1_600_000_000);
        Tree.Write(_t.Dst("f"), "short", 1_600_000_000);

        Assert.Equal(1, _t.Mirror().FilesUpdated);
        AssertMirrored();
    }

    [Fact]
    public void Checksum_compares_content_of_same_size_files()
    {
        Tree.Write(_t.Src("changed"), "AAAA", 1_600_000_000, 1);
        Tree.Write(_t.Dst("changed"), "BBBB", 1_600_000_000, 1);
        Tree.Write(_t.Src("same-content-other-mtime"), "CCCC", 1_600_000_000, 1);
        Tree.Write(_t.Dst("same-content-other-mtime"), "CCCC", 1_500_000_000, 7);
        Tree.Write(_t.Src("identical"), "DDDD", 1_600_000_000, 1);
        Tree.Write(_t.Dst("identical"), "DDDD", 1_600_000_000, 1);
        // Equal root metadata, so the only metadata update expected is the file's.
        Tree.SetMtime(_t.Source, 1_700_000_000, 0);
        Tree.SetMtime(_t.Destination, 1_700_000_000, 0);
        string inodeBefore = Tree.Run("stat", "-c", "%i", _t.Dst("same-content-other-mtime"));

        MirrorResult r = _t.Mirror(checksum: true);

        Assert.Equal(1, r.FilesUpdated);
        Assert.Equal(1, r.MetadataUpdated); // same content: only its mtime is fixed, no copy
        Assert.Equal(1, r.FilesUnchanged);
        Assert.Equal(4, r.BytesCopied);
        Assert.Equal("AAAA", File.ReadAllText(_t.Dst("changed")));
        AssertMirrored();
        Assert.Equal(inodeBefore, Tree.Run("stat", "-c", "%i", _t.Dst("same-content-other-mtime"))); // not rewritten
    }

    [Fact]
    public void Mode_and_nanosecond_mtimes_are_carried_for_files_directories_symlinks_and_the_root()
    {
        Tree.Write(_t.Src("dir/exec.sh"), "#!/bin/sh", 1_234_567_890, 987_654_321);
        Tree.Chmod(_t.Src("dir/exec.sh"), 0x1ED); // 0755
        Tree.Write(_t.Src("private"), "p", 1_111_111_111, 1);
        Tree.Chmod(_t.Src("private"), 0x180); // 0600
        Tree.Write(_t.Src("sticky-dir/f"), "f");
        Tree.Chmod(_t.Src("sticky-dir"), 0x3FF); // 01777
        Tree.Symlink(_t.Src("dir/link"), "exec.sh");
        Tree.SetMtime(_t.Src("dir/link"), 1_000_000_000, 42);
        Tree.SetMtime(_t.Src("dir"), 1_300_000_000, 999_999_999);
        Tree.SetMtime(_t.Src("sticky-dir"), 1_300_000_001, 1);
        Tree.Chmod(_t.Source, 0x1E8); // 0750
        Tree.SetMtime(_t.Source, 1_200_000_000, 500);

        _t.Mirror();

        AssertMirrored();
        var root = new LinuxFileSystem().StatRoot(_t.Destination);
        Assert.Equal(0x1E8u, root.Permissions);
        Assert.Equal(500, root.MtimeNsec);
    }

    [Fact]
    public void Owner_and_group_are_carried_when_running_as_root()
    {
        Assert.True(LinuxNative.GetEuid() == 0, "this suite runs as root (CI does); owner rules need it");
        Tree.Write(_t.Src("owned"), "o");
        Tree.Chown(_t.Src("owned"), 1234, 5678);
        Directory.CreateDirectory(_t.Src("owned-dir"));
        Tree.Chown(_t.Src("owned-dir"), 4321, 8765);
        Tree.Symlink(_t.Src("owned-link"), "owned");
        Tree.Chown(_t.Src("owned-link"), 1111, 2222);

        _t.Mirror();
        AssertMirrored();
        if (!Backend.SetsOwners)
        {
            // The portable backend sets no owners (no .NET API): what it writes belongs to this process.
            Assert.Equal(0u, new LinuxFileSystem().StatRoot(_t.Dst("owned")).Uid);
            return;
        }

        // A later owner change alone is applied without copying.
        Tree.Chown(_t.Src("owned"), 999, 999);
        MirrorResult r = _t.Mirror();
        Assert.Equal(1, r.MetadataUpdated);
        Assert.Equal(0, r.FilesUpdated);
        AssertMirrored();
    }

    [Fact]
    public void Owner_is_right_in_a_setgid_destination_directory_and_modes_survive_the_umask()
    {
        Tree.Write(_t.Src("dir/root-owned"), "r");
        Tree.Chown(_t.Src("dir/root-owned"), 0, 0);
        Tree.Write(_t.Src("dir/world"), "w");
        Tree.Chmod(_t.Src("dir/world"), 0x1FF); // 0777: the umask would strip it
        Tree.Write(_t.Src("dir/setuid"), "s");
        Tree.Chown(_t.Src("dir/setuid"), 1234, 1234);
        Tree.Chmod(_t.Src("dir/setuid"), 0x9ED); // 04755: chown would clear it
        Tree.Chown(_t.Src("dir"), 0, 0);
        Directory.CreateDirectory(_t.Dst("dir"));
        Tree.Chown(_t.Dst("dir"), 0, 5678);
        Tree.Chmod(_t.Dst("dir"), 0x5ED); // 02755: new files would inherit group 5678

        _t.Mirror();

        AssertMirrored();
    }

    [Fact]
    public void Symlinks_are_copied_as_links_and_never_followed_in_the_source()
    {
        string outside = _t.Outside;
        Tree.Write(Path.Combine(outside, "secret.txt"), "do not copy");
        Tree.Symlink(_t.Src("to-outside-dir"), outside);
        Tree.Symlink(_t.Src("dangling"), "no/such/target");
        Tree.Symlink(_t.Src("relative"), "../outside/secret.txt");

        MirrorResult r = _t.Mirror();

        Assert.Equal(3, r.SymlinksCopied);
        Assert.Equal(outside, new FileInfo(_t.Dst("to-outside-dir")).LinkTarget);
        Assert.Equal("no/such/target", new FileInfo(_t.Dst("dangling")).LinkTarget);
        Assert.False(File.Exists(_t.Dst("to-outside-dir/secret.txt")) && !new FileInfo(_t.Dst("to-outside-dir")).Attributes.HasFlag(FileAttributes.ReparsePoint));
        AssertMirrored();
    }

    [Fact]
    public void A_destination_symlink_is_replaced_never_written_through()
    {
        string outside = _t.Outside;
        Tree.Write(Path.Combine(outside, "victim.txt"), "precious", 1_000, 0);
        Directory.CreateDirectory(Path.Combine(outside, "victim-dir"));
        var outsideBefore = Snapshot.Take(outside);
        Tree.Write(_t.Src("file"), "new content");
        Tree.Write(_t.Src("dir/inner.txt"), "inner");
        Directory.CreateDirectory(_t.Destination);
        Tree.Symlink(_t.Dst("file"), Path.Combine(outside, "victim.txt"));
        Tree.Symlink(_t.Dst("dir"), Path.Combine(outside, "victim-dir"));

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
            case "file": Tree.Write(path, "file " + tag); break;
            case "dir": Tree.Write(Path.Combine(path, "child-" + tag), "child " + tag); Directory.CreateDirectory(Path.Combine(path, "sub-" + tag, "deep")); break;
            case "symlink": Tree.Symlink(path, "target-" + tag); break;
        }
    }

    [Theory]
    [MemberData(nameof(TypeChanges))]
    public void Type_changes_are_handled_in_every_direction(string destKind, string sourceKind)
    {
        Make(_t.Src("entry"), sourceKind, "src");
        Directory.CreateDirectory(_t.Destination);
        Make(_t.Dst("entry"), destKind, "dst");

        MirrorResult r = _t.Mirror();

        Assert.Equal(0, r.Errors);
        AssertMirrored();
    }

    [Fact]
    public void Extraneous_entries_are_deleted_including_read_only_ones()
    {
        Tree.Write(_t.Src("keep"), "k");
        Tree.Write(_t.Dst("keep"), "k");
        Tree.Write(_t.Dst("junk.txt"), "j");
        Tree.Write(_t.Dst("readonly.txt"), "r");
        Tree.Chmod(_t.Dst("readonly.txt"), 0x124); // 0444
        Tree.Write(_t.Dst("tree/a/b/c.txt"), "c");
        Tree.Write(_t.Dst("rotree/x.txt"), "x");
        Tree.Chmod(_t.Dst("rotree/x.txt"), 0x100);
        Tree.Chmod(_t.Dst("rotree"), 0x16D); // 0555
        Tree.Symlink(_t.Dst("junk-link"), "/etc");

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
        Tree.Write(Path.Combine(src, "keep.txt"), "keep");
        Tree.Write(Path.Combine(dst, "keep.txt"), "keep");
        foreach (string name in new[] { "a", "b", "c", "locked/f", "sub/d", "sub/e", "z/y" })
        {
            Tree.Write(Path.Combine(dst, "old", name), name);
        }
        Tree.Write(Path.Combine(dst, "old2/x"), "x");
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
        Tree.Write(Path.Combine(src, "sub/g"), "old g", 1_600_000_000);
        Tree.Symlink(Path.Combine(src, "sub/l"), "a");
        _t.Mirror(source: src, dest: dst);
        // Left by an earlier, killed run: a temp file and a staged directory.
        Tree.Write(Path.Combine(dst, "sub/.~blit-1-2.tmp"), "partial");
        Tree.Write(Path.Combine(dst, "sub/.~blit-1-3.tmp/n"), "staged");
        LoopExt4.Chattr("+a", Path.Combine(dst, "sub"));
        Tree.Write(Path.Combine(src, "sub/g"), "new g, another size");
        File.Delete(Path.Combine(src, "sub/l"));
        Tree.Symlink(Path.Combine(src, "sub/l"), "b");
        Tree.Write(Path.Combine(src, "sub/new.txt"), "new");
        Tree.Write(Path.Combine(src, "sub/newdir/n"), "n");
        string[] leftovers = [Path.Combine(dst, "sub/.~blit-1-2.tmp"), Path.Combine(dst, "sub/.~blit-1-3.tmp")];

        for (int run = 1; run <= 2; run++)
        {
            var listener = new RecordingListener();
            MirrorResult r = _t.Mirror(source: src, dest: dst, listener: listener);

            if (!Backend.SeesRestrictions)
            {
                // Documented limit: .NET reads no append-only attribute, so the portable backend writes
                // new files there through temp names it can then neither rename nor remove. Every entry
                // it could not write is an error, what was there is kept, and nothing outside sub is touched.
                string[] failed = [.. listener.NonWarnings.Select(e => e.Path!)];
                foreach (string name in new[] { "sub/g", "sub/l", "sub/new.txt", "sub/newdir" })
                {
                    Assert.Contains(Path.Combine(dst, name), failed);
                }
                Assert.Equal(r.Errors, failed.Length);
                Assert.Equal("old g", File.ReadAllText(Path.Combine(dst, "sub/g")));
                Assert.Equal("a", new FileInfo(Path.Combine(dst, "sub/l")).LinkTarget);
                Assert.False(File.Exists(Path.Combine(dst, "sub/new.txt")));
                Assert.False(Directory.Exists(Path.Combine(dst, "sub/newdir")));
                Assert.All(leftovers, p => Assert.True(Path.Exists(p)));
                Assert.Empty(Directory.EnumerateFileSystemEntries(dst, ".~blit-*", SearchOption.TopDirectoryOnly));
                continue;
            }
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
        Tree.Write(_t.Src("keep.txt"), "k");
        Tree.Write(_t.Src("skip.log"), "s");
        Tree.Write(_t.Src("cache/data"), "d");
        Tree.Write(_t.Src("sub/cache/data"), "d");
        Tree.Write(_t.Dst("old.log"), "protected");
        Tree.Write(_t.Dst("junk.txt"), "gone");
        Tree.Write(_t.Dst("gone-dir/keep-me.log"), "protected inside a deleted tree");
        Tree.Write(_t.Dst("gone-dir/other"), "gone");

        var listener = new RecordingListener();
        MirrorResult r = _t.Mirror(exclude: ["*.log", "/cache/"], listener: listener);

        Assert.True(File.Exists(_t.Dst("keep.txt")));
        Assert.False(File.Exists(_t.Dst("skip.log")));
        Assert.False(Directory.Exists(_t.Dst("cache")));
        Assert.True(File.Exists(_t.Dst("sub/cache/data")), "an anchored pattern matches only at the root");
        Assert.Equal("protected", File.ReadAllText(_t.Dst("old.log")));
        Assert.False(File.Exists(_t.Dst("junk.txt")));
        Assert.True(File.Exists(_t.Dst("gone-dir/keep-me.log")));
        Assert.False(File.Exists(_t.Dst("gone-dir/other")));
        Assert.Contains(listener.Errors, e => e.Code == BlitErrorCode.DirectoryNotEmpty && e.IsWarning);
        Assert.Equal(0, r.Errors);
    }

    [Fact]
    public void Updates_are_written_to_a_temp_name_and_renamed_never_in_place()
    {
        Tree.Write(_t.Src("f"), "version 2", 2_000_000_000);
        Tree.Write(_t.Dst("f"), "version 1", 1_000_000_000);
        // A hard link to the old destination file sees only the old bytes if the update is a rename.
        Tree.Run("ln", _t.Dst("f"), Path.Combine(_t.Root, "old-view"));

        _t.Mirror();

        Assert.Equal("version 2", File.ReadAllText(_t.Dst("f")));
        Assert.Equal("version 1", File.ReadAllText(Path.Combine(_t.Root, "old-view")));
        Assert.DoesNotContain(Directory.GetFiles(_t.Destination), f => Path.GetFileName(f).StartsWith(".~blit-", StringComparison.Ordinal));
    }

    [Fact]
    public void A_large_file_is_copied_exactly()
    {
        // Above the 4 MiB large-file batching threshold, with a tail that is not a whole MiB.
        long size = (40L << 20) + 12345;
        var data = new byte[size];
        new Random(7).NextBytes(data);
        Directory.CreateDirectory(_t.Src("big"));
        File.WriteAllBytes(_t.Src("big/file.bin"), data);

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
            Tree.Write(_t.Src($"d{i % 3}/f{i}"), new string('q', i * 100), 1_600_000_000 + i, i);
        }
        var listener = new RecordingListener();

        using (MirrorSession session = MirrorEngine.Prepare(new MirrorOptions { Source = _t.Source, Destination = _t.Destination },
                   listener, null, default, new LinuxFileSystem(tryClone: true, tryTmpFile: false)))
        {
            Assert.Equal(20, session.Execute().FilesCopied);
        }

        Assert.Empty(listener.Errors);
        AssertMirrored();
        Assert.Empty(Directory.GetFiles(_t.Destination, ".~blit-*", SearchOption.AllDirectories));
    }

    [Fact]
    public void Stale_temp_files_of_an_interrupted_run_are_removed()
    {
        Tree.Write(_t.Src("f"), "f");
        Tree.Write(_t.Dst(".~blit-1a2b-3.tmp"), "partial");

        _t.Mirror();

        Assert.False(File.Exists(_t.Dst(".~blit-1a2b-3.tmp")));
        AssertMirrored();
    }

    [Fact]
    public void Reading_the_source_leaves_its_access_times_alone()
    {
        // atime == mtime, so a relatime mount would update the atime on the first read.
        Tree.Write(_t.Src("f"), "content", 1_500_000_000, 0);
        string before = Tree.Run("stat", "-c", "%X", _t.Src("f"));

        _t.Mirror();

        Assert.Equal("content", File.ReadAllText(_t.Dst("f")));
        if (Backend.IsPortable)
        {
            // Documented limit: .NET opens files without O_NOATIME, so a relatime mount updates the atime.
            Assert.NotEqual(before, Tree.Run("stat", "-c", "%X", _t.Src("f")));
            return;
        }
        Assert.Equal(before, Tree.Run("stat", "-c", "%X", _t.Src("f")));
    }

    [Fact]
    public void Hard_links_are_copied_as_separate_files()
    {
        Tree.Write(_t.Src("a"), "shared");
        Tree.Run("ln", _t.Src("a"), _t.Src("b"));

        _t.Mirror();

        File.WriteAllText(_t.Dst("a"), "changed");
        Assert.Equal("shared", File.ReadAllText(_t.Dst("b")));
    }

    /// <summary>Issue 13.5: a destination file with other links is replaced, never changed in place.</summary>
    [Fact]
    public void A_hard_linked_destination_file_is_replaced_so_its_other_names_keep_their_metadata()
    {
        // Source: a and b with the same content and mtime but different modes.
        Tree.Write(_t.Src("a"), "same", 1_600_000_000, 5);
        Tree.Write(_t.Src("b"), "same", 1_600_000_000, 5);
        Tree.Chmod(_t.Src("a"), 0x180); // 600
        Tree.Chmod(_t.Src("b"), 0x1A4); // 644
        Tree.Write(_t.Src("c"), "outside", 1_600_000_000, 7);
        Tree.Chmod(_t.Src("c"), 0x184); // 604
        Tree.SetMtime(_t.Source, 1_600_000_000, 0);
        // Destination: a and b are one inode, and c is a link to a file outside the tree.
        Tree.Write(_t.Dst("a"), "same", 1_600_000_000, 5);
        Tree.Chmod(_t.Dst("a"), 0x1A4);
        Tree.Run("ln", _t.Dst("a"), _t.Dst("b"));
        string outside = Path.Combine(_t.Root, "outside");
        Tree.Write(outside, "outside", 1_600_000_000, 7);
        Tree.Chmod(outside, 0x1A0); // 640
        Tree.Run("ln", outside, _t.Dst("c"));
        var outsideBefore = new FileInfo(outside);
        (UnixFileMode mode, DateTime mtime) before = (outsideBefore.UnixFileMode, outsideBefore.LastWriteTimeUtc);

        MirrorResult first = _t.Mirror();

        Assert.Equal(0, first.Errors);
        if (!Backend.SeesLinkCounts)
        {
            // Documented limit: .NET gives no link count, so the portable backend sets metadata in
            // place and every other name of that file changes with it: a and b (one inode) end with
            // the mode set last, and the file outside the tree takes c's.
            var dstA = new FileInfo(_t.Dst("a"));
            Assert.Equal(dstA.UnixFileMode, new FileInfo(_t.Dst("b")).UnixFileMode);
            Assert.Contains((int)dstA.UnixFileMode, new[] { 0x180, 0x1A4 });
            Assert.Equal((UnixFileMode)0x184, new FileInfo(outside).UnixFileMode);
            Assert.Equal("outside", File.ReadAllText(outside));
            return;
        }
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
        Tree.Write(_t.Src("ok/file"), "ok");
        Tree.Write(_t.Src("broken/file"), "unreadable");
        Tree.Write(_t.Dst("extraneous"), "must survive");
        Tree.Write(_t.Dst("broken/file"), "must survive too");
        var fs = new FaultyFileSystem(FileSystemFactory.Create()) { FailReadDirectory = p => p.EndsWith("/src/broken", StringComparison.Ordinal) };
        var listener = new RecordingListener();

        MirrorResult r;
        using (MirrorSession session = MirrorEngine.Prepare(new MirrorOptions { Source = _t.Source, Destination = _t.Destination },
                   listener, null, default, fs))
        {
            Assert.False(session.SourceScanComplete);
            r = session.Execute();
        }

        Assert.True(r.DeletionSkipped);
        Assert.True(File.Exists(_t.Dst("extraneous")));
        Assert.Equal("must survive too", File.ReadAllText(_t.Dst("broken/file")));
        Assert.Equal("ok", File.ReadAllText(_t.Dst("ok/file")));
        Assert.Contains(listener.Errors, e => e.Code == BlitErrorCode.SourceUnreadable && e.Path!.EndsWith("/broken", StringComparison.Ordinal));
        Assert.Contains(listener.Errors, e => e.Code == BlitErrorCode.DeletionSkipped);
        Assert.True(r.Errors >= 1);
    }

    [Fact]
    public void WhatIf_plans_every_action_and_touches_nothing()
    {
        Tree.Write(_t.Src("new/file"), "n");
        Tree.Write(_t.Src("changed"), "new!", 2_000_000_000);
        Tree.Write(_t.Dst("changed"), "old", 1_000_000_000);
        Tree.Write(_t.Dst("junk"), "j");
        var before = Snapshot.Take(_t.Root);

        using MirrorSession session = MirrorEngine.Prepare(new MirrorOptions { Source = _t.Source, Destination = _t.Destination });
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
        Tree.Write(_t.Src("new/file"), "n");
        Tree.Write(_t.Src("changed"), "new!", 2_000_000_000);
        Tree.Write(_t.Src("modeonly"), "m", 2_000_000_000);
        Tree.Write(_t.Dst("changed"), "old", 1_000_000_000);
        Tree.Write(_t.Dst("modeonly"), "m", 2_000_000_000);
        Tree.Chmod(_t.Dst("modeonly"), 0x180);
        Tree.Write(_t.Dst("junkdir/a/b"), "x");
        Tree.Write(_t.Dst("junk"), "j");
        Directory.CreateDirectory(_t.Src("samedir"));
        Directory.CreateDirectory(_t.Dst("samedir"));
        Tree.Chmod(_t.Dst("samedir"), 0x1C0);
        Tree.SetMtime(_t.Source, 1_700_000_000, 1);
        Tree.SetMtime(_t.Destination, 1_700_000_000, 1 + (int)Backend.TimestampPrecisionNs); // differs at the backend's precision

        MirrorResult planned;
        using (MirrorSession session = MirrorEngine.Prepare(new MirrorOptions { Source = _t.Source, Destination = _t.Destination }))
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
        Tree.Write(_t.Src("f"), "f");
        using MirrorSession session = MirrorEngine.Prepare(new MirrorOptions { Source = _t.Source, Destination = _t.Dst("x/y") });
        Assert.Equal(1, session.WhatIfResult().FilesCopied);
        Assert.False(Directory.Exists(_t.Destination));
    }

    [Fact]
    public void Declined_actions_are_not_carried_out()
    {
        Tree.Write(_t.Src("a"), "a");
        Tree.Write(_t.Src("dir/b"), "b");
        Tree.Write(_t.Dst("junk"), "j");

        using MirrorSession session = MirrorEngine.Prepare(new MirrorOptions { Source = _t.Source, Destination = _t.Destination });
        foreach (PlannedAction a in session.GetPlannedActions())
        {
            if (a.RelativePath is "dir" or "junk")
            {
                a.Decline();
            }
        }
        session.Execute();

        Assert.True(File.Exists(_t.Dst("a")));
        Assert.False(Directory.Exists(_t.Dst("dir")));
        Assert.True(File.Exists(_t.Dst("junk")));
    }

    [Fact]
    public void A_declined_directory_metadata_update_leaves_the_directory_as_it_was()
    {
        Tree.Write(_t.Src("dir/f"), "f");
        Tree.Write(_t.Dst("dir/f"), "f");
        Tree.SetMtime(_t.Src("dir/f"), 1_600_000_000, 0);
        Tree.SetMtime(_t.Dst("dir/f"), 1_600_000_000, 0);
        Tree.Chmod(_t.Src("dir"), 0x1ED);
        Tree.Chmod(_t.Dst("dir"), 0x1C0);

        using (MirrorSession session = MirrorEngine.Prepare(new MirrorOptions { Source = _t.Source, Destination = _t.Destination }))
        {
            PlannedAction dirMeta = Assert.Single(session.GetPlannedActions(),
                a => a.Action == MirrorAction.UpdateMetadata && a.RelativePath == "dir");
            dirMeta.Decline();
            session.Execute();
        }

        Assert.Equal("700", Tree.Run("stat", "-c", "%a", _t.Dst("dir")).Trim());
    }

    [Fact]
    public void Cancellation_stops_the_run_and_leaves_no_temp_files()
    {
        for (int i = 0; i < 400; i++)
        {
            Tree.Write(_t.Src($"d{i % 4}/f{i}"), new string('z', 1000));
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
            new MirrorOptions { Source = _t.Source, Destination = _t.Destination, EmitItems = true, ThrottleLimit = 4 }, listener, null, cts.Token));

        var leftovers = Directory.GetFiles(_t.Destination, ".~blit-*", SearchOption.AllDirectories);
        Assert.Empty(leftovers);
        int copied = Directory.GetFiles(_t.Destination, "f*", SearchOption.AllDirectories).Length;
        Assert.InRange(copied, 40, 399); // 50 items include the directories created

        _t.Mirror(); // the next run completes the mirror
        AssertMirrored();
    }

    [Fact]
    public void ThrottleLimit_sets_the_worker_count()
    {
        Tree.Write(_t.Src("f"), "f");
        Assert.Equal(3, _t.Mirror(throttle: 3).WorkerCount);
        Assert.Throws<BlitException>(() => _t.Mirror(throttle: -1));
    }
}
