using Blit.Benchmarking;
using Blit.Tests.Support;

namespace Blit.Tests.Benchmarking;

public sealed class WorkloadBuilderTests : IDisposable
{
    private readonly TempTree _temp = new();

    public void Dispose() => _temp.Dispose();

    private static WorkloadSpec Small(int count = 250, int seed = 7) => new()
    {
        Workload = Workload.SmallFiles,
        FileCount = count,
        MinFileBytes = 1024,
        MaxFileBytes = 3 * 1024,
        FilesPerDirectory = 100,
        Seed = seed,
    };

    private static WorkloadSpec Incremental(int seed = 11) => Small(300, seed) with
    {
        Workload = Workload.Incremental,
        TouchCount = 17,
        DeleteCount = 9,
        AddCount = 13,
    };

    [Fact]
    public void Tiny_builds_an_empty_file_a_small_file_nested_directories_and_a_symlink()
    {
        var spec = Assert.Single(WorkloadSpec.Defaults(Workload.Tiny));
        var builder = new WorkloadBuilder(spec);
        string root = _temp.Combine("tiny");
        builder.BuildSource(root);

        Assert.Equal(0, new FileInfo(Path.Combine(root, WorkloadBuilder.TinyEmptyFile)).Length);
        Assert.Equal(WorkloadSpec.TinySmallFileBytes, new FileInfo(Path.Combine(root, WorkloadBuilder.TinySmallFile)).Length);
        Assert.True(Directory.Exists(Path.Combine(root, WorkloadBuilder.TinyNestedDirectory)));
        var link = new FileInfo(Path.Combine(root, WorkloadBuilder.TinySymlink));
        Assert.Equal(WorkloadBuilder.TinySmallFile, link.LinkTarget);
        Assert.Equal(WorkloadSpec.TinyEntries, Directory.GetFileSystemEntries(root, "*", SearchOption.AllDirectories).Length);
        Assert.Equal((WorkloadSpec.TinyFiles, WorkloadSpec.TinySmallFileBytes), (builder.SourceFileCount, builder.SourceBytes));
        Assert.Equal(builder.SourceFileCount, spec.SourceFileCount);
        Assert.Equal($"{WorkloadSpec.TinyEntries}entries", spec.SizeLabel);
        Assert.True(spec.IsFullCopy);
    }

    [Fact]
    public void Tiny_takes_many_runs_and_is_measured_warm_and_cold_by_default()
    {
        WorkloadSpec gate = Assert.Single(WorkloadSpec.Defaults(Workload.Tiny));
        WorkloadSpec quick = Assert.Single(WorkloadSpec.Quick(Workload.Tiny));
        Assert.True(gate.Runs > 5 * 5 && gate.Warmup > 1, "the gate's Tiny needs many runs to be stable at ms scale");
        Assert.True(quick.Runs > 3 && quick.Warmup >= 1);
        Assert.Equal([BenchmarkMode.Warm, BenchmarkMode.Cold], WorkloadSpec.DefaultModes(Workload.Tiny));
        Assert.Equal([BenchmarkMode.Warm, BenchmarkMode.Cold], WorkloadSpec.DefaultModes(Workload.NoOp));
        Assert.Equal([BenchmarkMode.Warm], WorkloadSpec.DefaultModes(Workload.SmallFiles));
    }

    [Fact]
    public void The_same_seed_builds_the_same_tree()
    {
        new WorkloadBuilder(Small()).BuildSource(_temp.Combine("a"));
        new WorkloadBuilder(Small()).BuildSource(_temp.Combine("b"));
        Assert.Equal(TreeListing.Of(_temp.Combine("a")), TreeListing.Of(_temp.Combine("b")));
    }

    [Fact]
    public void Another_seed_builds_another_tree()
    {
        new WorkloadBuilder(Small(seed: 1)).BuildSource(_temp.Combine("a"));
        new WorkloadBuilder(Small(seed: 2)).BuildSource(_temp.Combine("b"));
        List<string> a = TreeListing.Of(_temp.Combine("a")), b = TreeListing.Of(_temp.Combine("b"));
        Assert.Equal(TreeListing.Files(_temp.Combine("a")), TreeListing.Files(_temp.Combine("b"))); // same layout
        Assert.True(a.Zip(b).Count(p => p.First != p.Second) > a.Count / 2, "contents, sizes and mtimes should differ");
    }

