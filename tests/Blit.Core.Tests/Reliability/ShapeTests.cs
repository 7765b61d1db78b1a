using System.Diagnostics;
using System.Text;
using Blit.Errors;
using Blit.Mirror;
using Blit.Platform;
using Blit.Tests.Support;
using Microsoft.Win32.SafeHandles;

namespace Blit.Tests.Reliability;

/// <summary>
/// Issue 7, item 5: names and tree shapes. Names are mirrored byte for byte (NFC and NFD
/// stay distinct), paths far past PATH_MAX work (everything is relative to directory
/// descriptors), zero-byte and sparse files keep their exact contents. Names that are not UTF-8:
/// tests/Blit.Core.Tests/Mirror/ByteNameTests.cs. The 100k-entry
/// directory and the 1M-entry tree are in tests/pester/Reliability.Scale.Tests.ps1 (Heavy).
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class ShapeTests
{
    public static readonly string[] OddNames =
    [
        "caf\u00e9",                          // NFC é
        "cafe\u0301",                         // NFD e + combining acute: a different name
        "line one\nline two",
        "back\\slash",
        "-rf",
        "--help",
        " ",
        "trailing space ",
        "tab\there",
        "*?[a]{b}$HOME`x`",
        "...",
        ".~blit-1-1.tmp",                     // looks like a Blit temp file, but it is source data
        "CON",
        "colon:and|pipe<>\"quote'",
        new string('n', 255),                 // the longest name Linux allows (bytes)
        string.Concat(Enumerable.Repeat("\u00e9", 127)) + "a", // 255 bytes in 128 characters
        "\U0001F600 emoji",
        "\u202Eright-to-left",
    ];

    [Fact]
    public void Odd_names_are_mirrored_exactly_and_a_second_run_changes_nothing()
    {
        using var box = new TempTree();
        foreach (string name in OddNames)
        {
            Assert.True(Encoding.UTF8.GetByteCount(name) <= 255, name);
            Tree.Write(Path.Combine(box.Source, name), "file " + name);
            Tree.Write(Path.Combine(box.Source, "dir " + name[..Math.Min(name.Length, 100)], "inner"), "inner " + name);
        }

        MirrorResult first = MirrorEngine.Run(box.Options());
        Assert.Equal(0, first.Errors);
        Assert.Equal(OddNames.Length * 2, first.FilesCopied);

        string[] Names(string root) => [.. Directory.EnumerateFileSystemEntries(root).Select(Path.GetFileName).Order(StringComparer.Ordinal)!];
        Assert.Equal(Names(box.Source), Names(box.Destination));
        Assert.Contains("caf\u00e9", Names(box.Destination));
        Assert.Contains("cafe\u0301", Names(box.Destination));
        Tree.AssertSameTree(box.Source, box.Destination);

        MirrorResult second = MirrorEngine.Run(box.Options());
        Assert.Equal(0, second.FilesCopied + second.FilesUpdated + second.FilesDeleted + second.MetadataUpdated);
        Assert.Equal(OddNames.Length * 2, second.FilesUnchanged);
    }

    [Fact]
    public void Trees_deeper_than_100_levels_and_longer_than_4KiB_are_mirrored_and_deleted()
    {
        const int depth = 120;
        string component = new('p', 40);
        using var box = new TempTree();
        // Built one directory descriptor at a time: the full path is longer than PATH_MAX.
        int fd = LinuxNative.OpenAt(LinuxNative.AT_FDCWD, box.Source, LinuxNative.O_RDONLY | LinuxNative.O_DIRECTORY, 0);
        for (int level = 0; level < depth; level++)
        {
            WriteAt(fd, $"file{level}.txt", $"level {level}");
            Assert.Equal(0, LinuxNative.MkdirAt(fd, component, 0x1ED));
            int next = LinuxNative.OpenAt(fd, component, LinuxNative.O_RDONLY | LinuxNative.O_DIRECTORY, 0);
            Assert.True(next >= 0);
            LinuxNative.Close(fd);
            fd = next;
        }
        WriteAt(fd, "bottom.txt", "the bottom");
        LinuxNative.Close(fd);
        Assert.True(box.Source.Length + depth * (component.Length + 1) > 4096);

        MirrorResult result = MirrorEngine.Run(box.Options());
        if (Blit.Tests.Support.Backend.IsPortable)
        {
            // Documented limit: the portable backend works by path, and Linux refuses paths over
            // PATH_MAX (4096 bytes). What fits is mirrored; what does not is reported, never skipped silently.
            Assert.True(result.Errors > 0);
            Assert.Equal("level 77", ReadAt(box.Destination, Enumerable.Repeat(component, 77), "file77.txt"));
            return;
        }
        Assert.Equal(0, result.Errors);
        Assert.Equal(depth + 1, result.FilesCopied);
        Assert.Equal(Find(box.Source), Find(box.Destination));
        Assert.Equal("the bottom", ReadAt(box.Destination, Enumerable.Repeat(component, depth), "bottom.txt"));
        Assert.Equal("level 77", ReadAt(box.Destination, Enumerable.Repeat(component, 77), "file77.txt"));

        MirrorResult again = MirrorEngine.Run(box.Options());
        Assert.Equal(depth + 1, again.FilesUnchanged);
        Assert.Equal(0, again.FilesCopied + again.FilesUpdated);

        // Remove the deep part from the source: the mirror deletes 119 nested levels below level 0.
        Tree.Bash($"rm -rf {Tree.Quote(Path.Combine(box.Source, component, component))}");
        MirrorResult deleted = MirrorEngine.Run(box.Options());
        Assert.Equal(0, deleted.Errors);
        Assert.Equal(depth - 1, deleted.DirectoriesDeleted);
        Assert.Equal(Find(box.Source), Find(box.Destination));
    }

    [Fact]
    public void Zero_byte_and_sparse_files_keep_their_exact_contents()
    {
        using var box = new TempTree();
        for (int i = 0; i < 20; i++)
        {
            File.WriteAllBytes(box.Src($"empty{i}"), []);
        }
        using (var f = new FileStream(box.Src("sparse-tail.bin"), FileMode.Create))
        {
            f.SetLength(256L << 20);
            f.Seek(-1, SeekOrigin.End);
            f.WriteByte(0x5A);
        }
        Tree.WriteLarge(box.Src("sparse-middle.bin"), 64L << 20, seed: 3, sparse: true);
        using (var f = new FileStream(box.Src("all-hole.bin"), FileMode.Create))
        {
            f.SetLength(16L << 20);
        }
        // An old destination with content where the source is now empty: must become empty, not stay.
        Tree.Write(box.Dst("empty0"), "not empty before");

        MirrorResult result = MirrorEngine.Run(box.Options());

        Assert.Equal(0, result.Errors);
        Tree.AssertSameTree(box.Source, box.Destination);
        Assert.Equal(0, new FileInfo(box.Dst("empty0")).Length);
        Assert.Equal(256L << 20, new FileInfo(box.Dst("sparse-tail.bin")).Length);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Filesystem_root_as_destination_is_refused_even_with_Force(bool force)
    {
        using var box = new TempTree();
        Tree.Write(box.Src("a.txt"), "a");
        // PathRules alone: if the refusal broke, nothing here could scan or write '/'. Every source
        // is inside '/', so the always-on nesting rule refuses it before the root rule (-Force) is asked.
        var ex = Assert.Throws<BlitException>(() => Blit.Mirror.PathRules.Check(new LinuxFileSystem(),
            new MirrorOptions { Source = box.Source, Destination = "/", Force = force }));
        Assert.Equal(BlitErrorCode.SameOrNestedPath, ex.Code);
        var nested = Assert.Throws<BlitException>(() => Blit.Mirror.PathRules.Check(new LinuxFileSystem(),
            new MirrorOptions { Source = "/", Destination = box.Destination, Force = force }));
        Assert.Equal(BlitErrorCode.SameOrNestedPath, nested.Code);
    }

    private static void WriteAt(int dirFd, string name, string content)
    {
        int fd = LinuxNative.OpenAt(dirFd, name, LinuxNative.O_WRONLY | LinuxNative.O_CREAT | LinuxNative.O_EXCL, 0x1A4);
        Assert.True(fd >= 0, name);
        using var handle = new SafeFileHandle(fd, ownsHandle: true);
        RandomAccess.Write(handle, Encoding.UTF8.GetBytes(content), 0);
    }

    private static string ReadAt(string root, IEnumerable<string> dirs, string name)
    {
        int fd = LinuxNative.OpenAt(LinuxNative.AT_FDCWD, root, LinuxNative.O_RDONLY | LinuxNative.O_DIRECTORY, 0);
        foreach (string dir in dirs)
        {
            int next = LinuxNative.OpenAt(fd, dir, LinuxNative.O_RDONLY | LinuxNative.O_DIRECTORY | LinuxNative.O_NOFOLLOW, 0);
            LinuxNative.Close(fd);
            Assert.True(next >= 0, "directory missing in the destination");
            fd = next;
        }
        int file = LinuxNative.OpenAt(fd, name, LinuxNative.O_RDONLY | LinuxNative.O_NOFOLLOW, 0);
        LinuxNative.Close(fd);
        Assert.True(file >= 0, name + " missing in the destination");
        using var handle = new SafeFileHandle(file, ownsHandle: true);
        var buffer = new byte[4096];
        int n = RandomAccess.Read(handle, buffer, 0);
        return Encoding.UTF8.GetString(buffer, 0, n);
    }

    /// <summary>GNU find walks any depth: relative path, type, size, mode and mtime of every entry.</summary>
    private static string Find(string root) => Tree.Bash($"cd {Tree.Quote(root)} && find . -printf '%P|%y|%s|%m|%T@\\n' | sort");
}
