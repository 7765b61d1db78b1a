namespace Blit.Errors;

/// <summary>
/// Stable error identifiers. The names are part of Blit's contract: scripts match on them
/// through <c>FullyQualifiedErrorId</c>, so a name, once released, never changes meaning.
/// </summary>
public enum BlitErrorCode
{
    // Setup problems: the operation cannot start (terminating in the cmdlets).
    /// <summary>The source does not exist.</summary>
    SourceNotFound,
    /// <summary>The source is not a directory.</summary>
    SourceNotDirectory,
    /// <summary>The destination exists and is not a directory.</summary>
    DestinationNotDirectory,
    /// <summary>Source and destination are the same directory, or one is inside the other.</summary>
    SameOrNestedPath,
    /// <summary>An empty source over a non-empty destination, refused without -Force.</summary>
    EmptySourceRefused,
    /// <summary>A filesystem root as destination, refused without -Force.</summary>
    DestinationIsRootRefused,
    /// <summary>The user's home directory as destination, refused without -Force.</summary>
    DestinationIsHomeRefused,
    /// <summary>An exclude pattern is empty or malformed.</summary>
    InvalidExcludePattern,
    /// <summary>An argument is out of range, inconsistent or cannot be resolved.</summary>
    InvalidArgument,
    /// <summary>This operating system is not supported for mirroring.</summary>
    PlatformNotSupported,
    /// <summary>The destination cannot be created or opened.</summary>
    DestinationUnusable,
    /// <summary>A results file is corrupt, foreign or of a newer schema.</summary>
    InvalidResultsFile,
    /// <summary>The requested comparator is not on the PATH.</summary>
    ComparatorNotFound,
    /// <summary>Logs cannot be written under the log path.</summary>
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
    /// <summary>A source directory (or, with -Checksum, a file) cannot be read.</summary>
    SourceUnreadable,
    /// <summary>A source entry disappeared before it was copied.</summary>
    SourceVanished,
    /// <summary>A source file changed while it was copied; the destination keeps its previous version.</summary>
    SourceChanged,
    /// <summary>A file or link could not be written, or its metadata set.</summary>
    CopyFailed,
    /// <summary>The destination is full; no deletions follow.</summary>
    DiskFull,
    /// <summary>A directory could not be created; nothing inside it is written.</summary>
    CreateFailed,
    /// <summary>An extraneous entry could not be deleted.</summary>
    DeleteFailed,
    /// <summary>A directory's permissions, owner or time could not be set.</summary>
    MetadataFailed,
    /// <summary>A destination directory cannot be read.</summary>
    DestinationUnreadable,

    // Warnings.
    /// <summary>Warning: a FIFO, socket or device in the source was skipped.</summary>
    SpecialFileSkipped,
    /// <summary>Warning: deletions skipped after an incomplete scan or a full disk.</summary>
    DeletionSkipped,
    /// <summary>Warning: a directory was kept because it holds excluded entries.</summary>
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
