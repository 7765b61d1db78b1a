using System.Runtime.InteropServices;
using Blit.Errors;

namespace Blit.Platform;

internal static partial class LinuxNative
{
    private const int EBUSY = 16, ETXTBSY = 26, ENAMETOOLONG = 36, ENOTSUP = EOPNOTSUPP;

    /// <summary>What an errno means to the mirror (the engine tests kinds, never errno values).</summary>
    public static IOErrorKind KindOf(int errno) => errno switch
    {
        EACCES or EPERM => IOErrorKind.PermissionDenied,
        ENOENT => IOErrorKind.NotFound,
        EEXIST => IOErrorKind.AlreadyExists,
        ENOTEMPTY => IOErrorKind.NotEmpty,
        ENOSPC or EDQUOT => IOErrorKind.DiskFull,
        ENOTDIR => IOErrorKind.NotADirectory,
        EISDIR => IOErrorKind.IsADirectory,
        ELOOP => IOErrorKind.Loop,
        EXDEV => IOErrorKind.CrossDevice,
        ENOTSUP or ENOSYS => IOErrorKind.NotSupported,
        EROFS => IOErrorKind.ReadOnlyFileSystem,
        ENAMETOOLONG => IOErrorKind.InvalidName,
        // Worth another try after a pause: a network filesystem's dropped connection (EIO), timeout
        // or stale handle after a server restart, and a busy or locked file.
        EINTR or EAGAIN or EBUSY or ETXTBSY or EIO or ETIMEDOUT or ESTALE => IOErrorKind.Transient,
        _ => IOErrorKind.Other,
    };

    /// <summary>The exception for <paramref name="errno"/>, classified.</summary>
    public static NativeIOException IOError(int errno, string operation, string path) =>
        new(KindOf(errno), errno, operation, path, Marshal.GetPInvokeErrorMessage(errno));
}
