using Blit.Errors;
using Blit.Mirror;
using Blit.Platform;
using Blit.Tests.Support;

namespace Blit.Tests.Mirror;

/// <summary>The refusals of §2: what Blit will not do, and the stable codes it says so with.</summary>
[Collection(nameof(EnvironmentCollection))]
public sealed class RefusalTests : IDisposable
{
    private readonly TempTree _t = new();

    public void Dispose() => _t.Dispose();

    private BlitErrorCode Refusal(string source, string dest, bool force = false)
    {
        var ex = Assert.Throws<BlitException>(() => _t.Mirror(source: source, dest: dest, force: force));
        return ex.Code;
    }

    [Fact]
    public void Same_path_is_always_refused()
    {
        Tree.Write(_t.Src("f"), "f");
        Assert.Equal(BlitErrorCode.SameOrNestedPath, Refusal(_t.Source, _t.Source, force: true));
        Assert.Equal(BlitErrorCode.SameOrNestedPath, Refusal(_t.Source, _t.Source + "/", force: true));
    }

    [Fact]
    public void Same_path_through_a_symlink_is_refused()
    {
        Tree.Write(_t.Src("f"), "f");
        string alias = Path.Combine(_t.Root, "alias");
        Tree.Symlink(alias, _t.Source);
        Assert.Equal(BlitErrorCode.SameOrNestedPath, Refusal(_t.Source, alias, force: true));
    }

    [Fact]
    public void Nested_paths_are_always_refused_both_ways()
    {
        Tree.Write(_t.Src("f"), "f");
        Assert.Equal(BlitErrorCode.SameOrNestedPath, Refusal(_t.Source, Path.Combine(_t.Source, "inner/backup"), force: true));
        Assert.Equal(BlitErrorCode.SameOrNestedPath, Refusal(_t.Source, _t.Root, force: true));
        Assert.False(Directory.Exists(Path.Combine(_t.Source, "inner")));
    }

    /// <summary>Issue 13.1: nesting decided by directory identity, so a bind mount does not hide it.</summary>
    [Fact]
    public void Nesting_through_a_bind_mount_is_refused_and_nothing_is_deleted()
    {
        string p = Path.Combine(_t.Root, "p");
        string view = Path.Combine(_t.Root, "view");
        string sub = Path.Combine(_t.Root, "subview");
        Tree.Write(Path.Combine(p, "src/sub/important.txt"), "x");
        Directory.CreateDirectory(view);
        Directory.CreateDirectory(sub);
        Tree.Run("mount", "--bind", p, view);
        try
        {
            Tree.Run("mount", "--bind", Path.Combine(p, "src/sub"), sub);
            try
            {
                string source = Path.Combine(p, "src");
                if (!Backend.SeesBindMounts)
                {
                    // Documented limit: the portable backend's directory identity is the canonical path,
                    // and a bind mount is another path to the same directory: the nesting is not seen.
                    // Shown with -WhatIf (a real run would mirror the source into itself).
                    IMirrorFileSystem fs = FileSystemFactory.Create();
                    Assert.DoesNotContain(fs.DirectoryAndAncestors(source)![0], fs.DirectoryAndAncestors(Path.Combine(view, "src/sub"))!);
                    Assert.DoesNotContain(fs.DirectoryAndAncestors(source)![0], fs.DirectoryAndAncestors(sub)!);
                    using (MirrorSession session = MirrorEngine.Prepare(new MirrorOptions { Source = source, Destination = sub, Force = true }))
                    {
                        Assert.True(session.WhatIfResult().FilesDeleted > 0); // it would delete sub/important.txt
                    }
                    Assert.Equal("x", File.ReadAllText(Path.Combine(p, "src/sub/important.txt")));
                    // What the canonical path does show is still refused: the source inside itself by its own path.
                    Assert.Equal(BlitErrorCode.SameOrNestedPath, Refusal(source, Path.Combine(p, "src/sub"), force: true));
                    return;
                }
                // The destination inside the source, seen through a bind mount of its parent.
                Assert.Equal(BlitErrorCode.SameOrNestedPath, Refusal(source, Path.Combine(view, "src/sub"), force: true));
                Assert.Equal(BlitErrorCode.SameOrNestedPath, Refusal(source, Path.Combine(view, "src/sub/new/deeper"), force: true));
                // The source itself, through the bind mount.
                Assert.Equal(BlitErrorCode.SameOrNestedPath, Refusal(source, Path.Combine(view, "src"), force: true));
                // The destination inside the source through a bind mount of a subdirectory of the source.
                Assert.Equal(BlitErrorCode.SameOrNestedPath, Refusal(source, sub, force: true));
                Assert.Equal(BlitErrorCode.SameOrNestedPath, Refusal(source, Path.Combine(sub, "backup"), force: true));
                // The source inside the destination, both ways round.
                Assert.Equal(BlitErrorCode.SameOrNestedPath, Refusal(Path.Combine(view, "src/sub"), source, force: true));
                Assert.Equal(BlitErrorCode.SameOrNestedPath, Refusal(sub, source, force: true));
                Assert.Equal(BlitErrorCode.SameOrNestedPath, Refusal(sub, p, force: true));
                Assert.Equal("x", File.ReadAllText(Path.Combine(p, "src/sub/important.txt")));
                Assert.False(Directory.Exists(Path.Combine(p, "src/sub/sub")));
                Assert.False(Directory.Exists(Path.Combine(p, "src/sub/new")));
                Assert.False(Directory.Exists(Path.Combine(p, "src/sub/backup")));
            }
            finally
            {
                Tree.Run("umount", sub);
            }
        }
        finally
        {
            Tree.Run("umount", view);
        }
    }

