using Blit.Planning;
using Blit.Platform;

namespace Blit.Tests.Mirror;

/// <summary>The planner is pure: these tests feed it hand-built listings.</summary>
public sealed class MirrorPlannerTests
{
    private static readonly FileMeta DirMeta = new(EntryKind.Directory, 0, 100, 0, 0x1ED, 0, 0);

    private static TreeEntry File(string name, long size, long sec, int nsec = 0, uint mode = 0x1A4) =>
        new() { Name = name, Meta = new FileMeta(EntryKind.File, size, sec, nsec, mode, 0, 0) };

    private static TreeEntry Link(string name, string target) =>
        new() { Name = name, Meta = new FileMeta(EntryKind.Symlink, target.Length, 5, 0, 0x1FF, 0, 0), LinkTarget = target };

    private static TreeEntry Dir(string name, string parent, params TreeEntry[] children) =>
        new() { Name = name, Meta = DirMeta, Children = Listing(parent.Length == 0 ? name : parent + "/" + name, children) };

    private static DirListing Listing(string rel, params TreeEntry[] entries)
    {
        Array.Sort(entries, (a, b) => string.CompareOrdinal(a.Name, b.Name));
        return new DirListing(rel, entries);
    }

    private static MirrorPlan Plan(DirListing src, DirListing? dst, bool checksum = false, bool canCreateDevices = true) =>
        new MirrorPlanner(checksum, compareOwner: true, canCreateDevices).Plan(src, DirMeta, dst, dst is null ? null : DirMeta);

    [Fact]
    public void Batches_keep_one_directory_put_large_files_alone_and_run_largest_first()
    {
        long large = WorkerPlanner.LargeFileBytes;
        var smallInA = Enumerable.Range(0, BatchPlanner.BatchEntries + 1).Select(i => File($"s{i:D5}", 10, 1)).ToArray();
        var src = Listing("", Dir("a", "", [.. smallInA, File("big", large, 1)]), Dir("b", "", File("bigger", large * 2, 1), File("t", 5, 1)));
        MirrorPlan plan = Plan(src, null);
        plan.Entries.Single(e => e.Name == "t").Declined = true;

        List<CopyBatch> batches = BatchPlanner.Batches(plan);

        Assert.Equal(["bigger", "big"], batches.Take(2).Select(b => b.Ops.Single().Name));
        Assert.Equal([large * 2, large], batches.Take(2).Select(b => b.Bytes));
        Assert.All(batches.Skip(2), b => Assert.Equal("a", b.Dir.RelativePath));
        Assert.Equal([BatchPlanner.BatchEntries, 1], batches.Skip(2).Select(b => b.Ops.Count));
        Assert.DoesNotContain(batches, b => b.Ops.Exists(o => o.Name == "t")); // declined
    }

    [Fact]
    public void Only_new_trees_within_the_bounds_may_be_staged()
    {
        var src = Listing("",
            Dir("small", "", Dir("inner", "small", File("f", 10, 1))),
            Dir("heavy", "", File("f", StagingPlanner.StageMaxBytes + 1, 1)),
            Dir("kept", "", File("g", 1, 1)));
        MirrorPlan plan = Plan(src, Listing("", Dir("kept", "")));

        bool[] may = StagingPlanner.MayStage(plan);

        bool May(string path) => may[plan.Directories.Single(d => d.RelativePath == path).Index];
        Assert.True(May("small"));
        Assert.True(May("small/inner"));
        Assert.False(May("heavy")); // over the byte bound
        Assert.False(May("kept"));  // exists: nothing to stage
        Assert.Equal(Enumerable.Range(0, plan.Directories.Count), plan.Directories.Select(d => d.Index));
    }

