using Blit.Benchmarking;
using Blit.Errors;
using Blit.Gate;
using static Blit.Tests.Gate.Synthetic;

namespace Blit.Tests.Gate;

public sealed class BaselineStoreTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("blit-gate-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private string Save(string relativeDir, params WorkloadMeasurement[] measurements)
    {
        string dir = Path.Combine(_root, relativeDir);
        Directory.CreateDirectory(dir);
        string path = Path.Combine(dir, BaselineStore.ResultsFileName);
        new ResultsFile { Timestamp = measurements[0].Timestamp, System = measurements[0].System, Measurements = measurements }.Save(path);
        return path;
    }

    [Fact]
    public void Results_json_round_trips_every_figure_the_gate_reads()
    {
        WorkloadMeasurement original = Run("blit", 0.5, min: 0.4, max: 0.7, memory: 123_456_789, cpu: 0.75,
            workload: Workload.Incremental, size: "1000files+changes", failed: 1, options: ["cold-cache", "flush"],
            resultsPath: "/logs/linux/bench_incremental_x/results.json", logPath: "/logs/linux/bench_incremental_x/bench.log");
        string path = Save("linux/bench_incremental_20251128T120000Z", original, RsyncRun(1.0, workload: Workload.Incremental, size: "1000files+changes"));

        IReadOnlyList<LoggedMeasurement> loaded = GateResults.Load(path);

        Assert.Equal(2, loaded.Count);
        Assert.All(loaded, l => Assert.Equal(path, l.FilePath));
        WorkloadMeasurement m = loaded[0].Measurement;
        Assert.Equal(Workload.Incremental, m.Workload);
        Assert.Equal("1000files+changes", m.SizeLabel);
        Assert.Equal(original.TotalBytes, m.TotalBytes);
        Assert.Equal(original.FileCount, m.FileCount);
        Assert.Equal("blit", m.Tool);
        Assert.Equal(original.Command, m.Command);
        Assert.False(m.IsComparator);
        Assert.Equal(1, m.WarmupRuns);
        Assert.Equal(0.5, m.MedianSeconds);
        Assert.Equal(0.4, m.MinSeconds);
        Assert.Equal(0.7, m.MaxSeconds);
        Assert.Equal(0.75, m.MedianCpuSeconds);
        Assert.Equal(123_456_789, m.MemoryGrowthBytes);
        Assert.Null(m.PeakMemoryBytes);
        Assert.Equal(BenchmarkMode.Warm, m.Mode);
        Assert.Equal(original.MiBPerSecond, m.MiBPerSecond);
        Assert.Equal(original.FilesPerSecond, m.FilesPerSecond);
        Assert.Equal(1, m.FailedRuns);
        Assert.False(m.Verified);
        Assert.Equal(original.Timestamp, m.Timestamp);
        Assert.Equal(original.LogPath, m.LogPath);
        Assert.Equal(original.ResultsPath, m.ResultsPath);
        Assert.Equal(["cold-cache", "flush"], m.Options);
        Assert.Equal(5, m.Samples.Count);
        Assert.Equal("destination has 999 files, source 1000", m.Samples[0].Failure);
        Assert.False(m.Samples[0].Verified);
        Assert.True(m.Samples[1].Verified);
        Assert.True(MachineIdentity.IsSame(original.System, m.System));
        Assert.Equal(original.System.DeviceKind, m.System.DeviceKind);
        Assert.True(loaded[1].Measurement.IsComparator);

        // And a decision made from the file equals one made from the objects.
        Assert.Equal(
            BaselineComparer.Compare([original, RsyncRun(1.0, workload: Workload.Incremental, size: "1000files+changes")]).Reasons,
            BaselineComparer.Compare(loaded.Select(l => l.Measurement)).Reasons);
    }

    [Fact]
    public void A_schema_1_file_reads_warm_Blit_peak_as_the_in_process_growth_it_was()
    {
        string path = Save("old", BlitRun(0.5, memory: 42L << 20), RsyncRun(1.0));
        var json = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(path))!.AsObject();
        json["schema"] = 1;
        foreach (var m in json["measurements"]!.AsArray().Select(n => n!.AsObject()))
        {
            m.Remove("mode");
            foreach (var o in m["samples"]!.AsArray().Select(n => n!.AsObject()).Append(m))
            {
                // Schema 1 had one figure, "peakMemoryBytes", for every tool.
                long figure = (long?)o["memoryGrowthBytes"] ?? (long)o["peakMemoryBytes"]!;
                o.Remove("memoryGrowthBytes");
                o["peakMemoryBytes"] = figure;
            }
        }
        File.WriteAllText(path, json.ToJsonString());

        IReadOnlyList<LoggedMeasurement> loaded = GateResults.Load(path);
        WorkloadMeasurement blit = loaded[0].Measurement, rsync = loaded[1].Measurement;
        Assert.Equal((BenchmarkMode.Warm, (long?)null, (long?)(42L << 20)), (blit.Mode, blit.PeakMemoryBytes, blit.MemoryGrowthBytes));
        Assert.All(blit.Samples, x => Assert.Equal((null, 42L << 20), (x.PeakMemoryBytes, x.MemoryGrowthBytes)));
        Assert.Equal(MemoryFigure.InProcessGrowth, blit.MemoryFigure);
        Assert.Equal((20L << 20, (long?)null), (rsync.PeakMemoryBytes, rsync.MemoryGrowthBytes));
        Assert.Equal(MemoryFigure.ProcessPeak, rsync.MemoryFigure);
    }

    [Fact]
    public void Results_json_is_written_with_the_kind_and_schema_the_loader_checks()
    {
        string text = File.ReadAllText(Save("a", BlitRun(0.5)));
        Assert.Contains("\"kind\": \"blit-benchmark-results\"", text, StringComparison.Ordinal);
        Assert.Contains("\"schema\": 2", text, StringComparison.Ordinal);
        Assert.Contains("\"workload\": \"SmallFiles\"", text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{ not json")]
    [InlineData("{\"kind\": \"something-else\", \"schema\": 1}")]
    [InlineData("[1, 2, 3]")]
    public void Corrupt_or_foreign_files_are_InvalidResultsFile(string content)
    {
        string path = Path.Combine(_root, "results.json");
        File.WriteAllText(path, content);
        var ex = Assert.Throws<BlitException>(() => GateResults.Load(path));
        Assert.Equal(BlitErrorCode.InvalidResultsFile, ex.Code);
        Assert.Equal(path, ex.Path);
    }

    [Fact]
    public async Task A_fifo_or_a_device_named_results_json_is_refused_without_being_read()
    {
        // Reading a FIFO waits for a writer and /dev/zero never ends: before the check, Load hung on both.
        string fifoDir = Path.Combine(_root, "fifo");
        Directory.CreateDirectory(fifoDir);
        string fifo = Path.Combine(fifoDir, BaselineStore.ResultsFileName);
        Blit.Tests.Support.Tree.Bash($"mkfifo '{fifo}'");
        string zero = Path.Combine(_root, "zero.json");
        File.CreateSymbolicLink(zero, "/dev/zero");
        string empty = Path.Combine(_root, "empty.json");
        File.WriteAllText(empty, string.Empty);
        foreach (string path in new[] { fifo, zero, empty })
        {
            Task<BlitException> load = Task.Run(() => Assert.Throws<BlitException>(() => GateResults.Load(path)));
            if (await Task.WhenAny(load, Task.Delay(TimeSpan.FromSeconds(20))) != load)
            {
                if (path == fifo)
                {
                    using var unblock = new FileStream(fifo, FileMode.Open, FileAccess.Write); // lets the blocked reader go
                }
                Assert.Fail($"Loading '{path}' did not return within 20 s.");
            }
            BlitException ex = await load;
            Assert.Equal(BlitErrorCode.InvalidResultsFile, ex.Code);
            Assert.Contains("it was not read", ex.Message, StringComparison.Ordinal);
        }
        // The walk of a baseline folder meets the FIFO too: a problem listed, not a hang.
        BaselineStore store = BaselineStore.Load(_root);
        Assert.Contains(store.Problems, p => p.Contains(fifo, StringComparison.Ordinal));
    }

    [Fact]
    public void A_results_file_whose_measurement_lacks_its_system_is_InvalidResultsFile()
    {
        string path = Save("a", BlitRun(0.5));
        File.WriteAllText(path, File.ReadAllText(path).Replace("\"system\": {", "\"system\": null, \"x\": {", StringComparison.Ordinal));
        var ex = Assert.Throws<BlitException>(() => GateResults.Load(path));
        Assert.Equal(BlitErrorCode.InvalidResultsFile, ex.Code);
        Assert.Contains("has no system", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_finds_results_json_in_nested_log_folders_and_skips_unreadable_ones()
    {
        Save("linux/bench_smallfiles_1", BlitRun(0.5, at: Now.AddDays(-2)));
        Save("linux/bench_smallfiles_2", BlitRun(0.5, at: Now.AddDays(-1)), RsyncRun(1.0, at: Now.AddDays(-1)));
        Directory.CreateDirectory(Path.Combine(_root, "linux/broken"));
        File.WriteAllText(Path.Combine(_root, "linux/broken/results.json"), "{ truncated");
        File.WriteAllText(Path.Combine(_root, "linux/bench.log"), "not a results file, not read");

        BaselineStore store = BaselineStore.Load(_root);

        Assert.True(store.FolderExists);
        Assert.Equal(_root, store.Folder);
        Assert.Equal(3, store.Entries.Count);
        Assert.Contains("broken", Assert.Single(store.Problems), StringComparison.Ordinal);
        Baseline baseline = store.Find(BlitRun(0.5));
        Assert.Equal(2, baseline.Runs.Count);
        Assert.Equal(Now.AddDays(-1), baseline.Runs[0].Measurement.Timestamp);   // newest first
    }

    [Fact]
    public void Unreadable_baseline_files_are_a_summary_note_not_a_failure()
    {
        Directory.CreateDirectory(Path.Combine(_root, "x"));
        File.WriteAllText(Path.Combine(_root, "x/results.json"), "{}");
        GateSummary s = BaselineComparer.Compare([BlitRun(0.5), RsyncRun(1.0)], BaselineStore.Load(_root));
        Assert.True(s.IsGo);
        Assert.Contains(s.Notes, n => n.StartsWith("1 results file(s) under", StringComparison.Ordinal));
    }

    [Fact]
    public void A_missing_folder_loads_as_an_empty_store()
    {
        BaselineStore store = BaselineStore.Load(Path.Combine(_root, "nope"));
        Assert.False(store.FolderExists);
        Assert.Empty(store.Entries);
        Assert.Contains("does not exist", Assert.Single(store.Find(BlitRun(0.5)).Notes), StringComparison.Ordinal);
    }

    [Fact]
    public void The_current_runs_own_file_on_disk_is_excluded_even_with_an_earlier_timestamp_inside()
    {
        string own = Save("linux/now", BlitRun(0.5, at: Now.AddSeconds(-30), memory: 1));
        BaselineStore store = BaselineStore.Load(_root);
        Assert.Empty(store.Find(BlitRun(0.5, resultsPath: own)).Runs);
        Assert.Single(store.Find(BlitRun(0.5)).Runs);
    }
}