    [Fact]
    public void Nesting_through_symlinks_is_refused_both_ways()
    {
        Tree.Write(_t.Src("sub/f"), "f");
        string toSub = Path.Combine(_t.Root, "to-sub");
        string toRoot = Path.Combine(_t.Root, "to-root");
        Tree.Symlink(toSub, _t.Src("sub"));
        Tree.Symlink(toRoot, _t.Root);
        Assert.Equal(BlitErrorCode.SameOrNestedPath, Refusal(_t.Source, Path.Combine(toSub, "backup"), force: true));
        Assert.Equal(BlitErrorCode.SameOrNestedPath, Refusal(_t.Source, toSub, force: true));
        Assert.Equal(BlitErrorCode.SameOrNestedPath, Refusal(toSub, toRoot, force: true));
        Assert.Equal(BlitErrorCode.SameOrNestedPath, Refusal(Path.Combine(toRoot, "src"), _t.Source, force: true));
        Assert.False(Directory.Exists(_t.Src("sub/backup")));
    }

    [Fact]
    public void A_sibling_with_a_common_prefix_is_not_nested()
    {
        Tree.Write(_t.Src("f"), "f");
        MirrorResult r = _t.Mirror(dest: _t.Source + "-copy");
        Assert.Equal(1, r.FilesCopied);
    }

    [Fact]
    public void An_empty_source_over_a_non_empty_destination_needs_Force()
    {
        Tree.Write(_t.Dst("precious"), "p");
        Assert.Equal(BlitErrorCode.EmptySourceRefused, Refusal(_t.Source, _t.Destination));
        Assert.True(File.Exists(_t.Dst("precious")));

        MirrorResult r = _t.Mirror(force: true);
        Assert.Equal(1, r.FilesDeleted);
        Assert.False(File.Exists(_t.Dst("precious")));
    }

    [Fact]
    public void A_filesystem_root_destination_needs_Force()
    {
        Tree.Write(_t.Src("f"), "f");
        // "/" contains every source, so it is refused as nested even with -Force.
        Assert.Equal(BlitErrorCode.SameOrNestedPath, Refusal(_t.Source, "/", force: true));

        // The root of another mounted filesystem needs -Force.
        string mount = Path.Combine(_t.Root, "mnt dir");
        Directory.CreateDirectory(mount);
        Tree.Run("mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", mount);
        try
        {
            Assert.Equal(BlitErrorCode.DestinationIsRootRefused, Refusal(_t.Source, mount));
            Assert.Equal(1, _t.Mirror(dest: mount, force: true).FilesCopied);
        }
        finally
        {
            Tree.Run("umount", mount);
        }
    }

    [Fact]
    public void The_home_directory_as_destination_needs_Force()
    {
        Tree.Write(_t.Src("f"), "f");
        string fakeHome = Path.Combine(_t.Root, "home");
        Directory.CreateDirectory(fakeHome);
        string? oldHome = Environment.GetEnvironmentVariable("HOME");
        Environment.SetEnvironmentVariable("HOME", fakeHome);
        try
        {
            Assert.Equal(BlitErrorCode.DestinationIsHomeRefused, Refusal(_t.Source, fakeHome));
            Assert.Equal(1, _t.Mirror(dest: fakeHome, force: true).FilesCopied);
        }
        finally
        {
            Environment.SetEnvironmentVariable("HOME", oldHome);
        }
    }

    [Fact]
    public void A_missing_source_a_file_source_and_a_file_destination_are_refused()
    {
        Tree.Write(_t.Src("f"), "f");
        Assert.Equal(BlitErrorCode.SourceNotFound, Refusal(Path.Combine(_t.Root, "nope"), _t.Destination));
        Assert.Equal(BlitErrorCode.SourceNotDirectory, Refusal(_t.Src("f"), _t.Destination));
        string fileDest = Path.Combine(_t.Root, "file-dest");
        File.WriteAllText(fileDest, "not a dir");
        Assert.Equal(BlitErrorCode.DestinationNotDirectory, Refusal(_t.Source, fileDest));
        Assert.Equal("not a dir", File.ReadAllText(fileDest));
    }

    [Fact]
    public void Relative_paths_are_rejected_by_the_engine()
    {
        Assert.Equal(BlitErrorCode.InvalidArgument, Refusal("relative/src", _t.Destination));
    }

    [Fact]
    public void A_bad_exclude_pattern_is_refused()
    {
        Tree.Write(_t.Src("f"), "f");
        var ex = Assert.Throws<BlitException>(() => _t.Mirror(exclude: ["[abc"]));
        Assert.Equal(BlitErrorCode.InvalidExcludePattern, ex.Code);
        Assert.False(Directory.Exists(_t.Destination));
    }
}

/// <summary>Tests that change process-wide environment variables, or measure process-wide figures, run alone.</summary>
[CollectionDefinition(nameof(EnvironmentCollection), DisableParallelization = true)]
public sealed class EnvironmentCollection;