    [Fact]
    public void Names_held_as_bytes_pair_by_byte_order_where_UTF16_order_differs()
    {
        // The Linux backend's listings: names as bytes, sorted by byte. U+FFFD and an emoji (and a
        // byte that is not UTF-8 after "a") order one way as bytes and another as UTF-16: a merge
        // that compared them as strings would pass the emoji by when the destination lacks U+FFFD,
        // and copy it again and delete its old copy.
        byte[][] names = [.. new[] { "\U0001F600", "\uFFFD", "a", "ab" }.Select(System.Text.Encoding.UTF8.GetBytes), [(byte)'a', 0xFF]];
        DirListing ByteListing(params int[] left)
        {
            TreeEntry[] entries = NameOrderTests.ByteEntries(names.Where((_, i) => Array.IndexOf(left, i) < 0));
            for (int i = 0; i < entries.Length; i++)
            {
                entries[i].Meta = new FileMeta(EntryKind.File, 10, 1, 0, 0x1A4, 0, 0);
            }
            return new DirListing("", NameOrder.SortedCopy(entries, entries.Length));
        }

        MirrorPlan same = Plan(ByteListing(), ByteListing());
        Assert.Empty(same.Entries);
        Assert.Empty(same.Deletions);
        Assert.Equal(names.Length, same.UnchangedFiles);

        // One listing of bytes and one of strings would sort differently: refused, never merged.
        DirListing strings = Listing("", [.. names.Select(n => File(System.Text.Encoding.UTF8.GetString(n), 10, 1))]);
        Assert.Throws<InvalidOperationException>(() => Plan(ByteListing(), strings));

        foreach (int missing in new[] { 1, 4 }) // U+FFFD, then "a\xFF"
        {
            MirrorPlan plan = Plan(ByteListing(), ByteListing(missing));
            EntryOp op = Assert.Single(plan.Entries);
            Assert.Equal(MirrorAction.CopyFile, op.Action);
            Assert.Equal(NameOrderTests.ByteEntries([names[missing]])[0].Name, op.Name);
            Assert.Empty(plan.Deletions);
            Assert.Equal(names.Length - 1, plan.UnchangedFiles);
        }
    }

    [Fact]
    public void Missing_entries_are_created_and_extraneous_ones_deleted()
    {
        var src = Listing("", File("new", 10, 1), Dir("d", "", File("inner", 3, 1)), Link("l", "new"));
        var dst = Listing("", File("junk", 1, 1), Dir("olddir", "", File("x", 1, 1)));

        MirrorPlan plan = Plan(src, dst);

        Assert.Contains(plan.Entries, e => e.Action == MirrorAction.CopyFile && e.RelativePath == "new");
        Assert.Contains(plan.Entries, e => e.Action == MirrorAction.CopyFile && e.RelativePath == "d/inner");
        Assert.Contains(plan.Entries, e => e.Action == MirrorAction.CreateSymlink && e.RelativePath == "l");
        Assert.Contains(plan.Directories, d => d.RelativePath == "d" && d.NeedsCreate);
        Assert.Equal(["junk", "olddir"], plan.Deletions.Select(d => d.RelativePath).Order());
    }

    [Fact]
    public void Quick_check_uses_size_and_full_precision_mtime()
    {
        var src = Listing("", File("same", 5, 10, 7), File("ns", 5, 10, 8), File("size", 6, 10, 7));
        var dst = Listing("", File("same", 5, 10, 7), File("ns", 5, 10, 7), File("size", 5, 10, 7));

        MirrorPlan plan = Plan(src, dst);

        Assert.Equal(1, plan.UnchangedFiles);
        Assert.Equal(["ns", "size"], plan.Entries.Where(e => e.Action == MirrorAction.UpdateFile).Select(e => e.Name).Order());
    }

