using Blit.Mirror;
using Blit.Tests.Support;

namespace Blit.Tests.Mirror;

/// <summary>
/// Random trees over stale, junk-filled destinations: after a mirror every entry must match
/// the source as §2 defines (type, content, mode, mtime to the ns, link target, owner), and
/// must match what `rsync -a --delete` makes of the same starting point.
/// </summary>
public sealed class DifferentialTests
{
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
            TempTree.Chmod(path, Modes[rng.Next(Modes.Length)]);
            TempTree.SetMtime(path, 1_500_000_000 + rng.Next(100_000_000), rng.Next(1_000_000_000));
            if (rng.Next(10) == 0)
            {
                TempTree.Chown(path, (uint)rng.Next(1000, 2000), (uint)rng.Next(1000, 2000));
            }
        }
        for (int i = 0; i < 8; i++)
        {
            string dir = dirs[rng.Next(dirs.Count)];
            string link = Path.Combine(dir, $"link{i}");
            TempTree.Symlink(link, rng.Next(3) switch { 0 => "file1.bin", 1 => "../dangling/target", _ => "/etc/hostname" });
            TempTree.SetMtime(link, 1_400_000_000 + rng.Next(1000), rng.Next(1_000_000_000));
        }
        // Directory metadata last, deepest first, so creating entries does not disturb it.
        foreach (string dir in dirs.OrderByDescending(d => d.Length))
        {
            TempTree.Chmod(dir, rng.Next(4) == 0 ? 0x1E8 : 0x1ED); // 750 or 755
            TempTree.SetMtime(dir, 1_300_000_000 + rng.Next(1000), rng.Next(1_000_000_000));
        }
    }

    /// <summary>A destination made of stale copies, junk, type conflicts and read-only entries.</summary>
    private static void BuildStaleDestination(string source, string dest, Random rng)
    {
        Directory.CreateDirectory(dest);
        foreach (string path in Directory.EnumerateFileSystemEntries(source, "*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0 }))
        {
            string rel = Path.GetRelativePath(source, path);
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
                case 3 when !isDir: TempTree.Symlink(target, "/tmp"); break;
                default:
                    if (isDir)
                    {
                        Directory.CreateDirectory(target);
                    }
                    else if (isLink)
                    {
                        TempTree.Symlink(target, "stale-target");
                    }
                    else
                    {
                        File.Copy(path, target); // same content, other mtime: an update
                    }
                    break;
            }
        }
        TempTree.WriteFile(Path.Combine(dest, "junk-root.txt"), "junk");
        TempTree.WriteFile(Path.Combine(dest, "junk-tree/a/b/c.txt"), "junk");
        TempTree.WriteFile(Path.Combine(dest, "readonly-junk"), "ro");
        TempTree.Chmod(Path.Combine(dest, "readonly-junk"), 0x124);
        TempTree.Symlink(Path.Combine(dest, "junk-link"), "/etc");
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    public void Random_trees_match_the_source_and_rsync(int seed)
    {
        Assert.True(TempTree.HasCommand("rsync"), "rsync is required (.ci/run installs it)");
        using var t = new TempTree();
        BuildSource(t.Source, new Random(seed));
        string rsyncDest = Path.Combine(t.Root, "rsync-dst");
        BuildStaleDestination(t.Source, t.Dest, new Random(seed * 7919));
        BuildStaleDestination(t.Source, rsyncDest, new Random(seed * 7919));

        MirrorResult result = t.Mirror();
        TempTree.Run("rsync", "-a", "--delete", t.Source + "/", rsyncDest + "/");

        var source = Snapshot.Take(t.Source);
        var blit = Snapshot.Take(t.Dest);
        var rsync = Snapshot.Take(rsyncDest);
        Assert.Equal(0, result.Errors);
        var vsSource = Snapshot.Diff(source, blit);
        Assert.True(vsSource.Count == 0, "blit vs source:\n" + string.Join('\n', vsSource));
        var vsRsync = Snapshot.Diff(rsync, blit);
        Assert.True(vsRsync.Count == 0, "blit vs rsync:\n" + string.Join('\n', vsRsync));

        // And a second run has nothing left to do.
        MirrorResult again = t.Mirror();
        Assert.Equal(0, again.FilesCopied + again.FilesUpdated + again.SymlinksCopied + again.MetadataUpdated + again.FilesDeleted);
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
        BuildStaleDestination(t.Source, t.Dest, new Random(seed * 7919));
        string[] exclude = withExcludes ? ["c.txt", "j"] : [];
        var options = new MirrorOptions { Source = t.Source, Destination = t.Dest, Exclude = exclude };

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
