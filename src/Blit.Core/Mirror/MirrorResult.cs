using Blit.Planning;
using Blit.Platform;

namespace Blit.Mirror;

/// <summary>The outcome of one mirror. Raw numbers; views format them.</summary>
public sealed class MirrorResult
{
    /// <summary>The source directory.</summary>
    public required string Source { get; init; }
    /// <summary>The destination directory.</summary>
    public required string Destination { get; init; }
    /// <summary>True when nothing was done (-WhatIf).</summary>
    public required bool WhatIf { get; init; }
    /// <summary>Files in the source.</summary>
    public required long FilesScanned { get; init; }
    /// <summary>Directories in the source.</summary>
    public required long DirectoriesScanned { get; init; }
    /// <summary>Symlinks in the source.</summary>
    public required long SymlinksScanned { get; init; }
    /// <summary>Bytes of the source's files.</summary>
    public required long BytesScanned { get; init; }
    /// <summary>Files new in the destination.</summary>
    public required long FilesCopied { get; init; }
    /// <summary>Files that changed and were copied again.</summary>
    public required long FilesUpdated { get; init; }
    /// <summary>Files left as they were.</summary>
    public required long FilesUnchanged { get; init; }
    /// <summary>Symlinks created or replaced.</summary>
    public required long SymlinksCopied { get; init; }
    /// <summary>Entries whose metadata alone was updated.</summary>
    public required long MetadataUpdated { get; init; }
    /// <summary>Directories created.</summary>
    public required long DirectoriesCreated { get; init; }
    /// <summary>Extraneous files (and links) deleted.</summary>
    public required long FilesDeleted { get; init; }
    /// <summary>Extraneous directories deleted.</summary>
    public required long DirectoriesDeleted { get; init; }
    /// <summary>FIFOs, sockets and devices created (new, or over a stale entry of another kind).</summary>
    public required long SpecialFilesCopied { get; init; }
    /// <summary>Special files the process or the destination may not create (devices without root), left out.</summary>
    public required long SpecialFilesSkipped { get; init; }
    /// <summary>Source directories that vanished while they were scanned: left out, with a warning; deletions still run.</summary>
    public required long EntriesVanished { get; init; }
    /// <summary>Bytes written.</summary>
    public required long BytesCopied { get; init; }
    /// <summary>Entries that failed.</summary>
    public required long Errors { get; init; }
    /// <summary>True when extraneous entries were left because the source scan was incomplete or a write failed.</summary>
    public required bool DeletionSkipped { get; init; }
    /// <summary>The whole run.</summary>
    public required TimeSpan Duration { get; init; }
    /// <summary>The scan of both trees.</summary>
    public required TimeSpan ScanDuration { get; init; }
    /// <summary>Copy workers the planner chose (or -ThrottleLimit).</summary>
    public required int WorkerCount { get; init; }
    /// <summary>Files cloned (reflink).</summary>
    public required long FilesCloned { get; init; }
    /// <summary>Files copied by the kernel (copy_file_range).</summary>
    public required long FilesKernelCopied { get; init; }
    /// <summary>Files copied by reading and writing.</summary>
    public required long FilesStreamed { get; init; }
    /// <summary>Files with holes whose data segments alone were copied, so they stay sparse (not counted as kernel-copied or streamed).</summary>
    public required long FilesSparse { get; init; }
    /// <summary>True when deletions were not requested (-NoDelete): extraneous destination entries were kept.</summary>
    public bool NoDelete { get; init; }
    /// <summary>Operations tried again after a transient error (-RetryCount).</summary>
    public long Retries { get; init; }

    /// <summary>What the destination filesystem keeps, as measured at the start of the run.</summary>
    public required FileSystemCapabilities DestinationFileSystem { get; init; }
    /// <summary>The mtime window: times closer than the destination's measured precision, or at most -ModifyWindow apart, were treated as equal.</summary>
    public required TimeSpan ModifyWindow { get; init; }
    /// <summary>Entries renamed to the source's spelling on a case-insensitive (or normalizing) destination.</summary>
    public required long EntriesRenamed { get; init; }
    /// <summary>Symlinks not created because the destination filesystem cannot hold them.</summary>
    public required long SymlinksSkipped { get; init; }
    /// <summary>Entries written whose permission bits (or, as root, owners) the destination does not keep.</summary>
    public required long MetadataNotKept { get; init; }

    /// <summary>Bytes copied per second of the whole run.</summary>
    public double BytesPerSecond => Duration.TotalSeconds > 0 ? BytesCopied / Duration.TotalSeconds : 0;

    /// <summary>True when no entry failed.</summary>
    public bool Success => Errors == 0;
}

/// <summary>
/// One action of a mirror, planned (-WhatIf) or done (-PassThru). The paths are text for people and
/// scripts: a name byte that is not UTF-8 (Linux names are bytes) is shown as <c>\xNN</c>, for example
/// <c>caf\xE9</c>, while the mirror itself writes the exact bytes.
/// </summary>
public sealed record MirrorItem(MirrorAction Action, string RelativePath, string DestinationPath, EntryKind Kind, long Length);

/// <summary>Why an entry was left alone (reported with -Verbose and in the log).</summary>
public enum SkipReason
{
    /// <summary>Same size and modification time in both trees (with -Checksum: same content), metadata too.</summary>
    Unchanged,
    /// <summary>Matched an exclude pattern in the source: not copied.</summary>
    Excluded,
    /// <summary>Matched an exclude pattern in the destination only: not deleted.</summary>
    ExcludedInDestination,
    /// <summary>Not in the source, kept because deletions were not requested (-NoDelete).</summary>
    NotDeleted,
    /// <summary>Not in the source, kept because the source could not be read completely.</summary>
    SourceIncomplete,
    /// <summary>The user answered No to -Confirm.</summary>
    Declined,
}

/// <summary>An entry the mirror left alone, and why.</summary>
public sealed record MirrorSkip(SkipReason Reason, string RelativePath, string DestinationPath, EntryKind Kind);
