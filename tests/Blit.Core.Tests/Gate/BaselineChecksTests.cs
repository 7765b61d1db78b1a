using Blit.Benchmarking;
using Blit.Gate;
using static Blit.Gate.BaselineComparer;
using static Blit.Tests.Gate.Synthetic;

namespace Blit.Tests.Gate;

/// <summary>The gate's checks one at a time: each returns its own findings, with its reason.</summary>
public class BaselineChecksTests
{
    private static Baseline BaselineOf(long? memory, double? cpu) =>
        new() { Runs = [new LoggedMeasurement(BlitRun(1.0), "/logs/linux/bench_0/results.json")], MemoryBytes = memory, CpuSeconds = cpu, Notes = [] };

    [Fact]
    public void Speed_passes_fails_or_only_reports_by_the_threshold_of_the_mode()
    {
        var options = new GateOptions { Threshold = 0.95, ColdThreshold = 0 };
        WorkloadMeasurement blit = BlitRun(1.0), fast = RsyncRun(2.0), slow = RsyncRun(0.5);
        Finding pass = Assert.Single(CheckSpeed(blit, fast, SpeedFigures.Of(blit, fast), options));
        Assert.Equal((FindingKind.Passed, GateCheck.Speed), (pass.Kind, pass.Check));
        Finding fail = Assert.Single(CheckSpeed(blit, slow, SpeedFigures.Of(blit, slow), options));
        Assert.Equal((FindingKind.Failed, GateCheck.Speed), (fail.Kind, fail.Check));
        Assert.StartsWith("speed: ratio 0.50 < threshold 0.95", fail.Text, StringComparison.Ordinal);

        WorkloadMeasurement coldBlit = BlitRun(1.0, mode: BenchmarkMode.Cold), coldRsync = RsyncRun(0.5, mode: BenchmarkMode.Cold);
        Finding cold = Assert.Single(CheckSpeed(coldBlit, coldRsync, SpeedFigures.Of(coldBlit, coldRsync), options));
        Assert.Equal(FindingKind.Passed, cold.Kind);
        Assert.StartsWith("speed (cold): ratio 0.50, reported, not gated", cold.Text, StringComparison.Ordinal);
        Finding gated = Assert.Single(CheckSpeed(coldBlit, coldRsync, SpeedFigures.Of(coldBlit, coldRsync), new GateOptions { ColdThreshold = 0.6 }));
        Assert.Equal(FindingKind.Failed, gated.Kind);
    }

    [Fact]
    public void Speed_without_a_valid_median_fails_and_without_a_pair_says_nothing()
    {
        WorkloadMeasurement blit = BlitRun(0), rsync = RsyncRun(1.0);
        Assert.Null(SpeedFigures.Of(blit, rsync));
        Finding f = Assert.Single(CheckSpeed(blit, rsync, null, new GateOptions()));
        Assert.Equal((FindingKind.Failed, "speed: no valid median time (Blit 0 s, rsync 1 s)"), (f.Kind, f.Text));
        Assert.Empty(CheckSpeed(null, rsync, null, new GateOptions()));
    }

    [Fact]
    public void Memory_and_CPU_are_checked_against_the_baseline_with_their_changes()
    {
        WorkloadMeasurement blit = BlitRun(1.0, memory: 150L << 20, cpu: 1.1);
        Finding memory = Assert.Single(CheckMemory(blit, BaselineOf(100L << 20, 1.0), new GateOptions(), out double? memoryChange));
        Assert.Equal((FindingKind.Failed, GateCheck.Memory), (memory.Kind, memory.Check));
        Assert.Equal(0.5, memoryChange!.Value, 9);
        Finding cpu = Assert.Single(CheckCpu(blit, BaselineOf(100L << 20, 1.0), new GateOptions(), out double? cpuChange));
        Assert.Equal((FindingKind.Passed, GateCheck.Cpu), (cpu.Kind, cpu.Check));
        Assert.Equal(0.1, cpuChange!.Value, 9);

        Finding note = Assert.Single(CheckMemory(blit, BaselineOf(null, null), new GateOptions(), out memoryChange));
        Assert.Equal((FindingKind.Note, "memory not compared: the baseline has no in-process growth figure"), (note.Kind, note.Text));
        Assert.Null(memoryChange);
        Assert.Empty(CheckCpu(blit, BaselineOf(null, null), new GateOptions(), out cpuChange));
        Assert.Null(cpuChange);
    }

    [Fact]
    public void Figures_machine_and_tree_are_each_their_own_check()
    {
        Assert.Equal(GateCheck.Figures, Assert.Single(CheckBlitFigures(null)).Check);
        Assert.Equal((FindingKind.Failed, GateCheck.Verification), Assert.Single(CheckBlitFigures(BlitRun(1.0, failed: 1))) is var f ? (f.Kind, f.Check) : default);
        Assert.Equal(FindingKind.Passed, Assert.Single(CheckBlitFigures(BlitRun(1.0))).Kind);
        Assert.Empty(CheckComparatorFigures(RsyncRun(1.0)));
        Assert.Equal(GateCheck.Figures, Assert.Single(CheckComparatorFigures(null)).Check);
        Assert.Equal([GateCheck.Machine, GateCheck.Size],
            CheckSameMachineAndTree(BlitRun(1.0), Run("rsync", 1.0, files: 999, system: Machine(name: "other"))).Select(x => x.Check));
        Assert.Empty(CheckSameMachineAndTree(BlitRun(1.0), RsyncRun(1.0)));
    }
}
