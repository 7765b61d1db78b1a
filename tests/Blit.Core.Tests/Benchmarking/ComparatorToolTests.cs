using Blit.Benchmarking;
using Blit.Errors;
using Blit.Tests.Support;

namespace Blit.Tests.Benchmarking;

public sealed class ComparatorToolTests : IDisposable
{
    private readonly TempTree _temp = new();

    public void Dispose() => _temp.Dispose();

    private string Script(string name, string body) => _temp.WriteScript(name, body);

    [Fact]
    public void FindOnPath_finds_executables_only()
    {
        string bin = Script("robocopy", "exit 0");
        File.WriteAllText(Path.Combine(bin, "notexec"), "x");
        string path = $"{_temp.Combine("empty")}{Path.PathSeparator}{bin}";
        Assert.Equal(Path.Combine(bin, "robocopy"), ComparatorTool.FindOnPath("robocopy", path));
        Assert.Null(ComparatorTool.FindOnPath("notexec", path));
        Assert.Null(ComparatorTool.FindOnPath("robocopy", _temp.Combine("empty")));
        Assert.Null(ComparatorTool.FindOnPath("robocopy", null));
    }

    [Fact]
    public void An_explicit_comparator_that_is_missing_is_an_error()
    {
        BlitException ex = Assert.Throws<BlitException>(() =>
            ComparatorTool.Select(ComparatorKind.Robocopy, null, _temp.Root, out _));
        Assert.Equal(BlitErrorCode.ComparatorNotFound, ex.Code);
        Assert.Contains("robocopy", ex.Message);
    }

    [Fact]
    public void Auto_without_a_comparator_warns_and_measures_blit_alone()
    {
        Assert.Null(ComparatorTool.Select(ComparatorKind.Auto, null, _temp.Root, out string? warning));
        Assert.NotNull(warning);
        Assert.Contains("rsync was not found", warning);
    }

    [Fact]
    public void None_selects_nothing_and_says_nothing()
    {
        Assert.Null(ComparatorTool.Select(ComparatorKind.None, null, "/usr/bin:/bin", out string? warning));
        Assert.Null(warning);
    }

    [Fact]
    public void Rsync_arguments_mirror_the_contents_with_trailing_slashes()
    {
        string bin = Script("rsync", "exit 0");
        ComparatorTool tool = ComparatorTool.Select(ComparatorKind.Rsync, null, bin, out _)!;
        Assert.Equal(["-a", "--delete", "/s/", "/d/"], tool.Arguments("/s", "/d"));
        Assert.Equal("rsync -a --delete /s/ /d/", tool.CommandLine("/s", "/d"));
        Assert.False(tool.FlagsOverridden);
        Assert.True(tool.IsSuccess(0));
        Assert.False(tool.IsSuccess(1));
        Assert.False(tool.IsSuccess(23));
        Assert.False(tool.IsSuccess(24));
    }

    [Fact]
    public void Robocopy_takes_source_and_destination_first_and_below_8_is_success()
    {
        string bin = Script("robocopy", "exit 0");
        ComparatorTool tool = ComparatorTool.Select(ComparatorKind.Robocopy, null, bin, out _)!;
        IReadOnlyList<string> args = tool.Arguments("/s", "/d");
        Assert.Equal(["/s", "/d", "/MIR"], args.Take(3));
        Assert.Contains("/COPY:DAT", args);
        Assert.DoesNotContain(args, a => a.StartsWith("/COPYALL", StringComparison.Ordinal) || a == "/B" || a == "/ZB");
        for (int code = 0; code < 8; code++)
        {
            Assert.True(tool.IsSuccess(code), $"robocopy exit code {code} is success");
        }
        Assert.False(tool.IsSuccess(8));
        Assert.False(tool.IsSuccess(16));
        Assert.Contains("failure", tool.DescribeExit(8));
    }

