namespace Blit.Platform;

/// <summary>A directory the Linux backend opened: its file descriptor, closed on dispose.</summary>
internal sealed class LinuxDirHandle : DirHandle
{
    private int _fd;

    public LinuxDirHandle(int fd, string displayPath) : base(displayPath)
    {
        _fd = fd;
    }

    public int Fd => _fd >= 0 ? _fd : throw new ObjectDisposedException(DisplayPath);

    /// <summary>Group that files created here get (cached by the backend; null until known).</summary>
    public uint? NewFileGid { get; set; }

    public override DirHandle Relabel(string displayPath)
    {
        int fd = Interlocked.Exchange(ref _fd, -1);
        ObjectDisposedException.ThrowIf(fd < 0, this);
        return new LinuxDirHandle(fd, displayPath) { NewFileGid = NewFileGid };
    }

    protected override void Dispose(bool disposing)
    {
        int fd = Interlocked.Exchange(ref _fd, -1);
        if (fd >= 0)
        {
            _ = LinuxNative.Close(fd);
        }
    }
}

/// <summary>The Linux backend reads its own state off the neutral handles the engine passes back.</summary>
internal static class LinuxDirHandleAccess
{
    extension(DirHandle dir)
    {
        /// <summary>The descriptor of a handle this backend opened (a cast: the engine only passes back what the backend gave it).</summary>
        public int Fd => ((LinuxDirHandle)dir).Fd;

        public uint? NewFileGid
        {
            get => ((LinuxDirHandle)dir).NewFileGid;
            set => ((LinuxDirHandle)dir).NewFileGid = value;
        }
    }
}
