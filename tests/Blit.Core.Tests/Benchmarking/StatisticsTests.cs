using Blit.Benchmarking;

namespace Blit.Tests.Benchmarking;

public class StatisticsTests
{
    [Fact]
    public void Median_of_an_odd_count_is_the_middle_value()
    {
        Assert.Equal(3.0, Statistics.Median([5.0, 1.0, 3.0]));
        Assert.Equal(7.5, Statistics.Median([7.5]));
    }

    [Fact]
    public void Median_of_an_even_count_is_the_mean_of_the_middle_two()
    {
        Assert.Equal(2.5, Statistics.Median([4.0, 1.0, 2.0, 3.0]));
    }

    [Fact]
    public void Min_and_max()
    {
        Assert.Equal(0.5, Statistics.Min([2.0, 0.5, 9.0]));
        Assert.Equal(9.0, Statistics.Max([2.0, 0.5, 9.0]));
    }

    [Fact]
    public void No_values_is_an_error_not_a_zero()
    {
        Assert.Throws<ArgumentException>(() => Statistics.Median([]));
        Assert.Throws<ArgumentException>(() => Statistics.Min([]));
    }

    [Fact]
    public void Rate_of_zero_seconds_is_zero_not_infinity()
    {
        Assert.Equal(0, Statistics.Rate(100, 0));
        Assert.Equal(50, Statistics.Rate(100, 2));
    }

    private static MeasurementContext Context() => new()
    {
        Workload = Workload.SmallFiles,
        SizeLabel = "1000files",
        TotalBytes = 40L << 20,
        FileCount = 1000,
        Tool = "rsync",
        Command = "rsync -a --delete SRC/ DEST/",
        IsComparator = true,
        WarmupRuns = 1,
        Timestamp = DateTimeOffset.UnixEpoch,
        System = new SystemInfo
        {
            Platform = "linux", OperatingSystem = "os", Kernel = "k", CpuModel = "cpu", CpuCount = 2, MemoryBytes = 1,
            MachineName = "m", FileSystem = "ext4", DeviceKind = "ssd", BlitVersion = "0",
        },
    };

    private static RunSample Sample(int run, double wall, bool verified, long peak = 10) => new()
    {
        Run = run, WallSeconds = wall, CpuSeconds = wall / 2, PeakMemoryBytes = peak, Verified = verified,
        Failure = verified ? null : "verification failed",
    };

    [Fact]
    public void A_summary_keeps_its_own_runs_when_the_caller_reuses_its_list()
    {
        // The runner clears and refills one list per tool for the next mode (warm, then cold):
        // the warm measurement must not end up holding the cold runs.
        var runs = new List<RunSample> { Sample(1, 0.2, true), Sample(2, 0.3, true) };
        WorkloadMeasurement warm = Statistics.Summarize(Context(), runs);
        runs.Clear();
        runs.Add(Sample(1, 0.7, true));

        Assert.Equal([0.2, 0.3], warm.Samples.Select(s => s.WallSeconds));
    }

    [Fact]
    public void Summary_uses_the_verified_runs_and_counts_the_failed_ones()
    {
        WorkloadMeasurement m = Statistics.Summarize(Context(),
            [Sample(1, 2.0, true), Sample(2, 0.1, false, peak: 99), Sample(3, 4.0, true), Sample(4, 3.0, true)]);
        Assert.Equal(3.0, m.MedianSeconds);
        Assert.Equal(2.0, m.MinSeconds);
        Assert.Equal(4.0, m.MaxSeconds);
        Assert.Equal(1.5, m.MedianCpuSeconds);
        Assert.Equal(1, m.FailedRuns);
        Assert.False(m.Verified);
        Assert.Equal(99, m.PeakMemoryBytes);
        Assert.Equal(40 / 3.0, m.MiBPerSecond, 9);
        Assert.Equal(1000 / 3.0, m.FilesPerSecond, 9);
        Assert.Equal(4, m.Samples.Count);
    }

    [Fact]
    public void Summary_of_only_failed_runs_uses_them_all_and_is_not_verified()
    {
        WorkloadMeasurement m = Statistics.Summarize(Context(), [Sample(1, 1.0, false), Sample(2, 3.0, false)]);
        Assert.Equal(2.0, m.MedianSeconds);
        Assert.Equal(2, m.FailedRuns);
        Assert.False(m.Verified);
    }

    [Fact]
    public void Summary_of_all_verified_runs_is_verified()
    {
        WorkloadMeasurement m = Statistics.Summarize(Context(), [Sample(1, 1.0, true)]);
        Assert.True(m.Verified);
        Assert.Equal(0, m.FailedRuns);
    }
}

public class ByteSizeTests
{
    [Theory]
    [InlineData(0, "0 B")]
    [InlineData(512, "512 B")]
    [InlineData(1023, "1,023 B")]
    [InlineData(1536, "1.5 KiB")]
    [InlineData(5L << 20, "5.0 MiB")]
    [InlineData(3L << 30, "3.00 GiB")]
    [InlineData(2048L << 30, "2,048.00 GiB")]
    public void Sizes_are_written_one_way_in_binary_units(long bytes, string text)
    {
        Assert.Equal(text, ByteSize.Format(bytes));
        Assert.Equal(text, Blit.Gate.GateText.Bytes(bytes)); // the gate's reasons use the same formatter
    }

    [Fact]
    public void The_views_culture_changes_only_the_separators()
    {
        var german = System.Globalization.CultureInfo.GetCultureInfo("de-DE");
        Assert.Equal("1,5 KiB", ByteSize.Format(1536, german));
        Assert.Equal("2.048,00 GiB", ByteSize.Format(2048L << 30, german));
    }
}
