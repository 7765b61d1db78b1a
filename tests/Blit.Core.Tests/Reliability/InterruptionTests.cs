using Blit.Mirror;
using Blit.Tests.Support;

namespace Blit.Tests.Reliability;

/// <summary>
/// Issue 7, item 1, at the engine: a cancellation (what StopProcessing does) at an exact point
/// of a large-file update, of a many-file run, of the scan and of the deletions. Every
/// destination file is its old or its new version, no temp file is left, the next run completes.
/// (Killed processes and the cmdlet's Stop() are in tests/pester/Reliability.Interruption.Tests.ps1.)
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class InterruptionTests
{
    [Fact]
    public void Cancel_in_the_middle_of_a_large_file_update_keeps_the_old_file_and_no_temp()
    {
        using var box = new TempTree();
        Tree.Write(box.Src("big.bin"), "old big", Tree.OldTime);
        Tree.Write(box.Src("small.txt"), "old small", Tree.OldTime);
        MirrorEngine.Run(box.Options());
        byte[] newHash = Tree.WriteLarge(box.Src("big.bin"), 80L << 20, seed: 2); // two 64 MiB kernel-copy chunks

        using var cts = new CancellationTokenSource();
        var fs = new FaultInjectingFileSystem();
        long copiedWhenCancelled = -1;
        fs.OnCopyProgress = (source, done) =>
        {
            if (source.EndsWith("big.bin", StringComparison.Ordinal) && copiedWhenCancelled < 0)
            {
                copiedWhenCancelled = done;
                cts.Cancel();
            }
        };
        using (MirrorSession session = box.Prepare(fs, new RecordingListener()))
        {
            Assert.ThrowsAny<OperationCanceledException>(() => session.Execute(cts.Token));
        }

        Assert.InRange(copiedWhenCancelled, 1, (80L << 20) - 1); // really in the middle
        Assert.Equal("old big", File.ReadAllText(box.Dst("big.bin")));
        Assert.Empty(Tree.TempFiles(box.Destination));

        MirrorResult next = MirrorEngine.Run(box.Options());
        Assert.Equal(0, next.Errors);
        Assert.Equal(newHash, Tree.HashFile(box.Dst("big.bin")));
        Tree.AssertSameTree(box.Source, box.Destination);
    }

    [Fact]
    public void Cancel_during_a_first_copy_leaves_no_directory_with_the_private_creation_mode()
    {
        // Issue 12, item 5: 3,000 files in 10 directories into an existing, empty destination,
        // stopped half-way. Directories are created 0700 and get their mode at the end; a stop
        // used to skip that end and leave them 0700, partly filled.
        using var box = new TempTree();
        for (int i = 0; i < 3000; i++)
        {
            Tree.Write(box.Src($"d{i % 10}/f{i:0000}.txt"), $"file {i}", Tree.OldTime);
        }
        for (int d = 0; d < 10; d++)
        {
            File.SetUnixFileMode(box.Src($"d{d}"), (UnixFileMode)0x1ED); // 755
        }
        Directory.CreateDirectory(box.Destination);

        using var cts = new CancellationTokenSource();
        var fs = new FaultInjectingFileSystem();
        int started = 0;
        fs.BeforeCopy = _ =>
        {
            if (Interlocked.Increment(ref started) == 1500)
            {
                cts.Cancel();
            }
        };
        using (MirrorSession session = box.Prepare(fs, new RecordingListener()))
        {
            Assert.ThrowsAny<OperationCanceledException>(() => session.Execute(cts.Token));
        }

        string[] dirs = Directory.GetDirectories(box.Destination);
        Assert.NotEmpty(dirs);
        Assert.All(dirs, d => Assert.Equal((UnixFileMode)0x1ED, File.GetUnixFileMode(d)));
        Assert.Empty(Tree.TempFiles(box.Destination));

        MirrorResult next = MirrorEngine.Run(box.Options());
        Assert.Equal(0, next.Errors);
        Tree.AssertSameTree(box.Source, box.Destination);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(0)]
    public void Cancel_in_the_middle_of_a_many_file_run_leaves_each_file_old_or_new(int throttle)
    {
        const int files = 1000;
        using var box = new TempTree();
        for (int i = 0; i < files; i++)
        {
            Tree.Write(box.Src($"d{i % 20:00}/f{i:0000}.txt"), $"old {i}", Tree.OldTime);
        }
        MirrorEngine.Run(box.Options());
        for (int i = 0; i < files; i++)
        {
            Tree.Write(box.Src($"d{i % 20:00}/f{i:0000}.txt"), $"new version {i}");
        }
        Tree.Write(box.Dst("d00/extraneous.txt"), "extra");

        using var cts = new CancellationTokenSource();
        var fs = new FaultInjectingFileSystem();
        int started = 0;
        fs.BeforeCopy = _ =>
        {
            if (Interlocked.Increment(ref started) == files / 2)
            {
                cts.Cancel();
            }
        };
        using (MirrorSession session = box.Prepare(fs, new RecordingListener(), throttle))
        {
            Assert.ThrowsAny<OperationCanceledException>(() => session.Execute(cts.Token));
        }

        int oldCount = 0, newCount = 0;
        for (int i = 0; i < files; i++)
        {
            string content = File.ReadAllText(box.Dst($"d{i % 20:00}/f{i:0000}.txt"));
            if (content == $"old {i}")
            {
                oldCount++;
            }
            else
            {
                Assert.Equal($"new version {i}", content);
                newCount++;
            }
        }
        Assert.InRange(newCount, 1, files - 1);
        Assert.Equal(files, oldCount + newCount);
        Assert.True(File.Exists(box.Dst("d00/extraneous.txt")), "cancelled before the deletion phase");
        Assert.Empty(Tree.TempFiles(box.Destination));

        MirrorResult next = MirrorEngine.Run(box.Options());
        Assert.Equal(0, next.Errors);
        Assert.Equal(oldCount, next.FilesUpdated);
        Tree.AssertSameTree(box.Source, box.Destination);
    }

    [Fact]
    public void Cancel_during_the_scan_changes_nothing()
    {
        using var box = new TempTree();
        for (int i = 0; i < 50; i++)
        {
            Tree.Write(box.Src($"d{i}/f.txt"), $"old {i}", Tree.OldTime);
        }
        MirrorEngine.Run(box.Options());
        for (int i = 0; i < 50; i++)
        {
            Tree.Write(box.Src($"d{i}/f.txt"), $"new {i}");
        }
        Tree.Write(box.Dst("extra.txt"), "extra");
        var before = Tree.Snapshot(box.Destination);

        using var cts = new CancellationTokenSource();
        var fs = new FaultInjectingFileSystem();
        int opened = 0;
        fs.BeforeOpenDirectory = _ =>
        {
            if (Interlocked.Increment(ref opened) == 30)
            {
                cts.Cancel();
            }
        };
        Assert.ThrowsAny<OperationCanceledException>(() => box.Run(fs, null, 0, cts.Token));

        Assert.Equal(before, Tree.Snapshot(box.Destination));
        MirrorEngine.Run(box.Options());
        Tree.AssertSameTree(box.Source, box.Destination);
    }

    [Fact]
    public void Cancel_in_the_middle_of_the_deletions_keeps_every_file_of_the_source_intact()
    {
        using var box = new TempTree();
        for (int i = 0; i < 100; i++)
        {
            Tree.Write(box.Src($"keep/f{i}.txt"), $"keep {i}");
            Tree.Write(box.Dst($"gone/f{i}.txt"), $"gone {i}");
            Tree.Write(box.Dst($"keep/extra{i}.txt"), $"extra {i}");
        }
        using var cts = new CancellationTokenSource();
        var fs = new FaultInjectingFileSystem();
        int removed = 0;
        fs.BeforeRemove = _ =>
        {
            if (Interlocked.Increment(ref removed) == 40)
            {
                cts.Cancel();
            }
        };
        Assert.ThrowsAny<OperationCanceledException>(() => box.Run(fs, null, 0, cts.Token));

        for (int i = 0; i < 100; i++)
        {
            Assert.Equal($"keep {i}", File.ReadAllText(box.Dst($"keep/f{i}.txt")));
        }
        Assert.Empty(Tree.TempFiles(box.Destination));
        MirrorEngine.Run(box.Options());
        Tree.AssertSameTree(box.Source, box.Destination);
    }
}
