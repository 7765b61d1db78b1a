namespace Blit.Tests.Support;

/// <summary>
/// A small ext4 filesystem on a loop device, mounted in a scratch directory: for file attributes
/// (chattr +i, +a) that tmpfs or the machine's own /tmp may not have. Needs root; removed on dispose.
/// </summary>
internal sealed class LoopExt4 : IDisposable
{
    private readonly string _image;

    public LoopExt4(string scratch, int megabytes = 16)
    {
        _image = System.IO.Path.Combine(scratch, "ext4.img");
        MountPoint = System.IO.Path.Combine(scratch, "ext4");
        Directory.CreateDirectory(MountPoint);
        using (var image = new FileStream(_image, FileMode.CreateNew))
        {
            image.SetLength((long)megabytes << 20);
        }
        Tree.Run("mkfs.ext4", "-q", "-F", _image);
        Tree.Run("mount", "-o", "loop", _image, MountPoint);
    }

    public string MountPoint { get; }

    public string Path(string relative) => System.IO.Path.Combine(MountPoint, relative);

    public static void Chattr(string flags, string path) => Tree.Run("chattr", flags, path);

    public void Dispose()
    {
        try
        {
            Tree.Run("chattr", "-R", "-ia", MountPoint);
        }
        catch (InvalidOperationException)
        {
        }
        Tree.Run("umount", MountPoint);
        File.Delete(_image);
    }
}
