namespace Blit.Platform;

/// <summary>
/// An open directory, as the backend that opened it holds it (a descriptor on Linux, a path in
/// the portable backend); the engine only passes it back to that backend. The display path is
/// for messages.
/// </summary>
internal abstract class DirHandle : IDisposable
{
    protected DirHandle(string displayPath)
    {
        DisplayPath = NameEncoding.Display(displayPath);
    }

    /// <summary>Full path, for messages: bytes that are not UTF-8 are shown as <c>\xNN</c> (<see cref="NameEncoding.Display"/>).</summary>
    public string DisplayPath { get; }

    /// <summary>The display path of <paramref name="name"/> in this directory, for messages.</summary>
    public string Child(string name)
    {
        name = NameEncoding.Display(name);
        return Path.EndsInDirectorySeparator(DisplayPath) ? DisplayPath + name : DisplayPath + Path.DirectorySeparatorChar + name;
    }

    /// <summary>
    /// Moves this handle's directory to a new handle that names it <paramref name="displayPath"/>
    /// in messages (a staged directory by its final path); this one is left closed.
    /// </summary>
    public abstract DirHandle Relabel(string displayPath);

    public void Dispose()
    {
        Dispose(disposing: true);
        GC.SuppressFinalize(this);
    }

    protected virtual void Dispose(bool disposing)
    {
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
    /// <summary>A file with holes: only its data segments copied (SEEK_DATA/SEEK_HOLE), so it stays sparse.</summary>
    Sparse,
}

/// <summary>
/// The operations the mirror needs from a filesystem, all relative to open directories so a
/// destination symlink is never followed. Implementations throw <see cref="Errors.NativeIOException"/>.
/// </summary>
internal interface IMirrorFileSystem
{
    /// <summary>True when owners can be set (root on Unix).</summary>
    bool CanSetOwner { get; }

    /// <summary>True when character and block devices may be created (root on Linux); FIFOs and sockets are always tried.</summary>
    bool CanCreateDevices { get; }

    DirHandle OpenRoot(string fullPath);

    /// <summary>Opens a child directory without following a symlink in its place.</summary>
    DirHandle OpenDirectory(DirHandle parent, string name);

    /// <summary>Lists and stats every entry (symlinks not followed); entries that vanish meanwhile are left out.</summary>
    /// <param name="dir">The directory.</param>
    /// <param name="readLinkTargets">Read each symlink's target.</param>
    /// <param name="keep">The listing is kept until the mirror is planned (the scan), not read and dropped
    /// (a tree being deleted): a big kept listing is allocated where the collector never moves it.</param>
    TreeEntry[] ReadDirectory(DirHandle dir, bool readLinkTargets, bool keep);

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

    /// <summary>Creates a symlink like the source entry <paramref name="source"/> (on Windows a file or directory link, as the source was).</summary>
    void CreateSymlink(DirHandle dir, string name, string target, in FileMeta source);

    /// <summary>
    /// Creates the special file (FIFO, socket or device) <paramref name="meta"/> describes, with its
    /// permission bits; owner and mtime are set with <see cref="SetMetadata(DirHandle, string, in FileMeta)"/>.
    /// Throws <see cref="Errors.NativeIOException"/> with <c>IsNotPermitted</c> where the process or the
    /// filesystem may not create it.
    /// </summary>
    void CreateSpecial(DirHandle dir, string name, in FileMeta meta);

    void Rename(DirHandle dir, string from, string to);

    /// <summary>Renames <paramref name="from"/> to <paramref name="to"/>, failing (EEXIST) if <paramref name="to"/> exists.</summary>
    void RenameNoReplace(DirHandle dir, string from, string to);

    /// <summary>Removes a file or symlink, or an empty directory.</summary>
    void Remove(DirHandle dir, string name, bool isDirectory);

    /// <summary>Sets owner (when allowed), permissions (not on symlinks) and mtime, never following a symlink.</summary>
    void SetMetadata(DirHandle dir, string name, in FileMeta meta);

    /// <summary>Same as <c>SetMetadata(dir, name, meta)</c>, on an open directory itself.</summary>
    void SetMetadata(DirHandle dir, in FileMeta meta);

    /// <summary>
    /// After a write or delete in <paramref name="dir"/> was refused (<see cref="Errors.IOErrorKind.PermissionDenied"/>),
    /// lifts what the backend can lift so the operation can be retried once: the directory's own
    /// write protection (Linux: owner write/search permission on <paramref name="dir"/>) and, where the
    /// system protects entries themselves, the entry <paramref name="name"/>'s (Windows: its ReadOnly
    /// attribute). Returns false when there was nothing to lift, so retrying is pointless.
    /// </summary>
    bool MakeWritable(DirHandle dir, string? name);

    /// <summary>The path with every symlink resolved and every part in its canonical form, or null when it does not exist.</summary>
    string? CanonicalPath(string fullPath);

    /// <summary>True when <paramref name="canonicalPath"/> is the root of a mounted filesystem (or volume).</summary>
    bool IsMountPoint(string canonicalPath);

    /// <summary>
    /// Measures what the filesystem holding <paramref name="dir"/> keeps (name rule, mtime
    /// precision, modes, owners, symlinks, special files, ...) with entries in a temp directory
    /// <paramref name="tempName"/> that it removes again, restoring <paramref name="dir"/>'s times.
    /// Where nothing can be written, the native assumptions come back with Measured = false.
    /// </summary>
    FileSystemCapabilities ProbeDestination(DirHandle dir, string tempName);

    /// <summary>Where other filesystems are mounted inside <paramref name="dir"/>: paths relative to it, parents first.</summary>
    IReadOnlyList<string> MountPointsBelow(DirHandle dir);

    /// <summary>Writes to the destination as <paramref name="capabilities"/> allow (no chmod where modes are not kept, ...).</summary>
    void UseDestination(FileSystemCapabilities capabilities);

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
