using System.Globalization;
using Blit.Errors;

namespace Blit.Benchmarking;

/// <summary>
/// One measurable workload at one size: what tree to build (sizes, counts, layout, seed) and,
/// for Incremental, how to change it. Immutable; <c>with</c> makes variants. The defaults are
/// the gate's (DESIGN.md §4); <see cref="Quick"/> gives smoke-test sizes.
/// </summary>
public sealed record WorkloadSpec
{
    /// <summary>Bytes in a MiB.</summary>
    public const long MiB = 1L << 20;
    /// <summary>Bytes in a KiB.</summary>
    public const long KiB = 1L << 10;

    /// <summary>Upper bounds that catch typos (a size in bytes given as MiB) before a disk fills up.</summary>
    public const long MaxLargeFileBytes = 1L << 40;          // 1 TiB
    /// <summary>Largest accepted file count.</summary>
    public const int MaxFileCount = 10_000_000;
    /// <summary>Largest accepted small-file size.</summary>
    public const long MaxSmallFileBytes = 1L << 30;          // 1 GiB
    /// <summary>The seed the gate's trees are generated from.</summary>
    public const int DefaultSeed = 20_250_601;

    /// <summary>The workload this spec describes.</summary>
    public required Workload Workload { get; init; }

    /// <summary>Size of the one large file (LargeFile, Mixed); 0 for none.</summary>
    public long LargeFileBytes { get; init; }

    /// <summary>Number of small files (SmallFiles, Mixed, Incremental and NoOp base tree).</summary>
    public int FileCount { get; init; }

    /// <summary>Smallest small-file size in bytes (inclusive).</summary>
    public long MinFileBytes { get; init; }

    /// <summary>Largest small-file size in bytes (inclusive); sizes are seeded-uniform in [min, max].</summary>
    public long MaxFileBytes { get; init; }

    /// <summary>Small files per directory (the tree is one level of directories under the root).</summary>
    public int FilesPerDirectory { get; init; } = 1000;

    /// <summary>Incremental: files appended to.</summary>
    public int TouchCount { get; init; }

    /// <summary>Incremental: files deleted.</summary>
    public int DeleteCount { get; init; }

    /// <summary>Incremental: files added.</summary>
    public int AddCount { get; init; }

    /// <summary>Seed of every random choice (sizes, contents, mtimes, which files change).</summary>
    public int Seed { get; init; } = DefaultSeed;

    /// <summary>Measured runs for this workload; null: the benchmark's (-Runs). Tiny needs many to be stable at ms scale.</summary>
    public int? Runs { get; init; }

    /// <summary>Warm-up runs for this workload; null: the benchmark's (-Warmup).</summary>
    public int? Warmup { get; init; }

    /// <summary>Tiny: the entries of its tree (an empty file, a small file, two nested directories, a symlink).</summary>
    public const int TinyEntries = 5;

    /// <summary>Tiny: the files of its tree (the empty one and the small one).</summary>
    public const int TinyFiles = 2;

    /// <summary>Tiny: the size of its small file.</summary>
    public const long TinySmallFileBytes = 1 * KiB;

    /// <summary>Distinguishes sizes of one workload in logs and baselines, e.g. "1024MiB" or "100000files".</summary>
    public string SizeLabel
    {
        get
        {
            string files = FileCount.ToString(CultureInfo.InvariantCulture) + "files";
            string large = (LargeFileBytes / MiB).ToString(CultureInfo.InvariantCulture) + "MiB";
            return Workload switch
            {
                Workload.LargeFile => large,
                Workload.Mixed => $"{large}+{files}",
                Workload.Incremental => string.Create(CultureInfo.InvariantCulture,
                    $"{files}_t{TouchCount}_d{DeleteCount}_a{AddCount}"),
                Workload.Tiny => TinyEntries.ToString(CultureInfo.InvariantCulture) + "entries",
                _ => files,
            };
        }
    }

    /// <summary>True when the workload copies the whole tree into an empty destination each run.</summary>
    public bool IsFullCopy => Workload is Workload.LargeFile or Workload.SmallFiles or Workload.Mixed or Workload.Tiny;

    /// <summary>The gate's defaults (DESIGN.md §4); LargeFile gives one spec per size.</summary>
    public static IReadOnlyList<WorkloadSpec> Defaults(Workload workload) => workload switch
    {
        Workload.LargeFile => [.. new long[] { 512, 1024, 2048, 4096 }.Select(m => new WorkloadSpec
        {
            Workload = Workload.LargeFile,
            LargeFileBytes = m * MiB,
        })],
        Workload.SmallFiles => [SmallTree(Workload.SmallFiles, 100_000)],
        Workload.Mixed => [new WorkloadSpec
        {
            Workload = Workload.Mixed,
            LargeFileBytes = 512 * MiB,
            FileCount = 50_000,
            MinFileBytes = 2 * KiB,
            MaxFileBytes = 2 * KiB,
        }],
        Workload.Incremental => [SmallTree(Workload.Incremental, 100_000) with
        {
            TouchCount = 2_000,
            DeleteCount = 1_000,
            AddCount = 1_000,
        }],
        Workload.NoOp => [SmallTree(Workload.NoOp, 100_000)],
        Workload.Tiny => [new WorkloadSpec { Workload = Workload.Tiny, Runs = 30, Warmup = 3 }],
        _ => throw new ArgumentOutOfRangeException(nameof(workload), workload, null),
    };