    [Fact]
    public void Small_files_have_exact_counts_layout_and_sizes_within_bounds()
    {
        var builder = new WorkloadBuilder(Small());
        string root = _temp.Combine("t");
        builder.BuildSource(root);

        string[] dirs = Directory.GetDirectories(root);
        Assert.Equal(3, dirs.Length); // 250 files, 100 per directory
        Assert.All(dirs, d => Assert.True(Directory.GetFiles(d).Length <= 100));
        var files = Directory.GetFiles(root, "*", SearchOption.AllDirectories).Select(f => new FileInfo(f)).ToList();
        Assert.Equal(250, files.Count);
        Assert.All(files, f => Assert.InRange(f.Length, 1024, 3 * 1024));
        Assert.Equal(builder.SourceBytes, files.Sum(f => f.Length));
        Assert.Equal(250, builder.SourceFileCount);
        Assert.True(files.Select(f => f.Length).Distinct().Count() > 50, "sizes should be spread over the range");
        Assert.All(dirs, d => Assert.Equal(WorkloadBuilder.BaseTime, Directory.GetLastWriteTimeUtc(d)));
        Assert.Equal(WorkloadBuilder.BaseTime, Directory.GetLastWriteTimeUtc(root));
    }

    [Fact]
    public void Large_file_has_the_exact_size_and_the_seeded_content()
    {
        var spec = new WorkloadSpec { Workload = Workload.LargeFile, LargeFileBytes = (3L << 20) + 5, Seed = 3 };
        var builder = new WorkloadBuilder(spec);
        string root = _temp.Combine("l");
        builder.BuildSource(root);
        string path = Path.Combine(root, WorkloadBuilder.LargeFileName);
        Assert.Equal([WorkloadBuilder.LargeFileName], TreeListing.Files(root));
        byte[] data = File.ReadAllBytes(path);
        Assert.Equal(spec.LargeFileBytes, data.Length);
        var expected = new byte[data.Length];
        WorkloadBuilder.FillContent(builder.BaseFiles[0].ContentSeed, 0, expected);
        Assert.Equal(expected, data);
        Assert.True(data.Distinct().Count() == 256, "content should be incompressible noise, not zeros");
    }

    [Fact]
    public void Mixed_has_one_large_file_and_the_small_files()
    {
        var spec = new WorkloadSpec
        {
            Workload = Workload.Mixed, LargeFileBytes = 1L << 20, FileCount = 120, MinFileBytes = 2048, MaxFileBytes = 2048,
            FilesPerDirectory = 50,
        };
        var builder = new WorkloadBuilder(spec);
        string root = _temp.Combine("m");
        builder.BuildSource(root);
        var files = Directory.GetFiles(root, "*", SearchOption.AllDirectories).Select(f => new FileInfo(f)).ToList();
        Assert.Equal(121, files.Count);
        Assert.Equal(1L << 20, new FileInfo(Path.Combine(root, WorkloadBuilder.LargeFileName)).Length);
        Assert.Equal(120, files.Count(f => f.Length == 2048));
        Assert.Equal((1L << 20) + 120 * 2048, builder.SourceBytes);
    }

    [Theory]
    [InlineData(0, 100)]
    [InlineData(13, 87)]
    [InlineData(7, 1)]
    [InlineData(8, 33)]
    public void Content_at_an_offset_continues_the_same_stream(int offset, int length)
    {
        var whole = new byte[offset + length];
        WorkloadBuilder.FillContent(42, 0, whole);
        var part = new byte[length];
        WorkloadBuilder.FillContent(42, offset, part);
        Assert.Equal(whole[offset..], part);
    }

