using Blit.Errors;
using Blit.Platform;

namespace Blit.Tests.Support;

/// <summary>Wraps the real filesystem and fails chosen operations, to test the engine's fault handling.</summary>
internal sealed class FaultyFileSystem(IMirrorFileSystem inner) : IMirrorFileSystem
{
    public Func<string, bool>? FailReadDirectory { get; init; }
    public Func<string, bool>? FailCopy { get; init; }
    public int FailErrno { get; init; } = LinuxNative.EACCES;

    public Func<string, bool>? FailSpecial { get; init; }

    public bool CanSetOwner => inner.CanSetOwner;
    public bool CanCreateDevices => inner.CanCreateDevices;
    public DirHandle OpenRoot(string fullPath) => inner.OpenRoot(fullPath);
    public DirHandle OpenDirectory(DirHandle parent, string name) => inner.OpenDirectory(parent, name);

    public TreeEntry[] ReadDirectory(DirHandle dir, bool readLinkTargets, bool keep) =>
        FailReadDirectory?.Invoke(dir.DisplayPath) == true
            ? throw LinuxNative.IOError(FailErrno, "read directory", dir.DisplayPath)
            : inner.ReadDirectory(dir, readLinkTargets, keep);

    public FileMeta StatRoot(string fullPath) => inner.StatRoot(fullPath);
    public IReadOnlyList<FileIdentity>? DirectoryAndAncestors(string fullPath) => inner.DirectoryAndAncestors(fullPath);

    public CopyMethod CopyFile(DirHandle srcDir, string name, in FileMeta expected, DirHandle dstDir, string tempName,
        IProgress<long>? bytesProgress, CancellationToken cancellationToken) =>
        FailCopy?.Invoke(srcDir.Child(name)) == true
            ? throw LinuxNative.IOError(FailErrno, "write", dstDir.Child(tempName))
            : inner.CopyFile(srcDir, name, expected, dstDir, tempName, bytesProgress, cancellationToken);

    public CopyMethod CopyNewFile(DirHandle srcDir, string name, in FileMeta expected, DirHandle dstDir, Func<string> newTempName,
        IProgress<long>? bytesProgress, CancellationToken cancellationToken) =>
        FailCopy?.Invoke(srcDir.Child(name)) == true
            ? throw LinuxNative.IOError(FailErrno, "write", dstDir.Child(name))
            : inner.CopyNewFile(srcDir, name, expected, dstDir, newTempName, bytesProgress, cancellationToken);

    public bool ContentEquals(DirHandle srcDir, string srcName, DirHandle dstDir, string dstName, CancellationToken cancellationToken) =>
        inner.ContentEquals(srcDir, srcName, dstDir, dstName, cancellationToken);

    public void CreateDirectory(DirHandle parent, string name) => inner.CreateDirectory(parent, name);
    public void CreateSymlink(DirHandle dir, string name, string target, in FileMeta source) => inner.CreateSymlink(dir, name, target, source);

    public void CreateSpecial(DirHandle dir, string name, in FileMeta meta)
    {
        if (FailSpecial?.Invoke(dir.Child(name)) == true)
        {
            throw LinuxNative.IOError(FailErrno, "create special file", dir.Child(name));
        }
        inner.CreateSpecial(dir, name, meta);
    }
    public void Rename(DirHandle dir, string from, string to) => inner.Rename(dir, from, to);
    public void RenameNoReplace(DirHandle dir, string from, string to) => inner.RenameNoReplace(dir, from, to);
    public void Remove(DirHandle dir, string name, bool isDirectory) => inner.Remove(dir, name, isDirectory);
    public void SetMetadata(DirHandle dir, string name, in FileMeta meta) => inner.SetMetadata(dir, name, meta);
    public void SetMetadata(DirHandle dir, in FileMeta meta) => inner.SetMetadata(dir, meta);
    public bool MakeWritable(DirHandle dir, string? name) => inner.MakeWritable(dir, name);
    public string? CanonicalPath(string fullPath) => inner.CanonicalPath(fullPath);
    public bool IsMountPoint(string canonicalPath) => inner.IsMountPoint(canonicalPath);

    public FileSystemCapabilities ProbeDestination(DirHandle dir, string tempName) => inner.ProbeDestination(dir, tempName);

    public void UseDestination(FileSystemCapabilities capabilities) => inner.UseDestination(capabilities);

    public IReadOnlyList<string> MountPointsBelow(DirHandle dir) => inner.MountPointsBelow(dir);
    public DirectoryRestriction GetRestriction(DirHandle dir) => inner.GetRestriction(dir);
}
