using Blit.Mirror;
using Blit.Platform;
using Blit.Tests.Support;

namespace Blit.Tests.Mirror;

/// <summary>
/// The copy phase must not allocate per file: 100k small files used to leave about 80 MiB of
/// garbage (820 bytes per file: path strings, a temp name, a closure and a progress object for
/// every file), and the collections it caused paused every worker (docs/performance.md).
/// Scanning and planning keep what they read and nothing more. Run alone: the scan's figure
/// counts every thread's allocations.
/// </summary>
[Collection(nameof(EnvironmentCollection))]
public sealed class AllocationTests : IDisposable
{
    private readonly TempTree _t = new();

    public void Dispose() => _t.Dispose();

    [Fact]
    public void Copying_new_files_allocates_almost_nothing_per_file()
    {
        const int files = 2000;
        for (int i = 0; i < files; i++)
        {
            Tree.Write(_t.Src($"d{i % 4}/file-{i:D5}.txt"), new string('x', 100 + i % 50), 1_600_000_000 + i);
        }
        // One run first, so one-time costs (static data, first calls) are not counted.
        _t.Mirror(throttle: 1, dest: Path.Combine(_t.Root, "warm"));

        // One worker runs the copy phase on this thread, so this thread's allocations are the phase's.
        using MirrorSession session = MirrorEngine.Prepare(new MirrorOptions { Source = _t.Source, Destination = _t.Destination, ThrottleLimit = 1 });
        long before = GC.GetAllocatedBytesForCurrentThread();
        MirrorResult result = session.Execute();
        long perFile = (GC.GetAllocatedBytesForCurrentThread() - before) / files;

        Assert.Equal(files, result.FilesCopied);
        Assert.True(perFile < 100, $"the copy phase allocated {perFile} bytes per file");
    }

    [Fact]
    public void Scanning_and_planning_an_unchanged_tree_allocate_little_beyond_the_listings()
    {
        const int files = 2000;
        for (int i = 0; i < files; i++)
        {
            Tree.Write(_t.Src($"d{i % 4}/file-{i:D5}.txt"), "x", 1_600_000_000 + i);
        }
        _t.Mirror();
        _t.Mirror(); // warm: one-time costs are not counted

        long before = GC.GetTotalAllocatedBytes(precise: true);
        using (MirrorSession session = MirrorEngine.Prepare(new MirrorOptions { Source = _t.Source, Destination = _t.Destination }))
        {
            Assert.Equal(files, session.Execute().FilesUnchanged);
        }
        long perEntry = (GC.GetTotalAllocatedBytes(precise: true) - before) / (2 * files);

        // What must be kept: the name's bytes (14 for these) and the 80-byte entry, per side; the
        // rest here is each run's new scan threads growing their read buffers, which a big tree amortizes.
        // Regrowing lists, a sort by delegate and a name index per directory took 324 bytes here (290 at 100k);
        // a string per name, 243.
        Assert.True(perEntry < 235, $"scanning both trees and planning allocated {perEntry} bytes per entry");
    }

    [Fact]
    public void Reading_a_directory_makes_no_string_per_entry()
    {
        const int files = 1000; // the benchmark's directories
        for (int i = 0; i < files; i++)
        {
            Tree.Write(_t.Src($"file-{i:D5}.txt"), "x");
        }
        var fs = new LinuxFileSystem();
        using DirHandle dir = fs.OpenRoot(_t.Source);
        Assert.Equal(files, fs.ReadDirectory(dir, readLinkTargets: true, keep: true).Length); // warm: this thread's buffers

        long before = GC.GetAllocatedBytesForCurrentThread();
        TreeEntry[] entries = fs.ReadDirectory(dir, readLinkTargets: true, keep: true);
        long perEntry = (GC.GetAllocatedBytesForCurrentThread() - before) / files;

        // The sorted 80-byte entries and the 14 bytes of each name, in one array the entries share.
        // A string per name (56 bytes for these) beside a 72-byte entry took 128.
        Assert.Equal("file-00000.txt", entries[0].Name);
        Assert.True(perEntry < 100, $"reading a directory allocated {perEntry} bytes per entry");
    }

    [Fact]
    public void A_big_kept_listing_is_allocated_where_the_collector_never_moves_it_and_others_are_not()
    {
        for (int i = 0; i < NameOrder.PinnedEntries; i++)
        {
            Tree.Write(_t.Src($"big/file-{i:D5}.txt"), "x");
        }
        Tree.Write(_t.Src("small/one.txt"), "x");
        var fs = new LinuxFileSystem();
        using DirHandle big = fs.OpenRoot(_t.Src("big")), small = fs.OpenRoot(_t.Src("small"));

        TreeEntry[] kept = fs.ReadDirectory(big, readLinkTargets: true, keep: true);
        TreeEntry[] dropped = fs.ReadDirectory(big, readLinkTargets: false, keep: false); // as a tree being deleted is read
        TreeEntry[] smallKept = fs.ReadDirectory(small, readLinkTargets: true, keep: true);

        // The pinned-object heap belongs to the oldest generation: no young collection copies it.
        // (Below it: young, or promoted once by a collection another test set off meanwhile.)
        Assert.Equal(GC.MaxGeneration, GC.GetGeneration(kept));
        Assert.True(GC.GetGeneration(dropped) < GC.MaxGeneration);
        Assert.True(GC.GetGeneration(smallKept) < GC.MaxGeneration);
    }
}
