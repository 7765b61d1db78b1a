namespace Blit.Errors;

/// <summary>An error raised by the engine, carrying its stable code and the path it concerns.</summary>
public sealed class BlitException : Exception
{
    public BlitException(BlitErrorCode code, string message, string? path = null, Exception? inner = null)
        : base(message, inner)
    {
        Code = code;
        Path = path;
    }

    public BlitException() : this(BlitErrorCode.InvalidArgument, "Blit error.") { }

    public BlitException(string message) : this(BlitErrorCode.InvalidArgument, message) { }

    public BlitException(string message, Exception inner) : this(BlitErrorCode.InvalidArgument, message, null, inner) { }

    public BlitErrorCode Code { get; }

    /// <summary>The file or directory the error is about, if any.</summary>
    public string? Path { get; }
}

/// <summary>A non-terminating problem the engine met on one entry (or a warning), reported while it goes on.</summary>
public sealed record BlitError(BlitErrorCode Code, string Message, string? Path, bool IsWarning = false, Exception? Exception = null);

/// <summary>An operating-system error with its errno, so callers can tell "disk full" from "permission denied".</summary>
public sealed class NativeIOException : IOException
{
    public NativeIOException(int errno, string operation, string path)
        : base($"{operation} '{path}': {System.Runtime.InteropServices.Marshal.GetPInvokeErrorMessage(errno)}")
    {
        Errno = errno;
        Operation = operation;
        PathName = path;
        HResult = errno;
    }

    public NativeIOException() : this(0, "operation", string.Empty) { }

    public NativeIOException(string message) : base(message) { PathName = string.Empty; Operation = string.Empty; }

    public NativeIOException(string message, Exception inner) : base(message, inner) { PathName = string.Empty; Operation = string.Empty; }

    public int Errno { get; }

    public string Operation { get; }

    public string PathName { get; }

    public bool IsPermissionDenied => Errno is Platform.LinuxNative.EACCES or Platform.LinuxNative.EPERM;

    public bool IsDiskFull => Errno is Platform.LinuxNative.ENOSPC or Platform.LinuxNative.EDQUOT;

    /// <summary>The entry is not there (any more).</summary>
    public bool IsNotFound => Errno == Platform.LinuxNative.ENOENT;

    /// <summary>A fault that may pass (a network filesystem's stale handle, I/O error or timeout); the platform decides.</summary>
    public bool IsTransient => Platform.LinuxNative.IsTransient(Errno);

    /// <summary>The process may not do this here (no privilege, or the filesystem does not allow it).</summary>
    public bool IsNotPermitted => Errno is Platform.LinuxNative.EPERM or Platform.LinuxNative.EOPNOTSUPP;
}
