using System.Net.Sockets;
using Blit.Errors;
using Blit.Mirror;
using Blit.Planning;
using Blit.Platform;
using Blit.Tests.Support;

namespace Blit.Tests.Mirror;

/// <summary>
/// Issue 13, item 4: FIFOs, sockets and devices are recreated as `rsync -a` (-D) does, over
/// whatever stale entry has their name; skipped, with one warning per run, only where the
/// process or the destination may not create them. Runs as root (devices).
/// </summary>
public sealed class SpecialFileTests : IDisposable
{
    private readonly TempTree _t = new();

    public void Dispose() => _t.Dispose();


    private static void MakeSocket(string path)
    {
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        socket.Bind(new UnixDomainSocketEndPoint(path + ".bound"));
        File.Move(path + ".bound", path); // .NET unlinks the bound path on close: keep the socket file under another name
    }

    /// <summary>The stale entries both destinations start from: a file, a tree, a link, other specials.</summary>
    private static void BuildStale(string dst) => Tree.Bash($"""
        mkdir -p '{dst}' && cd '{dst}'
        printf stale > fifo-over-file; printf stale > sock-over-file; printf stale > null-over-file
        mkdir -p fifo-over-dir/sub; printf a > fifo-over-dir/a; printf b > fifo-over-dir/sub/b
        ln -s /etc fifo-over-link
        mkfifo -m 600 fifo-same
        mknod chr-other c 1 5; mknod fifo-over-chr c 1 3; mkfifo blk-over-fifo
        mkfifo untouched; touch -h -d @1400000000 untouched
        """);

    [Fact]
    public void Specials_replace_stale_entries_of_any_type_as_rsync_does_and_a_second_run_copies_nothing()
    {
        Assert.True(LinuxNative.GetEuid() == 0, "devices need root: run the tests as root (.ci/run does)");
        string rsyncDest = Path.Combine(_t.Root, "rsync-dst");
        BuildStale(_t.Destination);
        BuildStale(rsyncDest);
        Tree.Bash($"""
            cd '{_t.Source}'
            mkfifo fifo-over-file fifo-over-dir fifo-over-link fifo-over-chr fifo-same untouched
            mknod null-over-file c 1 3; mknod chr-other c 1 3; mknod blk-over-fifo b 7 200
            printf data > file
            """);
        MakeSocket(_t.Src("sock-over-file"));
        Tree.Bash($"cd '{_t.Source}' && chmod 640 fifo-over-dir && touch -h -d @1500000000 * && touch -h -d @1400000000 untouched && touch -d @1600000000 .");

        MirrorResult planned;
        using (MirrorSession session = MirrorEngine.Prepare(new MirrorOptions { Source = _t.Source, Destination = _t.Destination }))
        {
            planned = session.WhatIfResult();
        }
        var listener = new RecordingListener();
        MirrorResult r = _t.Mirror(listener: listener);
        Tree.Run("rsync", "-a", "--delete", _t.Source + "/", rsyncDest + "/");

        if (!Backend.CreatesSpecials)
        {
            // Documented limit: the portable backend cannot create special files. Each of the source's
            // ten is skipped and counted, said in one warning; the stale entries of their names are kept.
            Assert.Equal(0, r.Errors);
            Assert.Equal(0, r.SpecialFilesCopied);
            Assert.Equal(10, r.SpecialFilesSkipped);
            BlitError skipped = Assert.Single(listener.Errors);
            Assert.Equal(BlitErrorCode.SpecialFileSkipped, skipped.Code);
            Assert.True(skipped.IsWarning);
            Assert.StartsWith("10 special files", skipped.Message, StringComparison.Ordinal);
            Assert.Equal("stale", File.ReadAllText(_t.Dst("fifo-over-file")));
            Assert.Equal("stale", File.ReadAllText(_t.Dst("sock-over-file")));
            Assert.Equal("b", File.ReadAllText(_t.Dst("fifo-over-dir/sub/b")));
            Assert.Equal("data", File.ReadAllText(_t.Dst("file")));
            Assert.Equal("character special file 1,5", Tree.Run("stat", "-c", "%F %Hr,%Lr", _t.Dst("chr-other")).Trim());
            Assert.Empty(Directory.GetFiles(_t.Destination, ".~blit-*"));
            MirrorResult settled = _t.Mirror();
            Assert.Equal(0, settled.SpecialFilesCopied + settled.MetadataUpdated + settled.FilesCopied + settled.FilesDeleted);
            Assert.Equal(10, settled.SpecialFilesSkipped);
            return;
        }
        Assert.Equal(0, r.Errors);
        Assert.Empty(listener.Errors);
        Assert.Equal(8, r.SpecialFilesCopied); // all but fifo-same (mode only) and untouched
        Assert.Equal(0, r.SpecialFilesSkipped);
        Assert.Equal(r.SpecialFilesCopied, planned.SpecialFilesCopied);
        Assert.Equal(8, listener.Items.Count(i => i.Action == MirrorAction.CreateSpecial && i.Kind == EntryKind.Special));
        Assert.Contains(listener.Items, i => i.Action == MirrorAction.UpdateMetadata && i.RelativePath == "fifo-same");
        var vsSource = Snapshot.Diff(Snapshot.Take(_t.Source), Snapshot.Take(_t.Destination));
        Assert.True(vsSource.Count == 0, "blit vs source:\n" + string.Join('\n', vsSource));
        var vsRsync = Snapshot.Diff(Snapshot.Take(rsyncDest), Snapshot.Take(_t.Destination));
        Assert.True(vsRsync.Count == 0, "blit vs rsync:\n" + string.Join('\n', vsRsync));
        Assert.Equal("character special file 1,3", Tree.Run("stat", "-c", "%F %Hr,%Lr", _t.Dst("null-over-file")).Trim());
        Assert.Equal("block special file 7,200", Tree.Run("stat", "-c", "%F %Hr,%Lr", _t.Dst("blk-over-fifo")).Trim());
        Assert.Equal("socket", Tree.Run("stat", "-c", "%F", _t.Dst("sock-over-file")).Trim());
        Assert.Empty(Directory.GetFiles(_t.Destination, ".~blit-*"));

        MirrorResult again = _t.Mirror();
        Assert.Equal(0, again.SpecialFilesCopied + again.MetadataUpdated + again.FilesCopied + again.FilesDeleted);
    }

