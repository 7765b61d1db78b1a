using System.Text;
using Blit.Errors;
using Blit.Mirror;
using Blit.Planning;
using Blit.Platform;
using Blit.Tests.Support;

namespace Blit.Tests.Mirror;

/// <summary>
/// Issue 13, item 2: Linux names and symlink targets are bytes. Those that are not UTF-8 are
/// mirrored byte for byte, as `rsync -a --delete` does, and shown as <c>\xNN</c> in messages.
/// </summary>
public sealed class ByteNameTests : IDisposable
{
    private readonly TempTree _t = new();

    public void Dispose() => _t.Dispose();


    /// <summary>Every entry's name, type, size, mode, mtime and link target, as exact bytes (base64 of find's output).</summary>
    private static string Listing(string root) =>
        Tree.Bash($"cd {Tree.Quote(root)} && find . -printf '%P|%y|%s|%m|%T@|%l\\n' | LC_ALL=C sort | base64 -w0");

    private static void AssertSameListing(string expectedRoot, string actualRoot)
    {
        string expected = Listing(expectedRoot), actual = Listing(actualRoot);
        Assert.True(expected == actual, $"expected:\n{Readable(expected)}\nactual:\n{Readable(actual)}");

        static string Readable(string base64) => Encoding.Latin1.GetString(Convert.FromBase64String(base64));
    }

    [Fact]
    public void Decoding_is_lossless_and_encoding_gives_the_exact_bytes_back()
    {
        var rng = new Random(13);
        var seen = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        for (int i = 0; i < 20_000; i++)
        {
            byte[] bytes = new byte[rng.Next(1, 12)];
            rng.NextBytes(bytes);
            if (i % 3 == 0)
            {
                Encoding.UTF8.GetBytes("é€😀").AsSpan(0, Math.Min(bytes.Length, 9)).CopyTo(bytes); // valid prefixes and cut sequences
            }
            string name = NameEncoding.Decode(bytes);
            var back = new byte[NameEncoding.GetByteCount(name)];
            Assert.Equal(back.Length, NameEncoding.Encode(name, back));
            Assert.Equal(bytes, back);
            if (seen.TryGetValue(name, out byte[]? other))
            {
                Assert.Equal(other, bytes); // two byte strings never decode to one name
            }
            seen[name] = bytes;
        }
        Assert.Equal("caf\u00e9", NameEncoding.Decode("caf\u00e9"u8));
        Assert.Equal("caf\\xE9", NameEncoding.Display(NameEncoding.Decode([.. "caf"u8, 0xE9])));
        Assert.Equal("\\xED\\xA0\\x80", NameEncoding.Display(NameEncoding.Decode([0xED, 0xA0, 0x80]))); // an encoded surrogate is not UTF-8
        Assert.Equal("\U0001F600\\xFF", NameEncoding.Display(NameEncoding.Decode([.. "\U0001F600"u8, 0xFF])));
    }

    [Fact]
    public void Names_and_link_targets_that_are_not_UTF8_are_mirrored_byte_for_byte_as_rsync_does()
    {
        string rsyncDest = Path.Combine(_t.Root, "rsync-dst");
        foreach (string dst in new[] { _t.Destination, rsyncDest })
        {
            Directory.CreateDirectory(dst);
            Tree.Bash($"""
                cd {Tree.Quote(dst)}
                ln -s $'\xfe' link-fe                       # the source has \xff: a different target
                ln -s $'caf\xe9' same-target; touch -h -d @1400000000 same-target
                printf extraneous > $'old\xfa'              # deleted
                mkdir -p $'olddir\xfb/x'; printf y > $'olddir\xfb/x/y'
                mkdir $'d\xe9'; printf stale > $'d\xe9/in\xff'
                """);
        }
        Tree.Bash($"""
            cd {Tree.Quote(_t.Source)}
            printf data > $'caf\xe9'
            printf nfc > $'caf\xc3\xa9'                     # the valid UTF-8 spelling: another name
            mkdir $'d\xe9'; printf inner > $'d\xe9/in\xff'; printf ok > $'d\xe9/ok'
            ln -s $'\xff' link-fe
            ln -s $'caf\xe9' same-target; touch -h -d @1400000000 same-target
            ln -s $'../\x80\x80/\xc3' $'d\xe9/rel\xc3'
            touch -h -d @1450000000 link-fe $'d\xe9/rel\xc3' $'caf\xc3\xa9' $'d\xe9/ok'
            touch -d @1500000000 $'caf\xe9' $'d\xe9/in\xff' $'d\xe9' .
            """); // old times: rsync leaves an mtime in the current second as it finds it
        var listener = new RecordingListener();

        MirrorResult r = _t.Mirror(listener: listener);
        Tree.Run("rsync", "-a", "--delete", _t.Source + "/", rsyncDest + "/");

        if (!Backend.NamesAsBytes)
        {
            // Documented limit: .NET decodes names as UTF-8 with U+FFFD for what is not, which no later
            // call finds, so the portable backend refuses to read such a directory: an error naming it,
            // and nothing deleted there (the stale entries stay, exactly as they were).
            Assert.True(r.Errors > 0);
            Assert.True(r.DeletionSkipped || r.FilesDeleted == 0);
            Assert.Equal(0, r.FilesDeleted + r.DirectoriesDeleted);
            Assert.All(listener.NonWarnings, e => Assert.Contains("is not valid UTF-8", e.Message, StringComparison.Ordinal));
            Assert.Contains(listener.NonWarnings, e => e.Path == _t.Source);
            Assert.Equal("extraneous", Tree.Bash($"cat {Tree.Quote(_t.Destination)}/$'old\\xfa'"));
            Assert.Equal("stale", Tree.Bash($"cat {Tree.Quote(_t.Destination)}/$'d\\xe9/in\\xff'"));
            return;
        }
        Assert.Equal(0, r.Errors);
        Assert.Empty(listener.Errors);
        Assert.False(r.DeletionSkipped);
        AssertSameListing(rsyncDest, _t.Destination);
        var diff = Snapshot.Diff(Snapshot.Take(_t.Source), Snapshot.Take(_t.Destination));
        Assert.True(diff.Count == 0, string.Join('\n', diff));
        Assert.Equal((3, 1, 2, 2, 2), (r.FilesCopied, r.FilesUpdated, r.SymlinksCopied, r.FilesDeleted, r.DirectoriesDeleted));
        // Items and messages show the bytes escaped; the mirror wrote them exactly.
        Assert.Contains(listener.Items, i => i.Action == MirrorAction.UpdateFile && i.RelativePath == "d\\xE9/in\\xFF"
                                              && i.DestinationPath == _t.Destination + "/d\\xE9/in\\xFF");
        Assert.Contains(listener.Items, i => i.Action == MirrorAction.Delete && i.RelativePath == "old\\xFA");

        MirrorResult again = _t.Mirror();
        Assert.Equal(0, again.FilesCopied + again.FilesUpdated + again.SymlinksCopied + again.MetadataUpdated + again.FilesDeleted);
        Assert.Equal(4, again.FilesUnchanged);
    }

