using Blit.Errors;
using Blit.Platform;

namespace Blit.Tests.Support;

/// <summary>Wraps the real filesystem and fails chosen operations, to test the engine's fault handling.</summary>
internal sealed class FaultyFileSystem(IMirrorFileSystem inner) : IMirrorFileSystem
{
    public Func<string, bool>? FailReadDirectory { get; init; }
    public Func<string, bool>? FailCopy { get; init; }
    public int FailErrno { get; init; } = LinuxNative.EACCES;

    public bool CanSetOwner => inner.CanSetOwner;
    public DirHandle OpenRoot(string fullPath) => inner.OpenRoot(fullPath);
    public DirHandle OpenDirectory(DirHandle parent, string name) => inner.OpenDirectory(parent, name);

    public TreeEntry[] ReadDirectory(DirHandle dir, bool readLinkTargets) =>
        FailReadDirectory?.Invoke(dir.DisplayPath) == true
            ? throw new NativeIOException(FailErrno, "read directory", dir.DisplayPath)
            : inner.ReadDirectory(dir, readLinkTargets);

    public FileMeta StatRoot(string fullPath) => inner.StatRoot(fullPath);
    public IReadOnlyList<FileIdentity>? DirectoryAndAncestors(string fullPath) => inner.DirectoryAndAncestors(fullPath);

    public CopyMethod CopyFile(DirHandle srcDir, string name, in FileMeta expected, DirHandle dstDir, string tempName,
        IProgress<long>? bytesProgress, CancellationToken cancellationToken) =>
        FailCopy?.Invoke(srcDir.Child(name)) == true
            ? throw new NativeIOException(FailErrno, "write", dstDir.Child(tempName))
            : inner.CopyFile(srcDir, name, expected, dstDir, tempName, bytesProgress, cancellationToken);

    public CopyMethod CopyNewFile(DirHandle srcDir, string name, in FileMeta expected, DirHandle dstDir, Func<string> newTempName,
        IProgress<long>? bytesProgress, CancellationToken cancellationToken) =>
        FailCopy?.Invoke(srcDir.Child(name)) == true
            ? throw new NativeIOException(FailErrno, "write", dstDir.Child(name))
            : inner.CopyNewFile(srcDir, name, expected, dstDir, newTempName, bytesProgress, cancellationToken);

    public bool ContentEquals(DirHandle srcDir, string srcName, DirHandle dstDir, string dstName, CancellationToken cancellationToken) =>
        inner.ContentEquals(srcDir, srcName, dstDir, dstName, cancellationToken);

    public void CreateDirectory(DirHandle parent, string name) => inner.CreateDirectory(parent, name);
    public void CreateSymlink(DirHandle dir, string name, string target) => inner.CreateSymlink(dir, name, target);
    public void Rename(DirHandle dir, string from, string to) => inner.Rename(dir, from, to);
    public void RenameNoReplace(DirHandle dir, string from, string to) => inner.RenameNoReplace(dir, from, to);
    public void Remove(DirHandle dir, string name, bool isDirectory) => inner.Remove(dir, name, isDirectory);
    public void SetMetadata(DirHandle dir, string name, in FileMeta meta) => inner.SetMetadata(dir, name, meta);
    public void SetMetadata(DirHandle dir, in FileMeta meta) => inner.SetMetadata(dir, meta);
    public void MakeWritable(DirHandle dir) => inner.MakeWritable(dir);
    public DirectoryRestriction GetRestriction(DirHandle dir) => inner.GetRestriction(dir);
}