    [Fact]
    public void Specials_the_destination_may_not_hold_are_skipped_with_one_warning_and_the_stale_entry_is_kept()
    {
        Tree.MkFifo(_t.Src("pipe1"));
        Tree.MkFifo(_t.Src("pipe2"));
        Tree.Write(_t.Src("f"), "f");
        Tree.Write(_t.Dst("pipe1"), "stale");
        var fs = new FaultyFileSystem(new LinuxFileSystem()) { FailSpecial = _ => true, FailErrno = LinuxNative.EPERM };
        var listener = new RecordingListener();

        MirrorResult r;
        using (MirrorSession session = MirrorEngine.Prepare(new MirrorOptions { Source = _t.Source, Destination = _t.Destination },
                   listener, null, default, fs))
        {
            r = session.Execute();
        }

        Assert.Equal(0, r.Errors);
        Assert.Equal(2, r.SpecialFilesSkipped);
        Assert.Equal(0, r.SpecialFilesCopied);
        BlitError warning = Assert.Single(listener.Errors);
        Assert.Equal(BlitErrorCode.SpecialFileSkipped, warning.Code);
        Assert.True(warning.IsWarning);
        Assert.StartsWith("2 special files", warning.Message, StringComparison.Ordinal);
        Assert.Equal("stale", File.ReadAllText(_t.Dst("pipe1")));
        Assert.False(File.Exists(_t.Dst("pipe2")));
        Assert.Equal("f", File.ReadAllText(_t.Dst("f")));
        Assert.Empty(Directory.GetFiles(_t.Destination, ".~blit-*"));
    }
}
