using Blit.Planning;
using Blit.Platform;

namespace Blit.Tests.Destinations;

/// <summary>
/// The planner under the rules of a destination filesystem: names matched by its case and
/// normalization rule, mtimes within its precision, modes and symlinks only where it keeps them.
/// </summary>
public sealed class DestinationRulesPlannerTests
{
    private static readonly FileMeta DirMeta = new(EntryKind.Directory, 0, 100, 0, 0x1ED, 0, 0);

    private static readonly FileSystemCapabilities ExFat = new()
    {
        FileSystemType = "exfat",
        Measured = true,
        CaseSensitive = false,
        TimestampPrecisionNs = 1_000_000_000,
        Permissions = false,
        Symlinks = false,
        SpecialFiles = false,
    };

    private static readonly FileSystemCapabilities Native = new() { FileSystemType = "ext4", Measured = true };

    private static TreeEntry File(string name, long size, long sec, int nsec = 0, uint mode = 0x1A4) =>
        new() { Name = name, Meta = new FileMeta(EntryKind.File, size, sec, nsec, mode, 0, 0) };

    private static TreeEntry Dir(string name, params TreeEntry[] children) =>
        new() { Name = name, Meta = DirMeta, Children = Listing(name, children) };

    private static TreeEntry Link(string name, string target) =>
        new() { Name = name, Meta = new FileMeta(EntryKind.Symlink, target.Length, 5, 0, 0x1FF, 0, 0), LinkTarget = target };

    private static DirListing Listing(string rel, params TreeEntry[] entries)
    {
        Array.Sort(entries, (a, b) => string.CompareOrdinal(a.Name, b.Name));
        return new DirListing(rel, entries);
    }

    private static MirrorPlan Plan(FileSystemCapabilities caps, DirListing src, DirListing dst, long? windowNs = null) =>
        new MirrorPlanner(checksum: false, new DestinationRules(caps, windowNs, canSetOwner: false))
            .Plan(src, DirMeta, dst, DirMeta);

    [Fact]
    public void A_case_only_rename_is_a_rename_of_that_entry_never_a_copy_and_a_delete()
    {
        MirrorPlan plan = Plan(ExFat, Listing("", File("Report.DOC", 5, 10)), Listing("", File("report.doc", 5, 10)));

        EntryOp op = Assert.Single(plan.Entries);
        Assert.Equal(MirrorAction.Rename, op.Action);
        Assert.Equal("report.doc", op.DestName);
        Assert.Equal("Report.DOC", op.Name);
        Assert.Empty(plan.Deletions);
    }

    [Fact]
    public void A_changed_file_renamed_by_case_is_updated_under_the_new_name_and_not_deleted()
    {
        MirrorPlan plan = Plan(ExFat, Listing("", File("A.txt", 9, 50)), Listing("", File("a.txt", 5, 10)));

        EntryOp op = Assert.Single(plan.Entries);
        Assert.Equal(MirrorAction.UpdateFile, op.Action);
        Assert.Equal("a.txt", op.DestName);
        Assert.Empty(plan.Deletions);
    }

    [Fact]
    public void A_directory_renamed_by_case_keeps_its_contents()
    {
        MirrorPlan plan = Plan(ExFat, Listing("", Dir("Photos", File("x.jpg", 3, 10))), Listing("", Dir("photos", File("x.jpg", 3, 10))));

        DirOp dir = Assert.Single(plan.Directories, d => d.Name == "Photos");
        Assert.False(dir.NeedsCreate);
        Assert.Equal("photos", dir.DestName);
        Assert.Empty(plan.Deletions);
        Assert.Empty(plan.Entries);
    }

    [Fact]
    public void On_a_case_sensitive_destination_the_same_trees_copy_and_delete()
    {
        MirrorPlan plan = Plan(Native, Listing("", File("Report.DOC", 5, 10)), Listing("", File("report.doc", 5, 10)));

        Assert.Equal(MirrorAction.CopyFile, Assert.Single(plan.Entries).Action);
        Assert.Equal("report.doc", Assert.Single(plan.Deletions).Name);
    }

    [Fact]
    public void Two_source_names_that_are_one_destination_name_are_a_collision_and_nothing_is_overwritten()
    {
        // The destination holds 'a.txt' exactly: that source entry keeps it, 'A.txt' is the error.
        MirrorPlan plan = Plan(ExFat, Listing("", File("A.txt", 1, 10), File("a.txt", 2, 10)), Listing("", File("a.txt", 2, 10)));

        (string kept, string skipped) = Assert.Single(plan.NameCollisions);
        Assert.Equal("a.txt", kept);
        Assert.Equal("A.txt", skipped);
        Assert.Empty(plan.Deletions);
        Assert.Empty(plan.Entries);
    }

    [Fact]
    public void Without_an_exact_match_the_first_name_in_ordinal_order_is_mirrored()
    {
        MirrorPlan plan = Plan(ExFat, Listing("", File("b.txt", 1, 10), File("B.txt", 2, 10)), Listing(""));

        Assert.Equal(("B.txt", "b.txt"), Assert.Single(plan.NameCollisions));
        Assert.Equal("B.txt", Assert.Single(plan.Entries).Name);
    }

    [Fact]
    public void An_exact_name_is_preferred_over_a_folded_one()
    {
        // A destination that holds both spellings cannot be case-insensitive, but a listing may say
        // so (a mount crossing): the exact spelling pairs, the other is extraneous.
        MirrorPlan plan = Plan(ExFat, Listing("", File("a.txt", 2, 10)), Listing("", File("A.txt", 1, 10), File("a.txt", 2, 10)));

        Assert.Empty(plan.Entries);
        Assert.Equal("A.txt", Assert.Single(plan.Deletions).Name);
    }

