using Blit.Errors;
using Blit.Scanning;

namespace Blit.Tests.Mirror;

public sealed class ExcludeFilterTests
{
    [Theory]
    [InlineData("*.log", "a/b/x.log", false, true)]
    [InlineData("*.log", "x.log", false, true)]
    [InlineData("*.log", "x.logs", false, false)]
    [InlineData("cache/", "a/cache", true, true)]
    [InlineData("cache/", "a/cache", false, false)]
    [InlineData("/cache", "cache", true, true)]
    [InlineData("/cache", "a/cache", true, false)]
    [InlineData("a/*.tmp", "a/x.tmp", false, true)]
    [InlineData("a/*.tmp", "z/a/x.tmp", false, true)]
    [InlineData("a/*.tmp", "a/b/x.tmp", false, false)]
    [InlineData("a/**.tmp", "a/b/x.tmp", false, true)]
    [InlineData("file?.txt", "file1.txt", false, true)]
    [InlineData("file?.txt", "file10.txt", false, false)]
    [InlineData("[ab]*", "beta", false, true)]
    [InlineData("[!ab]*", "beta", false, false)]
    [InlineData("with space", "dir/with space", false, true)]
    public void Patterns_match_like_rsync(string pattern, string path, bool isDir, bool expected)
    {
        var filter = new ExcludeFilter([pattern]);
        string name = path[(path.LastIndexOf('/') + 1)..];
        Assert.Equal(expected, filter.IsExcluded(path, name, isDir));
    }

    /// <summary>rsync accepts these and silently matches nothing with them; Blit says so instead.</summary>
    [Theory]
    [InlineData("/")]
    [InlineData("//")]
    [InlineData("[abc")]
    [InlineData("*[]")]
    [InlineData("*[[:digits:]]")]
    [InlineData("*.log\\")]
    [InlineData("- ")]
    public void Patterns_that_can_never_match_are_refused(string pattern)
    {
        var ex = Assert.Throws<BlitException>(() => new ExcludeFilter([pattern]));
        Assert.Equal(BlitErrorCode.InvalidExcludePattern, ex.Code);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData(null)]
    public void Blank_patterns_are_ignored(string? pattern)
    {
        var filter = new ExcludeFilter([pattern!]);
        Assert.True(filter.IsEmpty);
    }

    [Fact]
    public void A_literal_backslash_pattern_is_not_an_escape()
    {
        // No wildcard: rsync compares the pattern as it is, so the backslash is a character of the name.
        var filter = new ExcludeFilter(["back\\slash"]);
        Assert.True(filter.IsExcluded("back\\slash", "back\\slash", false));
        Assert.False(filter.IsExcluded("backslash", "backslash", false));
    }

    [Theory]
    [InlineData("- *.log", FilterAction.Include, FilterAction.Exclude, "*.log")]
    [InlineData("+ *.log", FilterAction.Exclude, FilterAction.Include, "*.log")]
    [InlineData("*.log", FilterAction.Include, FilterAction.Include, "*.log")]
    [InlineData("-x", FilterAction.Exclude, FilterAction.Exclude, "-x")]
    [InlineData("!x", FilterAction.Exclude, FilterAction.Exclude, "!x")]
    [InlineData("!", FilterAction.Exclude, FilterAction.Clear, "")]
    public void Rules_read_like_rsync_exclude_arguments(string text, FilterAction byDefault, FilterAction action, string pattern)
    {
        FilterRule? rule = FilterRule.Parse(text, byDefault);
        Assert.Equal(new FilterRule(action, pattern), rule);
    }

    [Fact]
    public void The_first_matching_rule_decides_and_a_clear_forgets_what_came_before()
    {
        var filter = new ExcludeFilter([
            new FilterRule(FilterAction.Exclude, "*.tmp"),
            new FilterRule(FilterAction.Clear, string.Empty),
            new FilterRule(FilterAction.Include, "keep.log"),
            new FilterRule(FilterAction.Exclude, "*.log"),
        ]);
        Assert.False(filter.IsExcluded("a/keep.log", "keep.log", false));
        Assert.True(filter.IsExcluded("a/other.log", "other.log", false));
        Assert.False(filter.IsExcluded("x.tmp", "x.tmp", false));
        Assert.Equal(2, filter.Rules.Count);
    }

    [Fact]
    public void A_filter_file_skips_comments_and_blank_lines_and_reads_prefixes()
    {
        string path = Path.GetTempFileName();
        try
        {
            File.WriteAllText(path, "# build output\r\n*.o\r\n\r\n; editor files\n*~\n\n+ keep.o\r- *.tmp\n   \n");
            IReadOnlyList<FilterRule> rules = FilterRule.ReadFile(path, FilterAction.Exclude);
            Assert.Equal(
                [new(FilterAction.Exclude, "*.o"), new(FilterAction.Exclude, "*~"), new(FilterAction.Include, "keep.o"),
                 new FilterRule(FilterAction.Exclude, "*.tmp")],
                rules);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void A_missing_filter_file_is_a_setup_error()
    {
        var ex = Assert.Throws<BlitException>(() => FilterRule.ReadFile("/nonexistent/blit-excludes.txt", FilterAction.Exclude));
        Assert.Equal(BlitErrorCode.FilterFileUnreadable, ex.Code);
        Assert.Equal("/nonexistent/blit-excludes.txt", ex.Path);
    }

    [Fact]
    public void Case_is_matched_exactly_unless_the_filter_is_told_otherwise()
    {
        FilterRule[] rules = [new(FilterAction.Exclude, "*.log"), new(FilterAction.Exclude, "/Cache/")];
        var exact = new ExcludeFilter(rules);
        var folding = new ExcludeFilter(rules, StringComparison.OrdinalIgnoreCase);
        Assert.False(exact.IsExcluded("X2.LOG", "X2.LOG", false));
        Assert.True(folding.IsExcluded("X2.LOG", "X2.LOG", false));
        Assert.True(folding.IsExcluded("cache", "cache", true));
        Assert.True(folding.IsExcluded("ÉTÉ/x.LOG", "x.LOG", false));
        Assert.True(folding.IsExcluded("X2.LOG"u8, false));
    }

    [Fact]
    public void Paths_as_bytes_match_byte_for_byte()
    {
        // '?' is one byte, as in rsync: 'é' is two in UTF-8. A name that is not UTF-8 still matches.
        var filter = new ExcludeFilter(["caf??"]);
        Assert.True(filter.IsExcluded("café"u8, false));
        Assert.True(filter.IsExcluded("café", "café", false));
        Assert.False(filter.IsExcluded("cafe", "cafe", false));
        var raw = new ExcludeFilter([new FilterRule(FilterAction.Exclude, "x?")]);
        Assert.True(raw.IsExcluded([(byte)'d', (byte)'/', (byte)'x', 0xFF], false));
    }
}
