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

    [Theory]
    [InlineData("")]
    [InlineData("/")]
    [InlineData("[abc")]
    public void Invalid_patterns_are_refused(string pattern)
    {
        var ex = Assert.Throws<BlitException>(() => new ExcludeFilter([pattern]));
        Assert.Equal(BlitErrorCode.InvalidExcludePattern, ex.Code);
    }
}