    /// <summary>
    /// The modes a workload is measured in unless the caller says otherwise: warm for every workload, and cold
    /// too where start-up is a large part of a run that people start on its own (cron, timers): Tiny, NoOp and
    /// Incremental. The full copies move enough data that a fresh pwsh's start-up is a small part of them.
    /// </summary>
    public static IReadOnlyList<BenchmarkMode> DefaultModes(Workload workload) =>
        workload is Workload.Tiny or Workload.NoOp or Workload.Incremental
            ? [BenchmarkMode.Warm, BenchmarkMode.Cold]
            : [BenchmarkMode.Warm];

    /// <summary>Small sizes for smoke tests (-Quick).</summary>
    public static IReadOnlyList<WorkloadSpec> Quick(Workload workload) => workload switch
    {
        Workload.LargeFile => [new WorkloadSpec { Workload = Workload.LargeFile, LargeFileBytes = 8 * MiB }],
        Workload.SmallFiles => [SmallTree(Workload.SmallFiles, 2_000)],
        Workload.Mixed => [new WorkloadSpec
        {
            Workload = Workload.Mixed,
            LargeFileBytes = 8 * MiB,
            FileCount = 1_000,
            MinFileBytes = 2 * KiB,
            MaxFileBytes = 2 * KiB,
        }],
        Workload.Incremental => [SmallTree(Workload.Incremental, 2_000) with
        {
            TouchCount = 40,
            DeleteCount = 20,
            AddCount = 20,
        }],
        Workload.NoOp => [SmallTree(Workload.NoOp, 2_000)],
        Workload.Tiny => [new WorkloadSpec { Workload = Workload.Tiny, Runs = 10, Warmup = 2 }],
        _ => throw new ArgumentOutOfRangeException(nameof(workload), workload, null),
    };

    private static WorkloadSpec SmallTree(Workload workload, int count) => new()
    {
        Workload = workload,
        FileCount = count,
        MinFileBytes = 1 * KiB,
        MaxFileBytes = 10 * KiB,
    };

    /// <summary>Files in the tree the tools mirror (for Incremental: after the change).</summary>
    public long SourceFileCount => (LargeFileBytes > 0 ? 1 : 0) + FileCount
        + (Workload == Workload.Incremental ? AddCount - DeleteCount : 0)
        + (Workload == Workload.Tiny ? TinyFiles : 0);

    /// <summary>Throws <see cref="BlitException"/> (InvalidArgument) for impossible or absurd figures.</summary>
    public void Validate()
    {
        string name = $"{Workload} workload";
        if (!Enum.IsDefined(Workload))
        {
            Fail($"Unknown workload {(int)Workload}.");
        }
        bool needsLarge = Workload is Workload.LargeFile or Workload.Mixed;
        bool needsSmall = Workload is not (Workload.LargeFile or Workload.Tiny);
        if (needsLarge && (LargeFileBytes <= 0 || LargeFileBytes > MaxLargeFileBytes))
        {
            Fail($"The {name}'s large file must be between 1 byte and {MaxLargeFileBytes / MiB:N0} MiB; got {LargeFileBytes:N0} bytes.");
        }
        if (!needsLarge && LargeFileBytes != 0)
        {
            Fail($"The {name} has no large file; got a large-file size of {LargeFileBytes:N0} bytes.");
        }
        if (needsSmall)
        {
            if (FileCount <= 0 || FileCount > MaxFileCount)
            {
                Fail($"The {name}'s file count must be between 1 and {MaxFileCount:N0}; got {FileCount:N0}.");
            }
            if (MinFileBytes < 0 || MaxFileBytes > MaxSmallFileBytes || MinFileBytes > MaxFileBytes)
            {
                Fail($"The {name}'s file sizes must satisfy 0 <= minimum <= maximum <= {MaxSmallFileBytes / MiB:N0} MiB; " +
                     $"got {MinFileBytes:N0} to {MaxFileBytes:N0} bytes.");
            }
            if (FilesPerDirectory <= 0 || FilesPerDirectory > MaxFileCount)
            {
                Fail($"Files per directory must be between 1 and {MaxFileCount:N0}; got {FilesPerDirectory:N0}.");
            }
        }
        else if (FileCount != 0)
        {
            Fail($"The {name} has no small files; got a file count of {FileCount:N0}.");
        }
        if (Runs is < 1 or > BenchmarkOptions.MaxRuns)
        {
            Fail($"The {name}'s runs must be between 1 and {BenchmarkOptions.MaxRuns}; got {Runs}.");
        }
        if (Warmup is < 0 or > BenchmarkOptions.MaxWarmup)
        {
            Fail($"The {name}'s warm-up runs must be between 0 and {BenchmarkOptions.MaxWarmup}; got {Warmup}.");
        }
        if (TouchCount < 0 || DeleteCount < 0 || AddCount < 0)
        {
            Fail($"Touch, delete and add counts cannot be negative; got {TouchCount}, {DeleteCount}, {AddCount}.");
        }
        if (Workload == Workload.Incremental)
        {
            if ((long)TouchCount + DeleteCount > FileCount)
            {
                Fail($"The Incremental workload touches {TouchCount:N0} and deletes {DeleteCount:N0} distinct files, " +
                     $"more than the {FileCount:N0} it has.");
            }
            if (AddCount > MaxFileCount)
            {
                Fail($"The Incremental workload's add count must be at most {MaxFileCount:N0}; got {AddCount:N0}.");
            }
            if (TouchCount + DeleteCount + AddCount == 0)
            {
                Fail("The Incremental workload needs at least one change (touch, delete or add); with none it is the NoOp workload.");
            }
        }
        else if (TouchCount + DeleteCount + AddCount != 0)
        {
            Fail($"Only the Incremental workload changes its tree; the {name} got touch/delete/add counts.");
        }
    }

    private static void Fail(string message) => throw new BlitException(BlitErrorCode.InvalidArgument, message);
}