    [Fact]
    public void Names_whose_byte_and_UTF16_orders_differ_pair_with_their_destination_copies()
    {
        // UTF-8 bytes put a fullwidth A (U+FF21: EF BC A1) before an emoji (F0 9F ...); UTF-16 puts
        // the emoji's surrogate (D83D) first. The destination lacks the A: the emoji there must be
        // found as the same entry, not copied again with its old copy deleted.
        Tree.Write(_t.Src("\uFF21"), "fullwidth");
        Tree.Write(_t.Src("\U0001F600"), "smile");
        Tree.Write(_t.Src("z"), "z");
        Assert.Equal(0, _t.Mirror().Errors);
        File.Delete(_t.Dst("\uFF21"));

        MirrorResult r = _t.Mirror();

        Assert.Equal((0, 1, 0, 0, 2), (r.Errors, r.FilesCopied, r.FilesUpdated, r.FilesDeleted, r.FilesUnchanged));
        Assert.Equal("fullwidth", File.ReadAllText(_t.Dst("\uFF21")));
    }

    [Fact]
    public void A_source_holding_only_a_name_that_is_not_UTF8_is_not_taken_for_empty()
    {
        Tree.Bash($"printf data > {Tree.Quote(_t.Source)}/$'caf\\xe9'");
        Tree.Write(_t.Dst("other.txt"), "other");

        if (!Backend.NamesAsBytes)
        {
            // Documented limit (see above): the source cannot be read, so it is never taken for empty
            // and nothing is deleted, even with -Force.
            MirrorResult refused = _t.Mirror(force: true);
            Assert.True(refused.Errors > 0);
            Assert.Equal(0, refused.FilesDeleted);
            Assert.Equal("other", File.ReadAllText(_t.Dst("other.txt")));
            return;
        }
        MirrorResult r = _t.Mirror();

        Assert.Equal(0, r.Errors);
        Assert.Equal(1, r.FilesCopied);
        Assert.Equal(1, r.FilesDeleted);
        AssertSameListing(_t.Source, _t.Destination);
    }

    [Fact]
    public void Exclude_wildcards_match_a_byte_that_is_not_UTF8_as_one_byte_as_rsync_does()
    {
        // rsync's '?' is one byte: 'skip?' matches skip\xfe, 'keep?' protects keep\xff in the
        // destination, 'gone?' does not match gone\xff\xfe (two bytes), which is deleted.
        if (!Backend.NamesAsBytes)
        {
            return; // the portable backend refuses such names (see above)
        }
        string rsyncDest = Path.Combine(_t.Root, "rsync-dst");
        foreach (string dst in new[] { _t.Destination, rsyncDest })
        {
            Directory.CreateDirectory(dst);
            Tree.Bash($"cd {Tree.Quote(dst)} && printf k > $'keep\\xff' && printf g > $'gone\\xff\\xfe' && touch -d @1400000000 $'keep\\xff'");
        }
        Tree.Bash($"cd {Tree.Quote(_t.Source)} && printf s > $'skip\\xfe' && printf c > $'copy\\xfe\\xfe' && touch -d @1500000000 .");
        string[] exclude = ["skip?", "keep?", "gone?", "copy?"];

        MirrorResult r = _t.Mirror(exclude: exclude);
        Tree.Run("rsync", ["-a", "--delete", .. exclude.Select(p => "--exclude=" + p), _t.Source + "/", rsyncDest + "/"]);

        Assert.Equal(0, r.Errors);
        AssertSameListing(rsyncDest, _t.Destination);
        Assert.Equal((1, 1), (r.FilesCopied, r.FilesDeleted));
    }

    [Fact]
    public void Messages_show_bytes_that_are_not_UTF8_as_hex_escapes()
    {
        string name = NameEncoding.Decode([.. "caf"u8, 0xE9]);
        using var dir = new LinuxDirHandle(-1, "/some/dir");
        Assert.Equal("/some/dir/caf\\xE9", dir.Child(name));
        Assert.Equal("/dst/d/caf\\xE9", Blit.Platform.RelativePath.Display("/dst", "d/" + name));
        var ex = LinuxNative.IOError(LinuxNative.ENOENT, "open", dir.Child(name));
        Assert.Contains("caf\\xE9", ex.Message, StringComparison.Ordinal);
    }
}
