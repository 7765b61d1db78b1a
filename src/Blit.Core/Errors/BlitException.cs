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

/// <summary>
/// What an operating-system error means to the mirror, whatever the system: the backend that
/// raises a <see cref="NativeIOException"/> classifies its native code into one of these, so the
/// engine decides on kinds and never on errno or Win32 numbers.
/// </summary>
public enum IOErrorKind
{
    /// <summary>Anything not listed below.</summary>
    Other,
    /// <summary>Not allowed (EACCES, EPERM; ERROR_ACCESS_DENIED, a read-only file on Windows).</summary>
    PermissionDenied,
    /// <summary>The entry or a directory on its path does not exist.</summary>
    NotFound,
    /// <summary>An entry of that name exists already.</summary>
    AlreadyExists,
    /// <summary>A directory to remove or replace is not empty.</summary>
    NotEmpty,
    /// <summary>No space left, or a quota reached.</summary>
    DiskFull,
    /// <summary>A component of the path is not a directory.</summary>
    NotADirectory,
    /// <summary>A file operation met a directory.</summary>
    IsADirectory,
    /// <summary>A symlink where none may be followed, or too many levels of them.</summary>
    Loop,
    /// <summary>The operation would cross filesystems.</summary>
    CrossDevice,
    /// <summary>The filesystem or system cannot do this at all.</summary>
    NotSupported,
    /// <summary>The filesystem is mounted read-only.</summary>
    ReadOnlyFileSystem,
    /// <summary>The name is not valid there (too long, a reserved character or name).</summary>
    InvalidName,
    /// <summary>Worth trying again later (interrupted, busy, locked by another process).</summary>
    Transient,
}

/// <summary>
/// An operating-system error: the backend's neutral <see cref="Kind"/>, so callers can tell "disk
/// full" from "permission denied" on any system, and the native code for messages and logs.
/// </summary>
public sealed class NativeIOException : IOException
{
    /// <param name="kind">What the error means, classified by the backend that met it.</param>
    /// <param name="nativeCode">The system's own code (errno on Unix, a Win32 error on Windows).</param>
    /// <param name="operation">What was being done ("create", "delete", ...).</param>
    /// <param name="path">The entry it was done to.</param>
    /// <param name="reason">The system's description of the error.</param>
    public NativeIOException(IOErrorKind kind, int nativeCode, string operation, string path, string reason)
        : base($"{operation} '{path}': {reason}")
    {
        Kind = kind;
        NativeCode = nativeCode;
        Operation = operation;
        PathName = path;
        HResult = nativeCode;
    }

    /// <summary>An error of no known kind.</summary>
    public NativeIOException() : this(IOErrorKind.Other, 0, "operation", string.Empty, "unknown error") { }

    /// <summary>An error without an errno, with <paramref name="message"/>.</summary>
    public NativeIOException(string message) : base(message) { PathName = string.Empty; Operation = string.Empty; }

    /// <summary>An error without an errno, with <paramref name="message"/> and the exception behind it.</summary>
    public NativeIOException(string message, Exception inner) : base(message, inner) { PathName = string.Empty; Operation = string.Empty; }

    /// <summary>What the error means, as the backend classified it.</summary>
    public IOErrorKind Kind { get; }

    /// <summary>The system's own error code (errno on Unix, a Win32 error on Windows); for messages only.</summary>
    public int NativeCode { get; }

    /// <summary>What was being done ("open", "write", ...).</summary>
    public string Operation { get; }

    /// <summary>The path the operation concerned.</summary>
    public string PathName { get; }

    /// <summary>Not allowed (EACCES, EPERM; access denied on Windows).</summary>
    public bool IsPermissionDenied => Kind == IOErrorKind.PermissionDenied;

    /// <summary>No space left, or a quota reached.</summary>
    public bool IsDiskFull => Kind == IOErrorKind.DiskFull;

    /// <summary>The entry is not there (any more).</summary>
    public bool IsNotFound => Kind == IOErrorKind.NotFound;

    /// <summary>A fault that may pass (a network filesystem's stale handle, I/O error or timeout, a busy file); the backend decides.</summary>
    public bool IsTransient => Kind == IOErrorKind.Transient;

    /// <summary>The process may not do this here (no privilege, or the filesystem does not allow it).</summary>
    public bool IsNotPermitted => Kind is IOErrorKind.PermissionDenied or IOErrorKind.NotSupported;
}
