namespace Blit.Errors;

/// <summary>
/// Stable error identifiers. The names are part of Blit's contract: scripts match on them
/// through <c>FullyQualifiedErrorId</c>, so a name, once released, never changes meaning.
/// </summary>
public enum BlitErrorCode
{
    // Setup problems: the operation cannot start (terminating in the cmdlets).
    SourceNotFound,
    SourceNotDirectory,
    DestinationNotDirectory,
    SameOrNestedPath,
    EmptySourceRefused,
    DestinationIsRootRefused,
    DestinationIsHomeRefused,
    InvalidExcludePattern,
    InvalidArgument,
    PlatformNotSupported,
    DestinationUnusable,
    InvalidResultsFile,
    ComparatorNotFound,
    LogPathUnusable,
    /// <summary>The comparator (rsync, robocopy) rejects a flag it was given.</summary>
    ComparatorArgumentUnsupported,
    /// <summary>The benchmark root (-Root) does not exist.</summary>
    BenchmarkRootNotFound,
    /// <summary>The benchmark root cannot hold the workspace (not a directory, not writable, too little space).</summary>
    BenchmarkRootUnusable,
    /// <summary>A second pipeline input names a destination an earlier input of the same pipeline mirrored into.</summary>
    DestinationReused,

    // Per-entry problems: the run goes on (non-terminating in the cmdlets).
    SourceUnreadable,
    SourceVanished,
    SourceChanged,
    CopyFailed,
    DiskFull,
    CreateFailed,
    DeleteFailed,
    MetadataFailed,
    DestinationUnreadable,

    // Warnings.
    SpecialFileSkipped,
    DeletionSkipped,
    DirectoryNotEmpty,
    /// <summary>A transient error (network filesystem) on one entry; the operation is tried again (-RetryCount).</summary>
    TransientErrorRetried,
}