    [Fact]
    public void Comparator_arguments_replace_the_default_flags()
    {
        string bin = Script("rsync", "exit 0");
        ComparatorTool tool = ComparatorTool.Select(ComparatorKind.Rsync, ["-rt", "--delete"], bin, out _)!;
        Assert.True(tool.FlagsOverridden);
        Assert.Equal(["-rt", "--delete", "/s/", "/d/"], tool.Arguments("/s", "/d"));
    }

    [Fact]
    public void A_run_measures_the_process_tree_and_keeps_the_exit_code()
    {
        // The work happens in a grandchild (dd under sh), with a 32 MiB buffer: the tree's CPU and peak must show it.
        string bin = Script("robocopy",
            "echo \"$@\" > \"$2/args.txt\"; dd if=/dev/zero of=/dev/null bs=32M count=40 2>/dev/null; sleep 0.2; exit 3");
        ComparatorTool tool = ComparatorTool.Select(ComparatorKind.Robocopy, null, bin, out _)!;
        string dest = _temp.Combine("dest");
        Directory.CreateDirectory(dest);
        ProcessMeasurement m = tool.Run(_temp.Combine("src"), dest, flush: true, CancellationToken.None);
        Assert.Equal(3, m.ExitCode);
        Assert.True(tool.IsSuccess(m.ExitCode));
        Assert.True(m.WallSeconds >= 0.2, $"wall {m.WallSeconds}");
        Assert.True(m.CpuSeconds > 0, $"cpu {m.CpuSeconds}");
        Assert.True(m.PeakMemoryBytes >= 32L << 20, $"peak {m.PeakMemoryBytes}");
        Assert.StartsWith($"{_temp.Combine("src")} {dest} /MIR", File.ReadAllText(Path.Combine(dest, "args.txt")));
    }

    [Fact]
    public void Cancelling_a_run_kills_the_process()
    {
        string bin = Script("robocopy", "sleep 30");
        ComparatorTool tool = ComparatorTool.Select(ComparatorKind.Robocopy, null, bin, out _)!;
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
        var clock = System.Diagnostics.Stopwatch.StartNew();
        Assert.ThrowsAny<OperationCanceledException>(() => tool.Run(_temp.Root, _temp.Root, false, cts.Token));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10));
    }

    [Fact]
    public void Rsync_probe_reads_the_version_and_accepts_the_default_flags()
    {
        ComparatorTool tool = ComparatorTool.Select(ComparatorKind.Rsync, null, Environment.GetEnvironmentVariable("PATH"), out _)
            ?? throw new InvalidOperationException("rsync is required for this test (apt-get install rsync)");
        tool.Probe(_temp.Root, CancellationToken.None);
        Assert.Contains("rsync", tool.Version);
        Assert.False(Directory.Exists(_temp.Combine("probe-src")), "the probe cleans up after itself");
        Assert.False(Directory.Exists(_temp.Combine("probe-dst")), "the probe cleans up after itself");
    }

    [Fact]
    public void Rsync_probe_names_a_flag_it_rejects()
    {
        ComparatorTool tool = ComparatorTool.Select(ComparatorKind.Rsync, ["-a", "--delete", "--no-such-blit-flag"],
            Environment.GetEnvironmentVariable("PATH"), out _)!;
        BlitException ex = Assert.Throws<BlitException>(() => tool.Probe(_temp.Root, CancellationToken.None));
        Assert.Equal(BlitErrorCode.ComparatorArgumentUnsupported, ex.Code);
        Assert.Contains("rejects --no-such-blit-flag", ex.Message);
        Assert.DoesNotContain("-a ", ex.Message.Split("rejects")[1]);
    }

    [Fact]
    public void Parent_pid_is_read_after_the_command_name()
    {
        Assert.Equal(45, TreePeakSampler.ParseParent("123 (rsync (x) y) S 45 123 123 0 -1"));
        Assert.Equal(0, TreePeakSampler.ParseParent("garbage"));
    }
}