    /// <summary>Issue 13.5: metadata is never changed in place on an entry with other links.</summary>
    [Fact]
    public void A_metadata_difference_on_a_hard_linked_destination_entry_is_a_replacement()
    {
        static TreeEntry Linked(TreeEntry e) => e with { Meta = e.Meta with { HasOtherLinks = true } };
        var src = Listing("", File("f", 5, 10, 0, 0x1ED), File("same", 5, 10), File("sum", 5, 10, 0, 0x1ED), Link("l", "t"));
        var dst = Listing("", Linked(File("f", 5, 10, 0, 0x1A4)), Linked(File("same", 5, 10)), Linked(File("sum", 5, 10, 0, 0x1A4)),
            Linked(Link("l", "t") with { Meta = Link("l", "t").Meta with { MtimeSec = 6 } }));

        MirrorPlan plan = Plan(src, dst);

        Assert.Equal(MirrorAction.UpdateFile, Assert.Single(plan.Entries, e => e.Name == "f").Action);
        Assert.Equal(MirrorAction.ReplaceSymlink, Assert.Single(plan.Entries, e => e.Name == "l").Action);
        Assert.DoesNotContain(plan.Entries, e => e.Name == "same"); // nothing differs: left alone

        // With -Checksum, equal content but another mode: replaced too.
        MirrorPlan summed = Plan(src, dst, checksum: true);
        EntryOp sum = Assert.Single(summed.Entries, e => e.Name == "sum");
        Assert.True(new MirrorPlanner(true, compareOwner: true).ResolveCompared(sum, contentEqual: true));
        Assert.Equal(MirrorAction.UpdateFile, sum.Action);
    }

    /// <summary>Issue 13.8: a directory that vanished during the scan counts as absent on its side.</summary>
    [Fact]
    public void A_directory_that_vanished_during_the_scan_is_absent()
    {
        static TreeEntry Gone(string name) => new() { Name = name, Meta = DirMeta, Children = DirListing.Vanished };
        var src = Listing("", Gone("from-source"), Dir("from-dest", "", File("f", 1, 1)));
        var dst = Listing("", Dir("from-source", "", File("old", 1, 1)), Gone("from-dest"));

        MirrorPlan plan = Plan(src, dst);

        Assert.DoesNotContain(plan.Directories, d => d.Name == "from-source");
        Assert.Equal("from-source", Assert.Single(plan.Deletions).RelativePath);
        Assert.True(Assert.Single(plan.Directories, d => d.Name == "from-dest").NeedsCreate);
        Assert.Contains(plan.Entries, e => e.RelativePath == "from-dest/f" && e.Action == MirrorAction.CopyFile);
    }

    [Fact]
    public void A_mode_difference_alone_is_a_metadata_update()
    {
        var plan = Plan(Listing("", File("f", 5, 10, 0, 0x1ED)), Listing("", File("f", 5, 10, 0, 0x1A4)));
        Assert.Equal(MirrorAction.UpdateMetadata, Assert.Single(plan.Entries).Action);
    }

    [Fact]
    public void With_checksum_same_size_files_wait_for_a_content_comparison()
    {
        var plan = Plan(Listing("", File("f", 5, 10), File("g", 6, 10)), Listing("", File("f", 5, 99), File("g", 5, 10)), checksum: true);
        Assert.True(plan.Entries.Single(e => e.Name == "f").CompareContent);
        Assert.False(plan.Entries.Single(e => e.Name == "g").CompareContent);
    }

    [Fact]
    public void A_symlink_with_another_target_is_replaced()
    {
        var plan = Plan(Listing("", Link("l", "a"), Link("same", "t")), Listing("", Link("l", "b"), Link("same", "t")));
        Assert.Equal(MirrorAction.ReplaceSymlink, Assert.Single(plan.Entries).Action);
    }

    [Fact]
    public void Type_changes_carry_the_destination_kind()
    {
        var src = Listing("", File("was-dir", 1, 1), Dir("was-file", ""), Link("was-file2", "x"));
        var dst = Listing("", Dir("was-dir", "", File("c", 1, 1)), File("was-file", 1, 1), File("was-file2", 1, 1));

        MirrorPlan plan = Plan(src, dst);

        EntryOp wasDir = plan.Entries.Single(e => e.Name == "was-dir");
        Assert.Equal(MirrorAction.UpdateFile, wasDir.Action);
        Assert.Equal(EntryKind.Directory, wasDir.DestKind);
        Assert.Equal(EntryKind.File, plan.Directories.Single(d => d.Name == "was-file").DestKind);
        Assert.Equal(MirrorAction.ReplaceSymlink, plan.Entries.Single(e => e.Name == "was-file2").Action);
        Assert.Empty(plan.Deletions);
    }

