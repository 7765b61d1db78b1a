using System.Collections.Concurrent;
using Blit.Platform;

namespace Blit.Tests.Support;

/// <summary>
/// The real file system (the backend BLIT_BACKEND chooses) with hooks before the operations a fault can hit: a test
/// deletes, grows, swaps or cancels at an exact point instead of racing the engine.
/// Hooks get the full path of the entry (source or destination) the operation is about.
/// </summary>
internal sealed class FaultInjectingFileSystem : IMirrorFileSystem
{
    private readonly IMirrorFileSystem _inner = FileSystemFactory.Create();

    /// <summary>Before a file copy (an update or a new file) starts; the argument is the source file's path.</summary>
    public Action<string>? BeforeCopy { get; set; }

    /// <summary>Each copy call in order: <c>CopyFile name->written-as</c> or <c>CopyNewFile name</c>.</summary>
    public ConcurrentQueue<string> CopyCalls { get; } = new();

    /// <summary>After each chunk a copy reports (before the engine re-checks the source); source path, bytes.</summary>
    public Action<string, long>? OnCopyProgress { get; set; }

    /// <summary>Before a directory below a root is opened; the argument is its path.</summary>
    public Action<string>? BeforeOpenDirectory { get; set; }

    /// <summary>Before an open directory is listed; the argument is its path.</summary>
    public Action<string>? BeforeReadDirectory { get; set; }

    /// <summary>Before metadata is set on a named entry; the argument is its path.</summary>
    public Action<string>? BeforeSetMetadata { get; set; }

    /// <summary>Before a -Checksum content comparison; the argument is the source file's path.</summary>
    public Action<string>? BeforeCompare { get; set; }

    /// <summary>Before an entry is removed; the argument is its path.</summary>
    public Action<string>? BeforeRemove { get; set; }

    public bool CanSetOwner => _inner.CanSetOwner;
    public bool CanCreateDevices => _inner.CanCreateDevices;

    public DirHandle OpenRoot(string fullPath) => _inner.OpenRoot(fullPath);

    public DirHandle OpenDirectory(DirHandle parent, string name)
    {
        if (name != ".")
        {
            BeforeOpenDirectory?.Invoke(parent.Child(name));
        }
        return _inner.OpenDirectory(parent, name);
    }

    public TreeEntry[] ReadDirectory(DirHandle dir, bool readLinkTargets, bool keep)
    {
        BeforeReadDirectory?.Invoke(dir.DisplayPath);
        return _inner.ReadDirectory(dir, readLinkTargets, keep);
    }

    public FileMeta StatRoot(string fullPath) => _inner.StatRoot(fullPath);

    public IReadOnlyList<FileIdentity>? DirectoryAndAncestors(string fullPath) => _inner.DirectoryAndAncestors(fullPath);


    public CopyMethod CopyFile(DirHandle srcDir, string name, in FileMeta expected, DirHandle dstDir, string tempName,
        IProgress<long>? bytesProgress, CancellationToken cancellationToken)
    {
        CopyCalls.Enqueue($"CopyFile {name}->{tempName}");
        string source = srcDir.Child(name);
        BeforeCopy?.Invoke(source);
        IProgress<long>? progress = OnCopyProgress is null ? bytesProgress : new HookedProgress(bytesProgress, source, OnCopyProgress);
        return _inner.CopyFile(srcDir, name, expected, dstDir, tempName, progress, cancellationToken);
    }

    public CopyMethod CopyNewFile(DirHandle srcDir, string name, in FileMeta expected, DirHandle dstDir, Func<string> newTempName,
        IProgress<long>? bytesProgress, CancellationToken cancellationToken)
    {
        CopyCalls.Enqueue($"CopyNewFile {name}");
        string source = srcDir.Child(name);
        BeforeCopy?.Invoke(source);
        IProgress<long>? progress = OnCopyProgress is null ? bytesProgress : new HookedProgress(bytesProgress, source, OnCopyProgress);
        return _inner.CopyNewFile(srcDir, name, expected, dstDir, newTempName, progress, cancellationToken);
    }

    public bool ContentEquals(DirHandle srcDir, string srcName, DirHandle dstDir, string dstName, CancellationToken cancellationToken)
    {
        BeforeCompare?.Invoke(srcDir.Child(srcName));
        return _inner.ContentEquals(srcDir, srcName, dstDir, dstName, cancellationToken);
    }

    public void CreateDirectory(DirHandle parent, string name) => _inner.CreateDirectory(parent, name);

    public void CreateSymlink(DirHandle dir, string name, string target, in FileMeta source) => _inner.CreateSymlink(dir, name, target, source);
    public void CreateSpecial(DirHandle dir, string name, in FileMeta meta) => _inner.CreateSpecial(dir, name, meta);

    public void Rename(DirHandle dir, string from, string to) => _inner.Rename(dir, from, to);

    public void RenameNoReplace(DirHandle dir, string from, string to) => _inner.RenameNoReplace(dir, from, to);

    public void Remove(DirHandle dir, string name, bool isDirectory)
    {
        BeforeRemove?.Invoke(dir.Child(name));
        _inner.Remove(dir, name, isDirectory);
    }

    public void SetMetadata(DirHandle dir, string name, in FileMeta meta)
    {
        BeforeSetMetadata?.Invoke(dir.Child(name));
        _inner.SetMetadata(dir, name, meta);
    }

    public void SetMetadata(DirHandle dir, in FileMeta meta) => _inner.SetMetadata(dir, meta);

    public bool MakeWritable(DirHandle dir, string? name) => _inner.MakeWritable(dir, name);
    public string? CanonicalPath(string fullPath) => _inner.CanonicalPath(fullPath);
    public bool IsMountPoint(string canonicalPath) => _inner.IsMountPoint(canonicalPath);

    public FileSystemCapabilities ProbeDestination(DirHandle dir, string tempName) => _inner.ProbeDestination(dir, tempName);

    public void UseDestination(FileSystemCapabilities capabilities) => _inner.UseDestination(capabilities);

    public IReadOnlyList<string> MountPointsBelow(DirHandle dir) => _inner.MountPointsBelow(dir);

    public DirectoryRestriction GetRestriction(DirHandle dir) => _inner.GetRestriction(dir);


    private sealed class HookedProgress(IProgress<long>? inner, string source, Action<string, long> hook) : IProgress<long>
    {
        private long _total;

        public void Report(long value)
        {
            inner?.Report(value);
            _total += value;
            hook(source, _total);
        }
    }
}
