using Blit.Mirror;
using Blit.Platform;
using Blit.Tests.Support;

namespace Blit.Tests.Mirror;

/// <summary>
/// Random trees over stale, junk-filled destinations: after a mirror every entry must match
/// the source as §2 defines (type, content, mode, mtime to the ns, link target, owner), and
/// must match what `rsync -a --delete` makes of the same starting point.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class DifferentialTests
{
    /// <summary>Recursion that never enters a symlinked directory (the stale trees hold links to /tmp).</summary>
    private static readonly EnumerationOptions NoLinks = new() { RecurseSubdirectories = true, AttributesToSkip = FileAttributes.ReparsePoint };

    private static readonly int[] Modes = [0x1A4, 0x180, 0x1ED, 0x124, 0x1C0, 0x1FF]; // 644 600 755 444 700 777

    private static void BuildSource(string root, Random rng)
    {
        var dirs = new List<string> { root };
        for (int i = 0; i < 12; i++)
        {
            string parent = dirs[rng.Next(dirs.Count)];
            string dir = Path.Combine(parent, $"dir{i}");
            Directory.CreateDirectory(dir);
            dirs.Add(dir);
        }
        for (int i = 0; i < 60; i++)
        {
            string dir = dirs[rng.Next(dirs.Count)];
            string path = Path.Combine(dir, $"file{i}.bin");
            byte[] data = new byte[rng.Next(0, 3) == 0 ? 0 : rng.Next(1, 20_000)];
            rng.NextBytes(data);
            File.WriteAllBytes(path, data);
            Tree.Chmod(path, Modes[rng.Next(Modes.Length)]);
            Tree.SetMtime(path, 1_500_000_000 + rng.Next(100_000_000), rng.Next(1_000_000_000));
            if (rng.Next(10) == 0)
            {
                Tree.Chown(path, (uint)rng.Next(1000, 2000), (uint)rng.Next(1000, 2000));
            }
        }
        string sparse = Path.Combine(dirs[rng.Next(dirs.Count)], "sparse.bin"); // holes: only its data is copied
        using (var f = new FileStream(sparse, FileMode.Create))
        {
            byte[] data = new byte[rng.Next(1, 9000)];
            rng.NextBytes(data);
            f.SetLength(8 << 20);
            f.Position = rng.Next((8 << 20) - data.Length);
            f.Write(data);
        }
        Tree.SetMtime(sparse, 1_500_000_000 + rng.Next(1000), rng.Next(1_000_000_000));
        for (int i = 0; i < 8; i++)
        {
            string dir = dirs[rng.Next(dirs.Count)];
            string link = Path.Combine(dir, $"link{i}");
            Tree.Symlink(link, rng.Next(3) switch { 0 => "file1.bin", 1 => "../dangling/target", _ => "/etc/hostname" });
            Tree.SetMtime(link, 1_400_000_000 + rng.Next(1000), rng.Next(1_000_000_000));
        }
        // Names and link targets that are not UTF-8 (Linux names are bytes): a file, a directory, a link.
        for (int i = 0; i < 4; i++)
        {
            string dir = dirs[rng.Next(dirs.Count)];
            long t = 1_450_000_000 + rng.Next(1000);
            if (!Backend.NamesAsBytes)
            {
                continue; // documented limit, asserted in ByteNameTests: the portable backend cannot read such a directory
            }
            Tree.Run("bash", "-c", $"cd '{dir}' && printf 'data {i}' > $'bad\\xe9{i}' && mkdir $'bd\\xff{i}' && printf x > $'bd\\xff{i}/in\\xfe' " +
                $"&& ln -s $'t\\xff{i}' $'bl\\xfe{i}' && touch -h -d @{t} $'bad\\xe9{i}' $'bd\\xff{i}/in\\xfe' $'bd\\xff{i}' $'bl\\xfe{i}'");
        }
        if (Backend.NamesAsBytes)
        {
            Tree.Run("bash", "-c", $"cd '{root}' && ln -s $'t\\xff' $'bl\\xfe' && touch -h -d @1450000000 $'bl\\xfe'");
        }
        for (int i = 0; i < 4; i++)
        {
            // Hard links in the source: copied as separate files, as rsync -a (without -H) does.
            string target = Path.Combine(root, Path.GetRelativePath(root, Directory.GetFiles(root, "file*.bin", NoLinks)
                .Order(StringComparer.Ordinal).ElementAt(rng.Next(10))));
            Tree.Run("ln", target, Path.Combine(dirs[rng.Next(dirs.Count)], $"hardlink{i}"));
        }
        for (int i = 0; i < 4; i++)
        {
            string fifo = Path.Combine(dirs[rng.Next(dirs.Count)], $"fifo{i}");
            Tree.MkFifo(fifo);
            Tree.Chmod(fifo, Modes[rng.Next(Modes.Length)]);
            Tree.SetMtime(fifo, 1_450_000_000 + rng.Next(1000), rng.Next(1_000_000_000));
        }
        // Directory metadata last, deepest first, so creating entries does not disturb it.
        foreach (string dir in dirs.OrderByDescending(d => d.Length))
        {
            Tree.Chmod(dir, rng.Next(4) == 0 ? 0x1E8 : 0x1ED); // 750 or 755
            Tree.SetMtime(dir, 1_300_000_000 + rng.Next(1000), rng.Next(1_000_000_000));
        }
    }

    /// <summary>A destination made of stale copies, junk, type conflicts and read-only entries.</summary>
    private static void BuildStaleDestination(string source, string dest, Random rng)
    {
        Directory.CreateDirectory(dest);
        foreach (string path in Directory.EnumerateFileSystemEntries(source, "*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0 }))
        {
            string rel = Path.GetRelativePath(source, path);
            if (rel.Contains('\uFFFD', StringComparison.Ordinal))
            {
                continue; // a name that is not UTF-8 has no .NET path; its stale forms are made below
            }
            string target = Path.Combine(dest, rel);
            if (!Directory.Exists(Path.GetDirectoryName(target)))
            {
                continue; // its parent became something else below
            }
            var info = new FileInfo(path);
            bool isLink = info.LinkTarget is not null;
            bool isDir = !isLink && Directory.Exists(path);
            switch (rng.Next(6))
            {
                case 0: break; // missing
                case 1 when isDir: File.WriteAllText(target, "file where a directory belongs"); break;
                case 1: Directory.CreateDirectory(Path.Combine(target, "junk-subdir")); File.WriteAllText(Path.Combine(target, "junk-subdir", "j"), "j"); break;
                case 2 when !isDir && !isLink: File.WriteAllText(target, "stale content of another size"); break;
                case 3 when !isDir: Tree.Symlink(target, "/tmp"); break;
                default:
                    if (isDir)
                    {
                        Directory.CreateDirectory(target);
                    }
                    else if (isLink)
                    {
                        Tree.Symlink(target, "stale-target");
                    }
                    else if (Path.GetFileName(path).StartsWith("fifo", StringComparison.Ordinal))
                    {
                        Tree.MkFifo(target); // the same FIFO, another mode and mtime: a metadata fix
                    }
                    else
                    {
                        File.Copy(path, target); // same content, other mtime: an update
                    }
                    break;
            }
        }
        Tree.Write(Path.Combine(dest, "junk-root.txt"), "junk");
        Tree.Write(Path.Combine(dest, "junk-tree/a/b/c.txt"), "junk");
        Tree.Write(Path.Combine(dest, "readonly-junk"), "ro");
        Tree.Chmod(Path.Combine(dest, "readonly-junk"), 0x124);
        Tree.Symlink(Path.Combine(dest, "junk-link"), "/etc");
        if (Backend.SeesLinkCounts)
        {
            // Destination files with other names, one of them outside the tree: each is replaced,
            // never re-stamped in place, so the outside name keeps its data and mode (issue 13.5).
            string outside = dest + "-outside";
            Tree.Write(outside, "outside, must not change");
            Tree.Chmod(outside, 0x180);
            foreach (string path in Directory.GetFiles(dest, "file*.bin", NoLinks).Order(StringComparer.Ordinal).Take(2))
            {
                File.Delete(path);
                Tree.Run("ln", outside, path);
            }
        }
        if (Backend.NamesAsBytes)
        {
            Tree.Run("bash", "-c", $"cd '{dest}' && ln -s $'t\\xfe' $'bl\\xfe' && printf j > $'junk\\xfa' && mkdir $'junk\\xfb' && printf j > $'junk\\xfb/j\\xfc'");
        }
    }

    /// <summary>rsync patterns for the runs with an exclude list: names, a directory, anchored and ** forms.</summary>
    private static readonly string[] Excludes = ["file1*.bin", "dir3/", "/link2", "**/dir5/file*", "junk-tree/"];

    [Theory]
    [InlineData(1, false)]
    [InlineData(2, false)]
    [InlineData(3, false)]
    [InlineData(4, false)]
    [InlineData(5, false)]
    [InlineData(6, true)]
    [InlineData(7, true)]
    [InlineData(8, true)]
    public void Random_trees_match_the_source_and_rsync(int seed, bool withExcludes)
    {
        Assert.True(Tree.HasCommand("rsync"), "rsync is required (.ci/run installs it)");
        using var t = new TempTree();
        BuildSource(t.Source, new Random(seed));
        string rsyncDest = Path.Combine(t.Root, "rsync-dst");
        BuildStaleDestination(t.Source, t.Destination, new Random(seed * 7919));
        // rsync starts from a copy of the same stale tree (times included), so the entries both
        // leave alone (excluded ones) compare equal too.
        Tree.Run("cp", "-a", t.Destination, rsyncDest);
        string[] exclude = withExcludes ? Excludes : [];

        MirrorResult result = t.Mirror(exclude: exclude);
        Tree.Run("rsync", ["-a", "--delete", .. exclude.Select(e => "--exclude=" + e), t.Source + "/", rsyncDest + "/"]);
        if (Backend.SeesLinkCounts)
        {
            Assert.Equal("outside, must not change", File.ReadAllText(t.Destination + "-outside"));
            Assert.Equal((UnixFileMode)0x180, File.GetUnixFileMode(t.Destination + "-outside"));
        }

        var source = Snapshot.Take(t.Source);
        var blit = Snapshot.Take(t.Destination);
        var rsync = Snapshot.Take(rsyncDest);
        Assert.Equal(0, result.Errors);
        // The portable backend cannot create FIFOs (documented limit): they are skipped and counted,
        // and whatever stale entry has their name is left as it was.
        // With excludes, only the specials rsync mirrored (not excluded) are Blit's to create or skip.
        var specials = source.Where(e => e.Value.Kind == EntryKind.Special &&
                (!withExcludes || (rsync.TryGetValue(e.Key, out EntryState? r) && r.Kind == EntryKind.Special)))
            .Select(e => e.Key).ToHashSet(StringComparer.Ordinal);
        Func<string, bool>? skipped = Backend.CreatesSpecials ? null
            : path => specials.Any(s => path == s || path.StartsWith(s + "/", StringComparison.Ordinal));
        Assert.Equal(Backend.CreatesSpecials ? 0 : specials.Count, result.SpecialFilesSkipped);
        if (!withExcludes)
        {
            // With excludes, rsync is the reference: what is kept out of the copy and protected in the destination.
            var vsSource = Snapshot.Diff(source, blit, skipped);
            Assert.True(vsSource.Count == 0, "blit vs source:\n" + string.Join('\n', vsSource));
        }
        var vsRsync = Snapshot.Diff(rsync, blit, skipped);
        Assert.True(vsRsync.Count == 0, "blit vs rsync:\n" + string.Join('\n', vsRsync));

        // And a second run has nothing left to do.
        MirrorResult again = t.Mirror(exclude: exclude);
        Assert.Equal(0, again.FilesCopied + again.FilesUpdated + again.SymlinksCopied + again.SpecialFilesCopied + again.MetadataUpdated + again.FilesDeleted);
    }

    /// <summary>What a result counts: every figure -WhatIf promises to predict.</summary>
    private static string Counts(MirrorResult r) =>
        $"copied {r.FilesCopied}, updated {r.FilesUpdated}, symlinks {r.SymlinksCopied}, metadata {r.MetadataUpdated}, " +
        $"dirs created {r.DirectoriesCreated}, files deleted {r.FilesDeleted}, dirs deleted {r.DirectoriesDeleted}, " +
        $"bytes {r.BytesCopied}, specials {r.SpecialFilesSkipped}, errors {r.Errors}, deletion skipped {r.DeletionSkipped}";

    /// <summary>
    /// Issue 13.11: -WhatIf reports exactly what the real run then does, over stale destinations
    /// with type conflicts (a directory tree where the source has a file, and the reverse), junk,
    /// and excluded entries inside trees to delete.
    /// </summary>
    [Theory]
    [InlineData(1, false)]
    [InlineData(2, false)]
    [InlineData(3, false)]
    [InlineData(4, true)]
    [InlineData(5, true)]
    public void WhatIf_counts_match_the_real_run_over_random_trees(int seed, bool withExcludes)
    {
        using var t = new TempTree();
        BuildSource(t.Source, new Random(seed));
        BuildStaleDestination(t.Source, t.Destination, new Random(seed * 7919));
        string[] exclude = withExcludes ? ["c.txt", "j"] : [];
        var options = new MirrorOptions { Source = t.Source, Destination = t.Destination, Exclude = exclude };

        MirrorResult planned;
        using (MirrorSession session = MirrorEngine.Prepare(options))
        {
            planned = session.WhatIfResult();
        }
        MirrorResult done = MirrorEngine.Run(options);

        Assert.True(Counts(done) == Counts(planned), $"real run: {Counts(done)}\nwhat-if:  {Counts(planned)}");
        // The stale destination gives deletions to count (with the excludes, its junk trees are all kept).
        Assert.True(done.FilesDeleted > 0 && (withExcludes || done.DirectoriesDeleted > 0), Counts(done));
    }
}
