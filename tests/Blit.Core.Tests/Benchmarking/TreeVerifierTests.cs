using Blit.Benchmarking;
using Blit.Tests.Support;

namespace Blit.Tests.Benchmarking;

public sealed class TreeVerifierTests : IDisposable
{
    private readonly TempTree _temp = new();
    private readonly string _src;
    private readonly string _dst;
    private readonly TreeVerifier _verifier = new() { SampleFiles = 1000 };

    public TreeVerifierTests()
    {
        var builder = new WorkloadBuilder(new WorkloadSpec
        {
            Workload = Workload.SmallFiles, FileCount = 40, MinFileBytes = 100, MaxFileBytes = 900, FilesPerDirectory = 10,
        });
        _src = _temp.Combine("src");
        _dst = _temp.Combine("dst");
        builder.BuildSource(_src);
        builder.BuildSource(_dst);
    }

    public void Dispose() => _temp.Dispose();

    private string AnyFile(string root) => Path.Combine(root, TreeListing.Files(root)[5]);

    [Fact]
    public void Identical_trees_verify()
    {
        VerificationResult r = _verifier.Verify(_src, _dst, 1);
        Assert.True(r.Matches, r.Failure);
        Assert.Null(r.Failure);
        Assert.Equal(44, r.SourceEntries); // 40 files + 4 directories
        Assert.Equal(r.SourceBytes, r.DestinationBytes);
        Assert.Equal(40, r.FilesSampled);
    }

    [Fact]
    public void A_symlink_with_another_target_fails()
    {
        File.CreateSymbolicLink(Path.Combine(_src, "link"), "d00000/f0000001.bin");
        File.CreateSymbolicLink(Path.Combine(_dst, "link"), "d00000/f0000002.bin");
        VerificationResult r = _verifier.Verify(_src, _dst, 1);
        Assert.False(r.Matches);
        Assert.Contains("1 entry with another symlink target (link)", r.Failure);

        File.Delete(Path.Combine(_dst, "link"));
        File.CreateSymbolicLink(Path.Combine(_dst, "link"), "d00000/f0000001.bin");
        Assert.True(_verifier.Verify(_src, _dst, 1).Matches);
    }

    [Fact]
    public void A_missing_file_fails()
    {
        File.Delete(AnyFile(_dst));
        VerificationResult r = _verifier.Verify(_src, _dst, 1);
        Assert.False(r.Matches);
        Assert.Contains("missing from the destination", r.Failure);
    }

    [Fact]
    public void An_extra_file_fails()
    {
        File.WriteAllText(Path.Combine(_dst, "extra.txt"), "x");
        VerificationResult r = _verifier.Verify(_src, _dst, 1);
        Assert.False(r.Matches);
        Assert.Contains("extra in the destination (extra.txt)", r.Failure);
    }

    [Fact]
    public void A_size_difference_fails()
    {
        File.AppendAllText(AnyFile(_dst), "more");
        VerificationResult r = _verifier.Verify(_src, _dst, 1);
        Assert.False(r.Matches);
        Assert.Contains("of another size", r.Failure);
    }

    [Fact]
    public void Same_size_other_content_fails_when_sampled()
    {
        string path = AnyFile(_dst);
        DateTime mtime = File.GetLastWriteTimeUtc(path);
        byte[] data = File.ReadAllBytes(path);
        data[^1] ^= 0xFF;
        File.WriteAllBytes(path, data);
        File.SetLastWriteTimeUtc(path, mtime);
        VerificationResult r = _verifier.Verify(_src, _dst, 1);
        Assert.False(r.Matches);
        Assert.Contains("content differs", r.Failure);
    }

    [Fact]
    public void A_changed_file_is_sampled_first()
    {
        string rel = TreeListing.Files(_dst)[7];
        string path = Path.Combine(_dst, rel);
        DateTime mtime = File.GetLastWriteTimeUtc(path);
        byte[] data = File.ReadAllBytes(path);
        data[0] ^= 0xFF;
        File.WriteAllBytes(path, data);
        File.SetLastWriteTimeUtc(path, mtime);
        var small = new TreeVerifier { SampleFiles = 2 };
        VerificationResult r = small.Verify(_src, _dst, 1, [rel]);
        Assert.False(r.Matches);
        Assert.Contains(rel, r.Failure);
    }

