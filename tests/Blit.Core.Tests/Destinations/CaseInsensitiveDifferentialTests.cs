using System.Security.Cryptography;
using Blit.Errors;
using Blit.Mirror;
using Blit.Tests.Support;

namespace Blit.Tests.Destinations;

/// <summary>An exFAT image mounted through exfat-fuse (root; ./build.sh test installs the packages).</summary>
public sealed class ExFatMount : IDisposable
{
    private readonly string _image;
    private readonly string? _loop;

    public ExFatMount()
    {
        Root = Path.Combine(Path.GetTempPath(), "blit-exfat-" + Guid.NewGuid().ToString("N")[..10]);
        MountPoint = Path.Combine(Root, "mnt");
        Directory.CreateDirectory(MountPoint);
        _image = Path.Combine(Root, "fs.img");
        Tree.Run("truncate", "-s", "200M", _image);
        Tree.Run("mkfs.exfat", _image);
        _loop = Tree.Run("losetup", "-f", "--show", _image).Trim();
        Tree.Run("mount.exfat-fuse", _loop, MountPoint);
    }

    public string Root { get; }

    public string MountPoint { get; }

    public void Dispose()
    {
        try
        {
            Tree.Run("umount", MountPoint);
        }
        catch (InvalidOperationException)
        {
            Tree.Run("umount", "-l", MountPoint);
        }
        if (_loop is not null)
        {
            Tree.Run("losetup", "-d", _loop);
        }
        Directory.Delete(Root, recursive: true);
    }
}

/// <summary>
/// Issue 12: the differential test on a case-insensitive destination. Random trees whose names
/// differ by case, renamed by case, changed and pruned between runs, mirrored onto a real
/// exFAT mount. Expected: what that filesystem can hold, as the run measured it — every source
/// entry under its exact spelling (but for collisions, which are reported), contents equal,
/// mtimes within its 1 s, no symlinks, nothing lost, and a second run that does nothing.
/// </summary>
[Collection("exfat")]
public sealed class CaseInsensitiveDifferentialTests(ExFatMount exfat) : IClassFixture<ExFatMount>
{
    private static readonly string[] Stems = ["report", "photo", "notes", "data", "readme"];
    private static readonly string[] Extensions = [".txt", ".doc", ".bin", ""];

    private static string RandomCase(string s, Random rng) =>
        string.Concat(s.Select(c => rng.Next(3) == 0 ? char.ToUpperInvariant(c) : c));

    private static void BuildSource(string root, Random rng)
    {
        var dirs = new List<string> { root };
        for (int i = 0; i < 6; i++)
        {
            string dir = Path.Combine(dirs[rng.Next(dirs.Count)], RandomCase($"dir{i}", rng));
            Directory.CreateDirectory(dir);
            dirs.Add(dir);
        }
        for (int i = 0; i < 50; i++)
        {
            string dir = dirs[rng.Next(dirs.Count)];
            string name = RandomCase(Stems[rng.Next(Stems.Length)] + i % 20 + Extensions[rng.Next(Extensions.Length)], rng);
            byte[] data = new byte[rng.Next(0, 5000)];
            rng.NextBytes(data);
            File.WriteAllBytes(Path.Combine(dir, name), data); // may be a case variant of an earlier name: a collision
            Tree.SetMtime(Path.Combine(dir, name), 1_600_000_000 + rng.Next(1_000_000), rng.Next(1_000_000_000));
        }
        Tree.Symlink(Path.Combine(root, "link"), "dir0");
    }

    /// <summary>Case-only renames, content changes and deletions, as a user's tree changes between runs.</summary>
    private static void Change(string root, Random rng)
    {
        foreach (string path in Directory.GetFileSystemEntries(root, "*", SearchOption.AllDirectories)
                     .OrderByDescending(p => p.Length).ToList())
        {
            if (new FileInfo(path).LinkTarget is not null || !Path.Exists(path))
            {
                continue;
            }
            bool isDir = Directory.Exists(path);
            string newName = Path.Combine(Path.GetDirectoryName(path)!, RandomCase(Path.GetFileName(path).ToLowerInvariant(), rng));
            switch (rng.Next(5))
            {
                case 0 when !string.Equals(newName, path, StringComparison.Ordinal) && !Path.Exists(newName):
                    if (isDir) { Directory.Move(path, newName); } else { File.Move(path, newName); }
                    break;
                case 1 when !isDir:
                    File.AppendAllText(path, "changed");
                    break;
                case 2 when !isDir:
                    File.Delete(path);
                    break;
            }
        }
    }