    [Fact]
    public void Directories_are_in_pre_order()
    {
        var src = Listing("", Dir("a", "", Dir("b", "a")), Dir("c", ""));
        MirrorPlan plan = Plan(src, Listing(""));

        Assert.Equal(["", "a", "a/b", "c"], plan.Directories.Select(d => d.RelativePath));
    }

    private static TreeEntry Special(string name, SpecialKind kind, ulong device = 0, uint mode = 0x1A4) =>
        new() { Name = name, Meta = new FileMeta(EntryKind.Special, 0, 1, 0, mode, 0, 0, kind, device) };

    [Fact]
    public void Special_files_are_compared_by_kind_and_device_and_recreated_over_anything_else()
    {
        var src = Listing("", Special("same", SpecialKind.Fifo), Special("mode", SpecialKind.Fifo, mode: 0x180),
            Special("kind", SpecialKind.Socket), Special("dev", SpecialKind.CharDevice, 0x103), Special("samedev", SpecialKind.CharDevice, 0x103),
            Special("over-file", SpecialKind.Fifo), Special("over-dir", SpecialKind.Fifo), Special("over-link", SpecialKind.BlockDevice, 0x700),
            Special("new", SpecialKind.Fifo));
        var dst = Listing("", Special("same", SpecialKind.Fifo), Special("mode", SpecialKind.Fifo),
            Special("kind", SpecialKind.Fifo), Special("dev", SpecialKind.CharDevice, 0x105), Special("samedev", SpecialKind.CharDevice, 0x103),
            File("over-file", 3, 1), Dir("over-dir", "", File("x", 1, 1)), Link("over-link", "/etc"));

        MirrorPlan plan = Plan(src, dst);

        Assert.Equal(["dev", "kind", "new", "over-dir", "over-file", "over-link"],
            plan.Entries.Where(e => e.Action == MirrorAction.CreateSpecial).Select(e => e.Name).Order(StringComparer.Ordinal));
        Assert.Equal("mode", plan.Entries.Single(e => e.Action == MirrorAction.UpdateMetadata).Name);
        Assert.NotNull(plan.Entries.Single(e => e.Name == "over-dir").ReplacedDestTree);
        Assert.Empty(plan.Deletions);
        Assert.Equal(0, plan.SpecialsSkipped);
    }

    [Fact]
    public void Devices_are_skipped_where_they_may_not_be_created_and_their_destination_entry_is_kept()
    {
        var src = Listing("", Special("null", SpecialKind.CharDevice, 0x103), Special("fifo", SpecialKind.Fifo));
        MirrorPlan plan = Plan(src, Listing("", File("null", 1, 1)), canCreateDevices: false);

        Assert.Equal(1, plan.SpecialsSkipped);
        Assert.Equal(["null"], plan.SpecialPaths);
        Assert.Equal("fifo", Assert.Single(plan.Entries).Name); // FIFOs need no privilege
        Assert.Empty(plan.Deletions);
    }

    [Fact]
    public void Stale_temp_files_are_marked()
    {
        MirrorPlan plan = Plan(Listing("", File("f", 1, 1)), Listing("", File("f", 1, 1), File(".~blit-ab-1.tmp", 3, 1), File(".~blit-notours", 1, 1)));
        Assert.True(plan.Deletions.Single(d => d.Name == ".~blit-ab-1.tmp").IsStaleTemp);
        Assert.False(plan.Deletions.Single(d => d.Name == ".~blit-notours").IsStaleTemp);
    }

    [Fact]
    public void An_unreadable_source_directory_plans_nothing_below_it()
    {
        var unreadable = new TreeEntry { Name = "u", Meta = DirMeta, Children = null };
        MirrorPlan plan = Plan(Listing("", unreadable), Listing("", Dir("u", "", File("keep", 1, 1))));
        DirOp u = plan.Directories.Single(d => d.Name == "u");
        Assert.False(u.SourceReadable);
        Assert.Empty(plan.Deletions);
        Assert.Empty(plan.Entries);
    }
}
