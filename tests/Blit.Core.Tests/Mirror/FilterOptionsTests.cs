using Blit.Errors;
using Blit.Mirror;
using Blit.Tests.Support;

namespace Blit.Tests.Mirror;

/// <summary>The filter options of a mirror: their order, their files, -DeleteExcluded, and the warnings.</summary>
public sealed class FilterOptionsTests : IDisposable
{
    private readonly TempTree _t = new();

    public void Dispose() => _t.Dispose();

    private (MirrorResult Result, RecordingListener Listener) Run(Func<MirrorOptions, MirrorOptions> configure)
    {
        var listener = new RecordingListener();
        MirrorResult result = MirrorEngine.Run(configure(new MirrorOptions { Source = _t.Source, Destination = _t.Destination }), listener);
        return (result, listener);
    }

    [Fact]
    public void Includes_are_tried_before_excludes()
    {
        Tree.Write(_t.Src("keep.log"), "k");
        Tree.Write(_t.Src("sub/other.log"), "o");
        Tree.Write(_t.Src("sub/a.txt"), "a");
        Run(o => new MirrorOptions { Source = o.Source, Destination = o.Destination, Include = ["keep.log"], Exclude = ["*.log"] });
        Assert.True(File.Exists(_t.Dst("keep.log")));
        Assert.False(File.Exists(_t.Dst("sub/other.log")));
        Assert.True(File.Exists(_t.Dst("sub/a.txt")));
    }

    [Fact]
    public void Rule_files_are_read_in_order_after_the_patterns_of_their_kind()
    {
        Tree.Write(_t.Src("a.o"), "a");
        Tree.Write(_t.Src("keep.o"), "k");
        Tree.Write(_t.Src("b.tmp"), "b");
        Tree.Write(_t.Src("c.txt"), "c");
        string excludes = Path.Combine(_t.Root, "excludes.txt");
        File.WriteAllText(excludes, "# objects\n*.o\n\n; and temp files\n*.tmp\n");
        string includes = Path.Combine(_t.Root, "includes.txt");
        File.WriteAllText(includes, "keep.o\n- c.txt\n");
        (MirrorResult r, _) = Run(o => new MirrorOptions
        {
            Source = o.Source, Destination = o.Destination, ExcludeFrom = [excludes], IncludeFrom = [includes],
        });
        Assert.Equal(["keep.o"], Directory.GetFiles(_t.Destination).Select(Path.GetFileName));
        Assert.Equal(1, r.FilesCopied);
    }

    [Fact]
    public void DeleteExcluded_deletes_excluded_destination_entries()
    {
        Tree.Write(_t.Src("a.txt"), "a");
        Tree.Write(_t.Dst("old.log"), "stale log");
        Tree.Write(_t.Dst("cache/blob"), "stale cache");
        (MirrorResult kept, _) = Run(o => new MirrorOptions { Source = o.Source, Destination = o.Destination, Exclude = ["*.log", "cache/"] });
        Assert.Equal(0, kept.FilesDeleted);
        Assert.True(File.Exists(_t.Dst("old.log")));

        (MirrorResult deleted, _) = Run(o => new MirrorOptions
        {
            Source = o.Source, Destination = o.Destination, Exclude = ["*.log", "cache/"], DeleteExcluded = true,
        });
        Assert.Equal(2, deleted.FilesDeleted);
        Assert.Equal(1, deleted.DirectoriesDeleted);
        Assert.Equal(["a.txt"], Directory.EnumerateFileSystemEntries(_t.Destination).Select(Path.GetFileName));
    }

    [Theory]
    [InlineData("FULL/cache", "Write '/cache'")]
    [InlineData("FULL/cache/", "Write '/cache/'")]
    [InlineData("FULL", "names the source itself")]
    [InlineData("cache\\tmp", "write 'cache/tmp'")]
    [InlineData("*.tmp\\x", "write '*.tmp/x'")]
    [InlineData("*.log ", "ends with a space")]
    [InlineData("/etc/hostname", "outside the source")]
    public void Patterns_that_cannot_mean_what_they_say_are_warned_about(string pattern, string advice)
    {
        Tree.Write(_t.Src("cache/x"), "x");
        pattern = pattern.Replace("FULL", _t.Source, StringComparison.Ordinal);
        (MirrorResult r, RecordingListener listener) = Run(o => new MirrorOptions { Source = o.Source, Destination = o.Destination, Exclude = [pattern] });
        BlitError warning = Assert.Single(listener.Errors, e => e.Code == BlitErrorCode.SuspectFilterPattern);
        Assert.True(warning.IsWarning);
        Assert.Contains(advice, warning.Message, StringComparison.Ordinal);
        Assert.Equal(0, r.Errors);
    }

    [Theory]
    [InlineData("/cache")]
    [InlineData("*.log")]
    [InlineData("file\\*name")]
    [InlineData("[\\]]")]
    [InlineData("**/deep/")]
    public void Ordinary_patterns_are_not_warned_about(string pattern)
    {
        Tree.Write(_t.Src("cache/x"), "x");
        (_, RecordingListener listener) = Run(o => new MirrorOptions { Source = o.Source, Destination = o.Destination, Exclude = [pattern] });
        Assert.DoesNotContain(listener.Errors, e => e.Code == BlitErrorCode.SuspectFilterPattern);
    }

    [Fact]
    public void A_missing_rule_file_stops_the_mirror_before_it_starts()
    {
        Tree.Write(_t.Src("a"), "a");
        var ex = Assert.Throws<BlitException>(() => Run(o => new MirrorOptions
        {
            Source = o.Source, Destination = o.Destination, ExcludeFrom = [Path.Combine(_t.Root, "missing.txt")],
        }));
        Assert.Equal(BlitErrorCode.FilterFileUnreadable, ex.Code);
        Assert.False(Directory.Exists(_t.Destination));
    }
}
