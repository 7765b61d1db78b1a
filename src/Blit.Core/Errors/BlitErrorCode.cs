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
    /// <summary>An -ExcludeFrom or -IncludeFrom file cannot be read.</summary>
    FilterFileUnreadable,
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
    /// <summary>A filter pattern that almost certainly does not say what was meant (a full path, a backslash, edge spaces).</summary>
    SuspectFilterPattern,

    // What the destination filesystem cannot hold or tell apart (said once per run, or per entry).
    /// <summary>Error: two source names are one name on the destination (a.txt and A.txt on a
    /// case-insensitive filesystem); the second is not mirrored.</summary>
    NameCollision,
    /// <summary>Warning: symlinks not created, the destination filesystem cannot hold them (with the count).</summary>
    SymlinksNotSupported,
    /// <summary>Warning: permission bits, owners or mtimes the destination filesystem does not keep (with the count).</summary>
    MetadataNotKept,
    /// <summary>A transient error (network filesystem) on one entry; the operation is tried again (-RetryCount).</summary>
    TransientErrorRetried,
}