    private static Dictionary<string, (string Hash, long MtimeSec, bool IsDir)> Listing(string root, StringComparer comparer)
    {
        var map = new Dictionary<string, (string, long, bool)>(comparer);
        foreach (string path in Directory.GetFileSystemEntries(root, "*", SearchOption.AllDirectories))
        {
            if (new FileInfo(path).LinkTarget is not null)
            {
                continue;
            }
            string rel = Path.GetRelativePath(root, path);
            bool isDir = Directory.Exists(path);
            map[rel] = (isDir ? "" : Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(path))),
                new DateTimeOffset(File.GetLastWriteTimeUtc(path)).ToUnixTimeSeconds(), isDir);
        }
        return map;
    }

    private static void AssertMirrored(string src, string dst, IReadOnlyList<BlitError> errors)
    {
        // Source entries whose names collided on the destination are reported by name and absent.
        var collided = errors.Where(e => e.Code == BlitErrorCode.NameCollision)
            .Select(e => Path.GetRelativePath(src, e.Path!)).ToHashSet(StringComparer.Ordinal);
        var source = Listing(src, StringComparer.Ordinal);
        var dest = Listing(dst, StringComparer.Ordinal);
        var problems = new List<string>();
        foreach (var (rel, want) in source)
        {
            if (collided.Any(c => rel == c || rel.StartsWith(c + "/", StringComparison.Ordinal)))
            {
                continue;
            }
            if (!dest.TryGetValue(rel, out var got))
            {
                problems.Add($"missing under its exact spelling: {rel}");
            }
            else if (got.Hash != want.Hash || got.IsDir != want.IsDir)
            {
                problems.Add($"differs: {rel}");
            }
            else if (!want.IsDir && Math.Abs(got.MtimeSec - want.MtimeSec) > 1)
            {
                problems.Add($"mtime {got.MtimeSec} vs {want.MtimeSec}: {rel}");
            }
        }
        foreach (string rel in dest.Keys.Where(k => !source.ContainsKey(k)))
        {
            problems.Add($"extraneous: {rel}");
        }
        Assert.True(problems.Count == 0, string.Join('\n', problems));
        Assert.All(errors.Where(e => !e.IsWarning), e => Assert.Equal(BlitErrorCode.NameCollision, e.Code));
    }

    [Theory]
    [InlineData(11)]
    [InlineData(12)]
    [InlineData(13)]
    public void Random_case_variant_trees_lose_nothing_and_settle(int seed)
    {
        var rng = new Random(seed);
        string src = Path.Combine(exfat.Root, $"src{seed}");
        string dst = Path.Combine(exfat.MountPoint, $"dst{seed}");
        Directory.CreateDirectory(src);
        BuildSource(src, rng);

        for (int round = 0; round < 3; round++)
        {
            var listener = new RecordingListener();
            MirrorResult result = MirrorEngine.Run(new MirrorOptions { Source = src, Destination = dst }, listener);

            Assert.False(result.DestinationFileSystem.CaseSensitive);
            Assert.Equal(0, result.SymlinksCopied);
            Assert.Equal(1, result.SymlinksSkipped);
            AssertMirrored(src, dst, listener.Errors);

            var again = new RecordingListener();
            MirrorResult second = MirrorEngine.Run(new MirrorOptions { Source = src, Destination = dst }, again);
            Assert.Equal(0, second.FilesCopied + second.FilesUpdated + second.MetadataUpdated + second.FilesDeleted + second.EntriesRenamed);
            Assert.Equal(0, second.BytesCopied);

            Change(src, rng);
        }
    }
}