    [Fact]
    public void An_mtime_difference_fails()
    {
        File.SetLastWriteTimeUtc(AnyFile(_dst), DateTime.UtcNow);
        VerificationResult r = _verifier.Verify(_src, _dst, 1);
        Assert.False(r.Matches);
        Assert.Contains("with another mtime", r.Failure);
    }

    [Fact]
    public void A_one_second_mtime_difference_on_ext4_fails()
    {
        // ext4 keeps nanoseconds, and so do the tools verified there (rsync -a, cp -a, Blit): a
        // verifier that let a second pass would call a run that drops sub-second times correct.
        using var ext4 = new LoopExt4(_temp.Root);
        string src = ext4.Path("src"), dst = ext4.Path("dst");
        foreach (string root in new[] { src, dst })
        {
            Directory.CreateDirectory(root);
            File.WriteAllText(Path.Combine(root, "a.txt"), "same");
            File.SetLastWriteTimeUtc(Path.Combine(root, "a.txt"), new DateTime(2024, 5, 1, 12, 0, 0, 123, DateTimeKind.Utc));
        }
        Assert.True(new TreeVerifier().Verify(src, dst, 1).Matches);

        File.SetLastWriteTimeUtc(Path.Combine(dst, "a.txt"), new DateTime(2024, 5, 1, 12, 0, 1, 123, DateTimeKind.Utc));
        VerificationResult r = new TreeVerifier().Verify(src, dst, 1);
        Assert.False(r.Matches);
        Assert.Contains("1 entry with another mtime (a.txt)", r.Failure);

        // A tick (100 ns) apart is apart too: ext4 keeps it.
        File.SetLastWriteTimeUtc(Path.Combine(dst, "a.txt"), new DateTime(2024, 5, 1, 12, 0, 0, 123, DateTimeKind.Utc).AddTicks(1));
        Assert.False(new TreeVerifier().Verify(src, dst, 1).Matches);
    }

    [Fact]
    public void The_mtime_tolerance_is_the_destination_filesystems_measured_precision()
    {
        using var ext4 = new LoopExt4(_temp.Root);
        Assert.Equal(TimeSpan.Zero, TreeVerifier.MeasureTolerance(ext4.MountPoint));
        Assert.Contains("as exactly as the destination's filesystem keeps them", new TreeVerifier().Describe());
        Assert.Contains("within 2 s", new TreeVerifier { MtimeTolerance = TimeSpan.FromSeconds(2) }.Describe());
    }

    [Fact]
    public void A_directory_where_a_file_belongs_fails()
    {
        string path = AnyFile(_dst);
        File.Delete(path);
        Directory.CreateDirectory(path);
        VerificationResult r = _verifier.Verify(_src, _dst, 1);
        Assert.False(r.Matches);
        Assert.Contains("of another type", r.Failure);
    }

    [Fact]
    public void A_missing_destination_fails()
    {
        VerificationResult r = _verifier.Verify(_src, _temp.Combine("nowhere"), 1);
        Assert.False(r.Matches);
        Assert.Contains("does not exist", r.Failure);
    }

    [Fact]
    public void A_large_file_is_compared_by_blocks_including_its_last()
    {
        var spec = new WorkloadSpec { Workload = Workload.LargeFile, LargeFileBytes = 6L << 20 };
        var builder = new WorkloadBuilder(spec);
        builder.BuildSource(_temp.Combine("ls"));
        builder.BuildSource(_temp.Combine("ld"));
        var verifier = new TreeVerifier();
        VerificationResult good = verifier.Verify(_temp.Combine("ls"), _temp.Combine("ld"), 3);
        Assert.True(good.Matches, good.Failure);
        Assert.InRange(good.BytesCompared, 2L << 20, 10L << 20); // blocks, not the whole file

        string path = _temp.Combine("ld", WorkloadBuilder.LargeFileName);
        DateTime mtime = File.GetLastWriteTimeUtc(path);
        using (var f = new FileStream(path, FileMode.Open, FileAccess.Write, FileShare.Read))
        {
            f.Position = f.Length - 10;
            f.WriteByte((byte)(File.ReadAllBytes(_temp.Combine("ls", WorkloadBuilder.LargeFileName))[^10] ^ 0xFF));
        }
        File.SetLastWriteTimeUtc(path, mtime);
        VerificationResult bad = verifier.Verify(_temp.Combine("ls"), _temp.Combine("ld"), 3);
        Assert.False(bad.Matches);
        Assert.Contains("content differs", bad.Failure);
    }
}