    [Fact]
    public void Normalization_only_differences_pair_where_the_destination_normalizes()
    {
        var apfs = new FileSystemCapabilities { FileSystemType = "apfs", Measured = true, NormalizationSensitive = false };
        MirrorPlan plan = Plan(apfs, Listing("", File("caf\u00e9", 5, 10)), Listing("", File("cafe\u0301", 5, 10)));

        Assert.Equal(MirrorAction.Rename, Assert.Single(plan.Entries).Action);
        Assert.Empty(plan.Deletions);
    }

    [Theory]
    [InlineData(1_000_000_000L, 10, 0, 10, 999_999_999, false)] // within a second: same
    [InlineData(1_000_000_000L, 10, 0, 11, 0, true)]            // a whole second apart: differs
    [InlineData(100L, 10, 123_456_700, 10, 123_456_789, false)] // NTFS keeps 100 ns
    [InlineData(100L, 10, 123_456_600, 10, 123_456_789, true)]
    [InlineData(1L, 10, 5, 10, 6, true)]                        // native: exact
    public void Mtimes_are_compared_within_the_destination_precision(long precision, long dSec, int dNsec, long sSec, int sNsec, bool updated)
    {
        var caps = new FileSystemCapabilities { FileSystemType = "t", Measured = true, TimestampPrecisionNs = precision };
        MirrorPlan plan = Plan(caps, Listing("", File("f", 5, sSec, sNsec)), Listing("", File("f", 5, dSec, dNsec)));

        Assert.Equal(updated, plan.Entries.Any(e => e.Action == MirrorAction.UpdateFile));
        Assert.Equal(updated ? 0 : 1, plan.UnchangedFiles);
    }

    // ext4 with 128-byte inodes holds 1901-12-13 20:45:52 to 2038-01-19 03:14:07 and stores the
    // nearer limit for any time outside: a file dated outside is unchanged when the destination has the limit.
    [Theory]
    [InlineData(3_849_000_000L, 2_147_483_647L, false)]   // 2091 kept as the latest time: same
    [InlineData(2_147_483_646L, 2_147_483_647L, true)]    // a second before the limit is a real difference
    [InlineData(-4_000_000_000L, -2_147_483_648L, false)] // 1843 kept as the earliest time: same
    [InlineData(-2_147_483_647L, -2_147_483_648L, true)]  // a second after the earliest limit is a real difference
    [InlineData(-2_147_483_648L, -4_000_000_000L, false)] // both at or before the limit, either side
    public void Mtimes_outside_what_the_destination_holds_compare_by_its_limits(long sourceSec, long destinationSec, bool updated)
    {
        var ext4Inode128 = new FileSystemCapabilities
        {
            FileSystemType = "ext4",
            Measured = true,
            TimestampPrecisionNs = 1_000_000_000,
            EarliestMtimeSec = -2_147_483_648,
            LatestMtimeSec = 2_147_483_647,
        };
        MirrorPlan plan = Plan(ext4Inode128, Listing("", File("f", 5, sourceSec)), Listing("", File("f", 5, destinationSec)));

        Assert.Equal(updated, plan.Entries.Any(e => e.Action == MirrorAction.UpdateFile));
    }

    [Fact]
    public void ModifyWindow_overrides_the_measured_precision()
    {
        // rsync --modify-window=2: times two seconds apart are equal, three are not.
        MirrorPlan twoApart = Plan(Native, Listing("", File("f", 5, 12)), Listing("", File("f", 5, 10)), windowNs: 2_000_000_001);
        MirrorPlan threeApart = Plan(Native, Listing("", File("f", 5, 13)), Listing("", File("f", 5, 10)), windowNs: 2_000_000_001);

        Assert.Empty(twoApart.Entries);
        Assert.Equal(MirrorAction.UpdateFile, Assert.Single(threeApart.Entries).Action);
    }

    [Fact]
    public void Modes_are_not_compared_where_the_destination_keeps_none()
    {
        MirrorPlan exfat = Plan(ExFat, Listing("", File("f", 5, 10, 0, 0x1A4)), Listing("", File("f", 5, 10, 0, 0x1FF)));
        MirrorPlan native = Plan(Native, Listing("", File("f", 5, 10, 0, 0x1A4)), Listing("", File("f", 5, 10, 0, 0x1FF)));

        Assert.Empty(exfat.Entries);
        Assert.Equal(MirrorAction.UpdateMetadata, Assert.Single(native.Entries).Action);
    }

    [Fact]
    public void Symlinks_are_counted_not_planned_where_the_destination_cannot_hold_them()
    {
        MirrorPlan plan = Plan(ExFat, Listing("", Link("l", "target"), File("f", 1, 10)), Listing(""));

        Assert.Equal(1, plan.SymlinksSkipped);
        Assert.DoesNotContain(plan.Entries, e => e.Source.Kind == EntryKind.Symlink);
    }

    [Fact]
    public void A_destination_that_keeps_no_mtime_is_compared_by_size()
    {
        var caps = new FileSystemCapabilities { FileSystemType = "t", Measured = true, TimestampPrecisionNs = 0 };
        MirrorPlan plan = Plan(caps, Listing("", File("same", 5, 10), File("grown", 6, 10)),
            Listing("", File("same", 5, 999), File("grown", 5, 999)));

        Assert.Equal("grown", Assert.Single(plan.Entries).Name);
    }
}
