namespace Blit.Errors;

/// <summary>An error raised by the engine, carrying its stable code and the path it concerns.</summary>
public sealed class BlitException : Exception
{
    /// <summary>An error with its <paramref name="code"/>, message, the path it concerns and the exception behind it.</summary>
    public BlitException(BlitErrorCode code, string message, string? path = null, Exception? inner = null)
        : base(message, inner)
    {
        Code = code;
        Path = path;
    }

    /// <summary>An InvalidArgument error with a generic message.</summary>
    public BlitException() : this(BlitErrorCode.InvalidArgument, "Blit error.") { }

    /// <summary>An InvalidArgument error with <paramref name="message"/>.</summary>
    public BlitException(string message) : this(BlitErrorCode.InvalidArgument, message) { }

    /// <summary>An InvalidArgument error with <paramref name="message"/> and the exception behind it.</summary>
    public BlitException(string message, Exception inner) : this(BlitErrorCode.InvalidArgument, message, null, inner) { }

    /// <summary>The stable error code.</summary>
    public BlitErrorCode Code { get; }

    /// <summary>The file or directory the error is about, if any.</summary>
    public string? Path { get; }
}

/// <summary>A non-terminating problem the engine met on one entry (or a warning), reported while it goes on.</summary>
public sealed record BlitError(BlitErrorCode Code, string Message, string? Path, bool IsWarning = false, Exception? Exception = null);

/// <summary>An operating-system error with its errno, so callers can tell "disk full" from "permission denied".</summary>
public sealed class NativeIOException : IOException
{
    /// <summary>The failure of <paramref name="operation"/> on <paramref name="path"/> with <paramref name="errno"/>; the message is the system's.</summary>
    public NativeIOException(int errno, string operation, string path)
        : base($"{operation} '{path}': {System.Runtime.InteropServices.Marshal.GetPInvokeErrorMessage(errno)}")
    {
        Errno = errno;
        Operation = operation;
        PathName = path;
        HResult = errno;
    }

    /// <summary>An error without an errno.</summary>
    public NativeIOException() : this(0, "operation", string.Empty) { }

    /// <summary>An error without an errno, with <paramref name="message"/>.</summary>
    public NativeIOException(string message) : base(message) { PathName = string.Empty; Operation = string.Empty; }

    /// <summary>An error without an errno, with <paramref name="message"/> and the exception behind it.</summary>
    public NativeIOException(string message, Exception inner) : base(message, inner) { PathName = string.Empty; Operation = string.Empty; }

    /// <summary>The errno of the failed call.</summary>
    public int Errno { get; }

    /// <summary>What was being done ("open", "write", ...).</summary>
    public string Operation { get; }

    /// <summary>The path the operation concerned.</summary>
    public string PathName { get; }

    /// <summary>True for EACCES and EPERM.</summary>
    public bool IsPermissionDenied => Errno is Platform.LinuxNative.EACCES or Platform.LinuxNative.EPERM;

    /// <summary>True for ENOSPC and EDQUOT.</summary>
    public bool IsDiskFull => Errno is Platform.LinuxNative.ENOSPC or Platform.LinuxNative.EDQUOT;

    /// <summary>The entry is not there (any more).</summary>
    public bool IsNotFound => Errno == Platform.LinuxNative.ENOENT;

    /// <summary>A fault that may pass (a network filesystem's stale handle, I/O error or timeout); the platform decides.</summary>
    public bool IsTransient => Platform.LinuxNative.IsTransient(Errno);

    /// <summary>The process may not do this here (no privilege, or the filesystem does not allow it).</summary>
    public bool IsNotPermitted => Errno is Platform.LinuxNative.EPERM or Platform.LinuxNative.EOPNOTSUPP;
}
