using System.Management.Automation;
using Blit.Errors;

namespace Blit.Cmdlets.Infrastructure;

/// <summary>Turns engine errors into ErrorRecords: the code is the error id, with a fitting category.</summary>
internal static class ErrorMapping
{
    public static ErrorCategory CategoryOf(BlitErrorCode code, Exception? inner = null)
    {
        if (inner is NativeIOException { IsPermissionDenied: true }
            && code is not BlitErrorCode.DiskFull)
        {
            return ErrorCategory.PermissionDenied;
        }
        return code switch
        {
            BlitErrorCode.SourceNotFound or BlitErrorCode.SourceVanished => ErrorCategory.ObjectNotFound,
            BlitErrorCode.SourceNotDirectory or BlitErrorCode.DestinationNotDirectory => ErrorCategory.InvalidArgument,
            BlitErrorCode.SameOrNestedPath or BlitErrorCode.InvalidExcludePattern or BlitErrorCode.InvalidArgument
                => ErrorCategory.InvalidArgument,
            BlitErrorCode.EmptySourceRefused or BlitErrorCode.DestinationIsRootRefused or BlitErrorCode.DestinationIsHomeRefused
                or BlitErrorCode.DestinationReused => ErrorCategory.InvalidOperation,
            BlitErrorCode.PlatformNotSupported => ErrorCategory.NotImplemented,
            BlitErrorCode.DestinationUnusable or BlitErrorCode.CopyFailed or BlitErrorCode.CreateFailed
                or BlitErrorCode.DeleteFailed => ErrorCategory.WriteError,
            BlitErrorCode.SourceUnreadable or BlitErrorCode.DestinationUnreadable => ErrorCategory.ReadError,
            BlitErrorCode.SourceChanged => ErrorCategory.InvalidData,
            BlitErrorCode.InvalidResultsFile => ErrorCategory.InvalidData,
            BlitErrorCode.FilterFileUnreadable => ErrorCategory.ReadError,
            BlitErrorCode.DiskFull => ErrorCategory.QuotaExceeded,
            BlitErrorCode.MetadataFailed or BlitErrorCode.MetadataNotKept => ErrorCategory.MetadataError,
            BlitErrorCode.NameCollision => ErrorCategory.ResourceExists,
            BlitErrorCode.SymlinksNotSupported => ErrorCategory.NotImplemented,
            BlitErrorCode.ComparatorNotFound or BlitErrorCode.BenchmarkRootNotFound => ErrorCategory.ObjectNotFound,
            BlitErrorCode.ComparatorArgumentUnsupported => ErrorCategory.InvalidArgument,
            BlitErrorCode.LogPathUnusable or BlitErrorCode.BenchmarkRootUnusable => ErrorCategory.WriteError,
            _ => ErrorCategory.NotSpecified,
        };
    }

    public static ErrorRecord ToRecord(BlitException ex) =>
        new(ex, ex.Code.ToString(), CategoryOf(ex.Code, ex.InnerException), ex.Path);

    public static ErrorRecord ToRecord(BlitError error) =>
        new(error.Exception as BlitException ?? new BlitException(error.Code, error.Message, error.Path, error.Exception),
            error.Code.ToString(), CategoryOf(error.Code, error.Exception), error.Path);
}
