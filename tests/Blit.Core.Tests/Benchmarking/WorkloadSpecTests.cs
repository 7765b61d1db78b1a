using Blit.Benchmarking;
using Blit.Errors;

namespace Blit.Tests.Benchmarking;

public class WorkloadSpecTests
{
    private const long MiB = 1L << 20;
    private const long KiB = 1L << 10;

    [Fact]
    public void Defaults_are_the_gate_sizes_of_the_design()
    {
        Assert.Equal([512 * MiB, 1024 * MiB, 2048 * MiB, 4096 * MiB],
            WorkloadSpec.Defaults(Workload.LargeFile).Select(s => s.LargeFileBytes));

        WorkloadSpec small = Assert.Single(WorkloadSpec.Defaults(Workload.SmallFiles));
        Assert.Equal((100_000, 1 * KiB, 10 * KiB, 1000), (small.FileCount, small.MinFileBytes, small.MaxFileBytes, small.FilesPerDirectory));

        WorkloadSpec mixed = Assert.Single(WorkloadSpec.Defaults(Workload.Mixed));
        Assert.Equal((512 * MiB, 50_000, 2 * KiB, 2 * KiB), (mixed.LargeFileBytes, mixed.FileCount, mixed.MinFileBytes, mixed.MaxFileBytes));

        WorkloadSpec inc = Assert.Single(WorkloadSpec.Defaults(Workload.Incremental));
        Assert.Equal((100_000, 2000, 1000, 1000), (inc.FileCount, inc.TouchCount, inc.DeleteCount, inc.AddCount));

        WorkloadSpec noop = Assert.Single(WorkloadSpec.Defaults(Workload.NoOp));
        Assert.Equal((100_000, 0, 0, 0), (noop.FileCount, noop.TouchCount, noop.DeleteCount, noop.AddCount));
    }

    [Fact]
    public void Quick_sizes_are_small()
    {
        Assert.Equal([8 * MiB], WorkloadSpec.Quick(Workload.LargeFile).Select(s => s.LargeFileBytes));
        WorkloadSpec small = Assert.Single(WorkloadSpec.Quick(Workload.SmallFiles));
        Assert.Equal((2000, 1 * KiB, 10 * KiB), (small.FileCount, small.MinFileBytes, small.MaxFileBytes));
        WorkloadSpec mixed = Assert.Single(WorkloadSpec.Quick(Workload.Mixed));
        Assert.Equal((8 * MiB, 1000, 2 * KiB, 2 * KiB), (mixed.LargeFileBytes, mixed.FileCount, mixed.MinFileBytes, mixed.MaxFileBytes));
        WorkloadSpec inc = Assert.Single(WorkloadSpec.Quick(Workload.Incremental));
        Assert.Equal((2000, 40, 20, 20), (inc.FileCount, inc.TouchCount, inc.DeleteCount, inc.AddCount));
        Assert.Equal(2000, Assert.Single(WorkloadSpec.Quick(Workload.NoOp)).FileCount);
    }

    public static TheoryData<Workload> EveryWorkload() => [.. Enum.GetValues<Workload>()];

    [Theory]
    [MemberData(nameof(EveryWorkload))]
    public void Every_workload_has_default_and_quick_specs_of_its_own_that_are_valid(Workload workload)
    {
        Assert.NotEmpty(WorkloadSpec.Defaults(workload));
        Assert.NotEmpty(WorkloadSpec.Quick(workload));
        Assert.All(WorkloadSpec.Defaults(workload).Concat(WorkloadSpec.Quick(workload)), spec =>
        {
            Assert.Equal(workload, spec.Workload);
            Assert.Null(Record.Exception(spec.Validate));
        });
    }

    public static TheoryData<WorkloadSpec, string> InvalidSpecs()
    {
        WorkloadSpec small = WorkloadSpec.Quick(Workload.SmallFiles)[0];
        WorkloadSpec inc = WorkloadSpec.Quick(Workload.Incremental)[0];
        WorkloadSpec large = WorkloadSpec.Quick(Workload.LargeFile)[0];
        return new TheoryData<WorkloadSpec, string>
        {
            { small with { FileCount = 0 }, "file count" },
            { small with { FileCount = -5 }, "file count" },
            { small with { FileCount = WorkloadSpec.MaxFileCount + 1 }, "file count" },
            { small with { MinFileBytes = -1 }, "file sizes" },
            { small with { MinFileBytes = 10 * KiB, MaxFileBytes = 1 * KiB }, "file sizes" },
            { small with { MaxFileBytes = WorkloadSpec.MaxSmallFileBytes + 1 }, "file sizes" },
            { small with { FilesPerDirectory = 0 }, "per directory" },
            { small with { TouchCount = 3 }, "Only the Incremental" },
            { large with { LargeFileBytes = 0 }, "large file" },
            { large with { LargeFileBytes = -MiB }, "large file" },
            { large with { LargeFileBytes = WorkloadSpec.MaxLargeFileBytes + 1 }, "large file" },
            { large with { FileCount = 10 }, "no small files" },
            { small with { LargeFileBytes = MiB }, "no large file" },
            { inc with { TouchCount = 1500, DeleteCount = 600 }, "more than" },
            { inc with { TouchCount = -1 }, "negative" },
            { inc with { TouchCount = 0, DeleteCount = 0, AddCount = 0 }, "at least one change" },
        };
    }

    [Theory]
    [MemberData(nameof(InvalidSpecs))]
    public void Impossible_or_absurd_figures_are_InvalidArgument(WorkloadSpec spec, string messagePart)
    {
        BlitException ex = Assert.Throws<BlitException>(spec.Validate);
        Assert.Equal(BlitErrorCode.InvalidArgument, ex.Code);
        Assert.Contains(messagePart, ex.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void Size_labels_tell_sizes_apart()
    {
        Assert.Equal(["512MiB", "1024MiB", "2048MiB", "4096MiB"], WorkloadSpec.Defaults(Workload.LargeFile).Select(s => s.SizeLabel));
        Assert.Equal("100000files", WorkloadSpec.Defaults(Workload.SmallFiles)[0].SizeLabel);
        Assert.Equal("512MiB+50000files", WorkloadSpec.Defaults(Workload.Mixed)[0].SizeLabel);
        Assert.Equal("100000files_t2000_d1000_a1000", WorkloadSpec.Defaults(Workload.Incremental)[0].SizeLabel);
        Assert.Equal("2000files", WorkloadSpec.Quick(Workload.NoOp)[0].SizeLabel);
    }
}
