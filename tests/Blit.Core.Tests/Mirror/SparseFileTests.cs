using Blit.Mirror;
using Blit.Platform;
using Blit.Tests.Support;

namespace Blit.Tests.Mirror;

/// <summary>
/// Issue 13, item 6: a file with holes stays sparse (SEEK_DATA/SEEK_HOLE, as cp does), so a
/// 1 GiB file holding 12 KiB of data fits a 64 MiB filesystem. Mounts need root.
/// </summary>
public sealed class SparseFileTests : IDisposable
{
    private readonly TempTree _t = new();
    private readonly string _mount;

    public SparseFileTests() => _mount = Path.Combine(_t.Root, "mnt");

    public void Dispose()
    {
        try
        {
            Tree.Run("umount", _mount);
        }
        catch (InvalidOperationException)
        {
            // not mounted
        }
        _t.Dispose();
    }

    private static long AllocatedBytes(string path) => long.Parse(Tree.Run("stat", "-c", "%b", path).Trim()) * 512;

    [Theory]
    [InlineData("ext4")]
    [InlineData("tmpfs")]
    public void A_1GiB_file_with_12KiB_of_data_fits_a_64MiB_filesystem_and_stays_sparse(string fs)
    {
        Assert.True(LinuxNative.GetEuid() == 0, "mounting the small destination needs root (.ci/run runs as root)");
        Directory.CreateDirectory(_mount);
        if (fs == "ext4")
        {
            string image = _mount + ".img";
            Tree.Run("truncate", "-s", "64M", image);
            Tree.Run("mkfs.ext4", "-q", "-F", "-m", "0", image);
            Tree.Run("mount", "-o", "loop", image, _mount);
        }
        else
        {
            Tree.Run("mount", "-t", "tmpfs", "-o", "size=64m", "blit-test", _mount);
        }
        string big = _t.Src("big.bin");
        var rng = new Random(6);
        using (var f = new FileStream(big, FileMode.Create))
        {
            f.SetLength(1L << 30);
            foreach (long offset in new[] { 0L, 512L << 20, (1L << 30) - 4096 })
            {
                byte[] chunk = new byte[4096];
                rng.NextBytes(chunk);
                f.Position = offset;
                f.Write(chunk);
            }
        }
        Tree.Write(_t.Src("dense.txt"), "dense");
        Assert.True(AllocatedBytes(big) < 1 << 20, "the source must be sparse for this test");
        string dest = Path.Combine(_mount, "dst");

        var listener = new RecordingListener();
        MirrorResult r = _t.Mirror(dest: dest, listener: listener);

        if (!Backend.KeepsHoles)
        {
            // Documented limit: the portable backend copies a sparse file dense, so 1 GiB does not fit
            // in 64 MiB: the copy fails as reported and leaves no partial file (a file copied while the
            // disk is full for that moment may fail too), so with big.bin left out the rest is mirrored.
            Assert.True(r.Errors >= 1);
            Assert.Equal(0, r.FilesSparse);
            Assert.Contains(listener.NonWarnings, e => e.Path != null && e.Path.EndsWith("big.bin", StringComparison.Ordinal));
            Assert.False(File.Exists(Path.Combine(dest, "big.bin")));
            Assert.Empty(Tree.TempFiles(dest));
            MirrorResult rest = _t.Mirror(dest: dest, exclude: ["big.bin"]);
            Assert.Equal(0, rest.Errors);
            Assert.Equal("dense", File.ReadAllText(Path.Combine(dest, "dense.txt")));
            return;
        }
        Assert.Equal(0, r.Errors);
        Assert.Equal(2, r.FilesCopied);
        Assert.Equal(1, r.FilesSparse);
        Assert.Equal(1L << 30, new FileInfo(Path.Combine(dest, "big.bin")).Length);
        Assert.True(AllocatedBytes(Path.Combine(dest, "big.bin")) < 1 << 20, "holes are kept");
        Tree.Run("cmp", big, Path.Combine(dest, "big.bin"));
        Assert.Equal("dense", File.ReadAllText(Path.Combine(dest, "dense.txt")));
        Assert.Equal(0, _t.Mirror(dest: dest).FilesCopied);
    }
}
