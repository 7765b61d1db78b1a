namespace Blit.Platform;

/// <summary>An open directory. On Linux it holds a file descriptor; paths are only for messages.</summary>
internal sealed class DirHandle : IDisposable
{
    private int _fd;

    public DirHandle(int fd, string displayPath)
    {
        _fd = fd;
        DisplayPath = displayPath;
    }

    public int Fd => _fd >= 0 ? _fd : throw new ObjectDisposedException(DisplayPath);

    /// <summary>Group that files created here get (cached by the backend; null until known).</summary>
    public uint? NewFileGid { get; set; }

    /// <summary>Full path, for messages and for backends that work by path.</summary>
    public string DisplayPath { get; }

    public string Child(string name) => DisplayPath.EndsWith('/') ? DisplayPath + name : DisplayPath + "/" + name;

    /// <summary>
    /// Moves this handle's descriptor to a new handle that names the directory
    /// <paramref name="displayPath"/> in messages (a staged directory by its final path);
    /// this one is left closed.
    /// </summary>
    public DirHandle Relabel(string displayPath)
    {
        int fd = Interlocked.Exchange(ref _fd, -1);
        ObjectDisposedException.ThrowIf(fd < 0, this);
        return new DirHandle(fd, displayPath) { NewFileGid = NewFileGid };
    }

    public void Dispose()
    {
        int fd = Interlocked.Exchange(ref _fd, -1);
        if (fd >= 0)
        {
            _ = LinuxNative.Close(fd);
        }
    }
}

/// <summary>What makes a directory itself, whatever path reaches it (device and inode on Unix); opaque to the engine.</summary>
internal readonly record struct FileIdentity(ulong Device, ulong Inode);

/// <summary>What a directory's attributes forbid, even to root.</summary>
internal enum DirectoryRestriction
{
    None,
    /// <summary>Entries can be added but not renamed or removed, and the directory's own metadata cannot change (chattr +a).</summary>
    AppendOnly,
    /// <summary>Nothing in it can be added, renamed or removed (chattr +i).</summary>
    Immutable,
}

/// <summary>How a file's bytes were moved.</summary>
public enum CopyMethod
{
    /// <summary>Reflink clone (FICLONE): no data copied, blocks shared.</summary>
    Clone,
    /// <summary>In-kernel copy (copy_file_range).</summary>
    Kernel,
    /// <summary>read/write through a user-space buffer.</summary>
    Stream,
    /// <summary>An empty file: nothing to move.</summary>
    Empty,
}

/// <summary>
/// The operations the mirror needs from a filesystem, all relative to open directories so a
/// destination symlink is never followed. Implementations throw <see cref="Errors.NativeIOException"/>.
/// </summary>
internal interface IMirrorFileSystem
{
    /// <summary>True when owners can be set (root on Unix).</summary>
    bool CanSetOwner { get; }

    DirHandle OpenRoot(string fullPath);

    /// <summary>Opens a child directory without following a symlink in its place.</summary>
    DirHandle OpenDirectory(DirHandle parent, string name);

    /// <summary>Lists and stats every entry (symlinks not followed); entries that vanish meanwhile are left out.</summary>
    TreeEntry[] ReadDirectory(DirHandle dir, bool readLinkTargets);

    FileMeta StatRoot(string fullPath);

    /// <summary>
    /// The identity of the directory at <paramref name="fullPath"/> (symlinks followed) first, then
    /// of every directory it is inside, up to the root: its parents, and where one is reached through
    /// a mount of a subdirectory (a bind mount), that subdirectory's parents on its own filesystem
    /// too. Null when no directory is there.
    /// </summary>
    IReadOnlyList<FileIdentity>? DirectoryAndAncestors(string fullPath);

    /// <summary>
    /// Copies <paramref name="name"/> into a new file <paramref name="tempName"/> in <paramref name="dstDir"/>
    /// with the source's mode, owner (when allowed) and mtime. Throws when the source no longer
    /// matches <paramref name="expected"/> after the copy, or on any failure or cancellation; the
    /// new file is then removed. <paramref name="tempName"/> is a temp name, or the file's own name
    /// inside a staged directory that nobody sees until it is complete.
    /// </summary>
    CopyMethod CopyFile(DirHandle srcDir, string name, in FileMeta expected, DirHandle dstDir, string tempName,
        IProgress<long>? bytesProgress, CancellationToken cancellationToken);

    /// <summary>
    /// Copies <paramref name="name"/> to a new entry of the same name in <paramref name="dstDir"/>, which
    /// appears complete (data, mode, owner, mtime) or not at all; <paramref name="newTempName"/> gives a
    /// temp name where one is needed (a filesystem that cannot create unnamed files, or a name that
    /// appeared after the scan), so the common case builds none.
    /// </summary>
    CopyMethod CopyNewFile(DirHandle srcDir, string name, in FileMeta expected, DirHandle dstDir, Func<string> newTempName,
        IProgress<long>? bytesProgress, CancellationToken cancellationToken);

    bool ContentEquals(DirHandle srcDir, string srcName, DirHandle dstDir, string dstName, CancellationToken cancellationToken);

    void CreateDirectory(DirHandle parent, string name);

    void CreateSymlink(DirHandle dir, string name, string target);

    void Rename(DirHandle dir, string from, string to);

    /// <summary>Renames <paramref name="from"/> to <paramref name="to"/>, failing (EEXIST) if <paramref name="to"/> exists.</summary>
    void RenameNoReplace(DirHandle dir, string from, string to);

    /// <summary>Removes a file or symlink, or an empty directory.</summary>
    void Remove(DirHandle dir, string name, bool isDirectory);

    /// <summary>Sets owner (when allowed), permissions (not on symlinks) and mtime, never following a symlink.</summary>
    void SetMetadata(DirHandle dir, string name, in FileMeta meta);

    /// <summary>Same as <see cref="SetMetadata"/> on an open directory itself.</summary>
    void SetMetadata(DirHandle dir, in FileMeta meta);

    /// <summary>Adds owner write/search permission to a directory so entries can be created or removed in it.</summary>
    void MakeWritable(DirHandle dir);

    /// <summary>What the directory's own attributes forbid, whoever asks (Linux: chattr +a, +i).</summary>
    DirectoryRestriction GetRestriction(DirHandle dir);
}

/// <summary>
/// A name in an open directory, made into a display path only when a message needs one: the
/// copy path of every file carries its source and destination this way instead of building
/// two path strings per file that only an error would read.
/// </summary>
internal readonly struct EntryPath(DirHandle dir, string name)
{
    public override string ToString() => dir.Child(name);
}
