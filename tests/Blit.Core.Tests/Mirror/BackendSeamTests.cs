using Blit.Errors;
using Blit.Platform;
using Blit.Tests.Support;

namespace Blit.Tests.Mirror;

/// <summary>
/// The platform seam: one factory picks the backend, and a backend's errors reach the engine as
/// neutral kinds (the executor and path rules test kinds, never errno values).
/// </summary>
public sealed class BackendSeamTests : IDisposable
{
    private readonly TempTree _t = new();

    public void Dispose() => _t.Dispose();

    [Fact]
    public void The_factory_picks_the_Linux_backend_by_default_and_the_portable_one_on_request()
    {
        Assert.IsType<LinuxFileSystem>(FileSystemFactory.Create(true, null));
        Assert.IsType<LinuxFileSystem>(FileSystemFactory.Create(true, "native"));
        Assert.IsType<PortableFileSystem>(FileSystemFactory.Create(true, " Portable "));
        var ex = Assert.Throws<BlitException>(() => FileSystemFactory.Create(true, "ntfs"));
        Assert.Equal(BlitErrorCode.InvalidArgument, ex.Code);
        Assert.Contains(FileSystemFactory.BackendVariable, ex.Message, StringComparison.Ordinal);
    }

    public static TheoryData<string> Backends => new() { "linux", "portable" };

    [Theory]
    [MemberData(nameof(Backends))]
    public void Errors_come_back_as_neutral_kinds(string backend)
    {
        IMirrorFileSystem fs = FileSystemFactory.Create(true, backend);
        Tree.Write(_t.Src("full/f"), "f");
        File.WriteAllText(_t.Src("file"), "x");
        using DirHandle root = fs.OpenRoot(_t.Source);

        Assert.Equal(IOErrorKind.NotFound, Assert.Throws<NativeIOException>(() => fs.OpenDirectory(root, "missing")).Kind);
        Assert.Equal(IOErrorKind.NotADirectory, Assert.Throws<NativeIOException>(() => fs.OpenDirectory(root, "file")).Kind);
        Assert.Equal(IOErrorKind.NotEmpty, Assert.Throws<NativeIOException>(() => fs.Remove(root, "full", isDirectory: true)).Kind);
        Assert.Equal(IOErrorKind.AlreadyExists, Assert.Throws<NativeIOException>(() => fs.CreateDirectory(root, "full")).Kind);
        Assert.Equal(IOErrorKind.NotFound, Assert.Throws<NativeIOException>(() => fs.StatRoot(_t.Src("missing"))).Kind);
    }

    [Theory]
    [MemberData(nameof(Backends))]
    public void A_symlink_is_never_opened_as_a_directory(string backend)
    {
        IMirrorFileSystem fs = FileSystemFactory.Create(true, backend);
        Directory.CreateDirectory(_t.Src("real"));
        Tree.Symlink(_t.Src("link"), "real");
        using DirHandle root = fs.OpenRoot(_t.Source);

        // As open(O_DIRECTORY | O_NOFOLLOW) answers on Linux: a link is not a directory.
        Assert.Equal(IOErrorKind.NotADirectory, Assert.Throws<NativeIOException>(() => fs.OpenDirectory(root, "link")).Kind);
    }

    [Theory]
    [MemberData(nameof(Backends))]
    public void Lifting_write_protection_says_whether_a_retry_can_help(string backend)
    {
        IMirrorFileSystem fs = FileSystemFactory.Create(true, backend);
        Directory.CreateDirectory(_t.Src("ro"));
        Tree.Chmod(_t.Src("ro"), 0x16D); // 0555
        using DirHandle root = fs.OpenRoot(_t.Source);
        using DirHandle ro = fs.OpenDirectory(root, "ro");

        Assert.True(fs.MakeWritable(ro, null));   // the directory's protection was lifted
        Assert.False(fs.MakeWritable(ro, null));  // nothing left to lift: a retry cannot help
        Assert.Equal(0x1ED, (int)new LinuxFileSystem().StatRoot(_t.Src("ro")).Permissions);
    }

    [Theory]
    [MemberData(nameof(Backends))]
    public void Canonical_paths_resolve_symlinks_and_mount_points_are_known(string backend)
    {
        IMirrorFileSystem fs = FileSystemFactory.Create(true, backend);
        Directory.CreateDirectory(_t.Src("real/inner"));
        Tree.Symlink(_t.Src("link"), "real");
        string real = new LinuxFileSystem().CanonicalPath(_t.Src("real/inner"))!;

        Assert.Equal(real, fs.CanonicalPath(_t.Src("link/inner")));
        Assert.Null(fs.CanonicalPath(_t.Src("link/missing")));
        Assert.True(fs.IsMountPoint("/"));
        Assert.False(fs.IsMountPoint(real));
    }
}
