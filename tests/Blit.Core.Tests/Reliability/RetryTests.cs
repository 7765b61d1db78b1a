using Blit.Errors;
using Blit.Mirror;
using Blit.Platform;
using Blit.Tests.Support;

namespace Blit.Tests.Reliability;

/// <summary>
/// Issue 15, items 6 and 7: transient errors (a network filesystem's EIO, ESTALE, ETIMEDOUT)
/// are retried when asked (-RetryCount, -RetryDelay) and counted in the result; and
/// BytesCopied counts only bytes that arrived, never those of a copy that failed.
/// </summary>
public sealed class RetryTests
{
    private static MirrorResult Run(TempTree box, FaultInjectingFileSystem fs, RecordingListener listener, int retryCount,
        TimeSpan? retryDelay = null, CancellationToken cancellationToken = default)
    {
        var options = new MirrorOptions
        {
            Source = box.Source,
            Destination = box.Destination,
            ThrottleLimit = 1,
            RetryCount = retryCount,
            RetryDelay = retryDelay ?? TimeSpan.Zero,
        };
        using MirrorSession session = MirrorEngine.Prepare(options, listener, null, cancellationToken, fs);
        return session.Execute(cancellationToken);
    }

    /// <summary>Throws <paramref name="errno"/> for the first <paramref name="times"/> copies of <paramref name="name"/>.</summary>
    private static FaultInjectingFileSystem FailCopies(string name, int times, int errno)
    {
        int failures = 0;
        return new FaultInjectingFileSystem
        {
            BeforeCopy = path =>
            {
                if (Path.GetFileName(path) == name && Interlocked.Increment(ref failures) <= times)
                {
                    throw LinuxNative.IOError(errno, "read", path);
                }
            },
        };
    }

    [Fact]
    public void An_EIO_twice_then_success_is_retried_counted_and_copied()
    {
        using var box = new TempTree();
        Tree.Write(box.Src("flaky.bin"), "data on a flaky share");
        Tree.Write(box.Src("steady.txt"), "steady");
        var listener = new RecordingListener();

        MirrorResult result = Run(box, FailCopies("flaky.bin", 2, LinuxNative.EIO), listener, retryCount: 3);

        Assert.Equal(2, result.Retries);
        Assert.Equal(0, result.Errors);
        Assert.Empty(listener.NonWarnings);
        Assert.Equal(2, listener.Errors.Count(e => e.Code == BlitErrorCode.TransientErrorRetried && e.IsWarning));
        Assert.All(listener.Errors, e => Assert.Equal(box.Dst("flaky.bin"), e.Path));
        Assert.Equal(2, result.FilesCopied);
        Assert.Equal("data on a flaky share".Length + "steady".Length, result.BytesCopied);
        Tree.AssertSameTree(box.Source, box.Destination);
    }

    [Theory]
    [InlineData(LinuxNative.ESTALE)]
    [InlineData(LinuxNative.ETIMEDOUT)]
    public void Stale_handles_and_timeouts_are_transient_too(int errno)
    {
        using var box = new TempTree();
        Tree.Write(box.Src("a.txt"), "a");
        var listener = new RecordingListener();

        MirrorResult result = Run(box, FailCopies("a.txt", 1, errno), listener, retryCount: 1);

        Assert.Equal(1, result.Retries);
        Assert.Equal(0, result.Errors);
        Tree.AssertSameTree(box.Source, box.Destination);
    }

    [Fact]
    public void A_transient_error_that_outlasts_the_retries_is_an_error_for_that_file_only()
    {
        using var box = new TempTree();
        Tree.Write(box.Src("gone.bin"), "never arrives");
        Tree.Write(box.Src("fine.txt"), "fine");
        var listener = new RecordingListener();

        MirrorResult result = Run(box, FailCopies("gone.bin", int.MaxValue, LinuxNative.EIO), listener, retryCount: 2);

        Assert.Equal(2, result.Retries);
        BlitError error = Assert.Single(listener.NonWarnings);
        Assert.Equal(BlitErrorCode.CopyFailed, error.Code);
        Assert.Equal(1, result.Errors);
        Assert.False(File.Exists(box.Dst("gone.bin")));
        Assert.Equal("fine", File.ReadAllText(box.Dst("fine.txt")));
        Assert.Equal("fine".Length, result.BytesCopied);
        Assert.Empty(Tree.TempFiles(box.Destination));
    }

    [Fact]
    public void Without_a_retry_count_nothing_is_retried()
    {
        using var box = new TempTree();
        Tree.Write(box.Src("a.txt"), "a");
        var listener = new RecordingListener();

        MirrorResult result = Run(box, FailCopies("a.txt", 1, LinuxNative.EIO), listener, retryCount: 0);

        Assert.Equal(0, result.Retries);
        Assert.Equal(1, result.Errors);
        Assert.Equal(BlitErrorCode.CopyFailed, Assert.Single(listener.Errors).Code);
    }

    [Fact]
    public void An_error_that_is_not_transient_is_not_retried()
    {
        using var box = new TempTree();
        Tree.Write(box.Src("a.txt"), "a");
        var listener = new RecordingListener();

        MirrorResult result = Run(box, FailCopies("a.txt", 1, LinuxNative.EROFS), listener, retryCount: 5);

        Assert.Equal(0, result.Retries);
        Assert.Equal(1, result.Errors);
    }

    [Fact]
    public void The_retry_delay_is_waited_and_cancellation_cuts_it_short()
    {
        using var box = new TempTree();
        Tree.Write(box.Src("a.txt"), "a");
        var listener = new RecordingListener();
        var delay = TimeSpan.FromMilliseconds(300);

        var clock = System.Diagnostics.Stopwatch.StartNew();
        MirrorResult result = Run(box, FailCopies("a.txt", 2, LinuxNative.EIO), listener, retryCount: 2, retryDelay: delay);
        Assert.Equal(2, result.Retries);
        Assert.True(clock.Elapsed >= 2 * delay, $"two retries {delay} apart took only {clock.Elapsed}");

        using var box2 = new TempTree();
        Tree.Write(box2.Src("a.txt"), "a");
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));
        clock.Restart();
        Assert.ThrowsAny<OperationCanceledException>(() =>
            Run(box2, FailCopies("a.txt", int.MaxValue, LinuxNative.EIO), new RecordingListener(), retryCount: 3,
                retryDelay: TimeSpan.FromMinutes(5), cancellationToken: cancel.Token));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), $"cancelling during the retry delay took {clock.Elapsed}");
    }

    [Fact]
    public void Bytes_of_a_copy_that_fails_midway_are_not_counted_as_copied()
    {
        using var box = new TempTree();
        Tree.Write(box.Src("fails.bin"), new string('f', 5000));
        Tree.Write(box.Src("arrives.txt"), "arrives");
        var fs = new FaultInjectingFileSystem
        {
            // The copy has reported its bytes when the fault hits: the file is removed, not kept.
            OnCopyProgress = (path, bytes) =>
            {
                if (Path.GetFileName(path) == "fails.bin")
                {
                    throw LinuxNative.IOError(LinuxNative.EROFS, "write", path);
                }
            },
        };
        var listener = new RecordingListener();

        MirrorResult result = Run(box, fs, listener, retryCount: 0);

        Assert.Equal(BlitErrorCode.CopyFailed, Assert.Single(listener.NonWarnings).Code);
        Assert.False(File.Exists(box.Dst("fails.bin")));
        Assert.Equal(1, result.FilesCopied);
        Assert.Equal("arrives".Length, result.BytesCopied);
    }
}