    [Fact]
    public void The_incremental_change_touches_deletes_and_adds_exactly_as_asked()
    {
        var builder = new WorkloadBuilder(Incremental());
        string baseRoot = _temp.Combine("base"), root = _temp.Combine("src");
        builder.BuildBase(baseRoot);
        builder.BuildSource(root);

        Assert.Equal(17, builder.TouchedFiles.Count);
        Assert.Equal(9, builder.DeletedFiles.Count);
        Assert.Equal(13, builder.AddedFiles.Count);
        var touched = builder.TouchedFiles.Select(f => f.RelativePath).ToHashSet();
        var deleted = builder.DeletedFiles.Select(f => f.RelativePath).ToHashSet();
        Assert.Empty(touched.Intersect(deleted));

        List<string> baseFiles = TreeListing.Files(baseRoot), files = TreeListing.Files(root);
        Assert.Equal(300, baseFiles.Count);
        Assert.Equal(300 - 9 + 13, files.Count);
        Assert.Equal(builder.SourceFileCount, files.Count);
        Assert.All(deleted, p => Assert.DoesNotContain(p, files));
        Assert.All(builder.AddedFiles, f => Assert.Equal(f.Length, new FileInfo(Path.Combine(root, f.RelativePath)).Length));
        foreach (GeneratedFile f in builder.TouchedFiles)
        {
            byte[] before = File.ReadAllBytes(Path.Combine(baseRoot, f.RelativePath));
            byte[] after = File.ReadAllBytes(Path.Combine(root, f.RelativePath));
            Assert.True(after.Length > before.Length, $"{f.RelativePath} should have grown");
            Assert.Equal(before, after[..before.Length]); // appended, not rewritten
            Assert.Equal(f.LastWriteTimeUtc, File.GetLastWriteTimeUtc(Path.Combine(root, f.RelativePath)));
            Assert.True(f.LastWriteTimeUtc >= WorkloadBuilder.ChangeTime);
        }
        long bytes = Directory.GetFiles(root, "*", SearchOption.AllDirectories).Sum(p => new FileInfo(p).Length);
        Assert.Equal(builder.SourceBytes, bytes);
        // Untouched files are byte- and mtime-identical to the base tree.
        var unchanged = baseFiles.Where(p => !touched.Contains(p) && !deleted.Contains(p)).ToList();
        Assert.Equal(300 - 17 - 9, unchanged.Count);
        Assert.All(unchanged, p => Assert.Equal(File.ReadAllBytes(Path.Combine(baseRoot, p)), File.ReadAllBytes(Path.Combine(root, p))));
    }

    [Fact]
    public void A_file_that_cannot_be_written_fails_the_build_with_its_own_error_not_an_aggregate()
    {
        // A full disk while building a million-file tree surfaced as "One or more errors occurred".
        var builder = new WorkloadBuilder(Small());
        string root = _temp.Combine("blocked");
        string first = builder.SourceFiles.Where(f => f.Length < 1 << 20).First().RelativePath;
        Directory.CreateDirectory(Path.Combine(root, first)); // a directory where the file goes

        Exception ex = Assert.ThrowsAny<Exception>(() => builder.BuildBase(root));
        Assert.IsNotType<AggregateException>(ex);
        Assert.Contains(Path.GetFileName(first), ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Reverting_the_change_gives_back_the_base_tree_exactly()
    {
        var builder = new WorkloadBuilder(Incremental());
        builder.BuildBase(_temp.Combine("base"));
        builder.BuildSource(_temp.Combine("dest"));
        builder.RevertChange(_temp.Combine("dest"));
        Assert.Equal(TreeListing.Of(_temp.Combine("base")), TreeListing.Of(_temp.Combine("dest")));

        // And the change applies again on the reverted tree (every measured run is a real update).
        builder.ApplyChange(_temp.Combine("dest"));
        builder.BuildSource(_temp.Combine("src"));
        Assert.Equal(TreeListing.Of(_temp.Combine("src")), TreeListing.Of(_temp.Combine("dest")));
    }

    [Fact]
    public void Mutation_choices_are_seeded()
    {
        var a = new WorkloadBuilder(Incremental(seed: 5));
        var b = new WorkloadBuilder(Incremental(seed: 5));
        var c = new WorkloadBuilder(Incremental(seed: 6));
        Assert.Equal(a.TouchedFiles, b.TouchedFiles);
        Assert.Equal(a.DeletedFiles, b.DeletedFiles);
        Assert.Equal(a.AddedFiles, b.AddedFiles);
        Assert.NotEqual(a.TouchedFiles.Select(f => f.RelativePath), c.TouchedFiles.Select(f => f.RelativePath));
    }

    [Fact]
    public void Building_stops_when_cancelled()
    {
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        Assert.ThrowsAny<OperationCanceledException>(() => new WorkloadBuilder(Small()).BuildSource(_temp.Combine("c"), cts.Token));
    }
}
