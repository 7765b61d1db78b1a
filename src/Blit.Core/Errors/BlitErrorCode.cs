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
}
