using System.Diagnostics;
using Blit.Benchmarking;
using Xunit;

namespace Blit.Tests.Benchmarking;

public sealed class ChildProcessTests
{
    [Fact]
    public void Returns_the_exit_code_and_standard_output_and_error_apart()
    {
        ChildProcessResult r = ChildProcess.Run("/bin/sh", ["-c", "echo out; echo err >&2; exit 3"]);
        Assert.Equal((3, "out\n", "err\n"), (r.ExitCode, r.Output, r.Error));
    }

    [Fact]
    public void Reads_output_larger_than_a_pipe_from_both_streams_without_deadlock()
    {
        // 256 KiB on each stream: reading one to the end before the other would block the child on a full pipe.
        ChildProcessResult r = ChildProcess.Run("/bin/sh", ["-c", "head -c 262144 /dev/zero | tr '\\0' e >&2; head -c 262144 /dev/zero | tr '\\0' o"],
            TimeSpan.FromSeconds(30));
        Assert.Equal((0, 262144, 262144), (r.ExitCode, r.Output.Length, r.Error.Length));
    }

    [Fact]
    public void Kills_a_child_that_runs_past_its_timeout()
    {
        var watch = Stopwatch.StartNew();
        Assert.Throws<TimeoutException>(() => ChildProcess.Run("/bin/sleep", ["30"], TimeSpan.FromMilliseconds(200)));
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(10), $"took {watch.Elapsed}");
    }

    [Fact]
    public void Kills_the_child_on_cancellation()
    {
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));
        var watch = Stopwatch.StartNew();
        Assert.ThrowsAny<OperationCanceledException>(() => ChildProcess.Run("/bin/sleep", ["30"], cancellationToken: cancel.Token));
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(10), $"took {watch.Elapsed}");
    }

    [Fact]
    public void A_file_that_cannot_start_throws_what_Process_Start_throws()
    {
        Assert.Throws<System.ComponentModel.Win32Exception>(() => ChildProcess.Run("/nonexistent/blit-no-such-tool", []));
    }
}
