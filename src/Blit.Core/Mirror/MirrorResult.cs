using Blit.Planning;
using Blit.Platform;

namespace Blit.Mirror;

/// <summary>The outcome of one mirror. Raw numbers; views format them.</summary>
public sealed class MirrorResult
{
    public required string Source { get; init; }
    public required string Destination { get; init; }
    public required bool WhatIf { get; init; }
    public required long FilesScanned { get; init; }
    public required long DirectoriesScanned { get; init; }
    public required long SymlinksScanned { get; init; }
    public required long BytesScanned { get; init; }
    public required long FilesCopied { get; init; }
    public required long FilesUpdated { get; init; }
    public required long FilesUnchanged { get; init; }
    public required long SymlinksCopied { get; init; }
    public required long MetadataUpdated { get; init; }
    public required long DirectoriesCreated { get; init; }
    public required long FilesDeleted { get; init; }
    public required long DirectoriesDeleted { get; init; }
    /// <summary>FIFOs, sockets and devices created (new, or over a stale entry of another kind).</summary>
    public required long SpecialFilesCopied { get; init; }
    /// <summary>Special files the process or the destination may not create (devices without root), left out.</summary>
    public required long SpecialFilesSkipped { get; init; }
    /// <summary>Source directories that vanished while they were scanned: left out, with a warning; deletions still run.</summary>
    public required long EntriesVanished { get; init; }
    public required long BytesCopied { get; init; }
    public required long Errors { get; init; }
    /// <summary>True when extraneous entries were left because the source scan was incomplete or a write failed.</summary>
    public required bool DeletionSkipped { get; init; }
    public required TimeSpan Duration { get; init; }
    public required TimeSpan ScanDuration { get; init; }
    /// <summary>Copy workers the planner chose (or -ThrottleLimit).</summary>
    public required int WorkerCount { get; init; }
    public required long FilesCloned { get; init; }
    public required long FilesKernelCopied { get; init; }
    public required long FilesStreamed { get; init; }
    /// <summary>Files with holes whose data segments alone were copied, so they stay sparse (not counted as kernel-copied or streamed).</summary>
    public required long FilesSparse { get; init; }
    /// <summary>True when deletions were not requested (-NoDelete): extraneous destination entries were kept.</summary>
    public bool NoDelete { get; init; }
    /// <summary>Operations tried again after a transient error (-RetryCount).</summary>
    public long Retries { get; init; }

    /// <summary>What the destination filesystem keeps, as measured at the start of the run.</summary>
    public required FileSystemCapabilities DestinationFileSystem { get; init; }
    /// <summary>Mtimes closer than this were treated as equal (the destination's precision, or -ModifyWindow).</summary>
    public required TimeSpan ModifyWindow { get; init; }
    /// <summary>Entries renamed to the source's spelling on a case-insensitive (or normalizing) destination.</summary>
    public required long EntriesRenamed { get; init; }
    /// <summary>Symlinks not created because the destination filesystem cannot hold them.</summary>
    public required long SymlinksSkipped { get; init; }
    /// <summary>Entries written whose permission bits (or, as root, owners) the destination does not keep.</summary>
    public required long MetadataNotKept { get; init; }

    /// <summary>Bytes copied per second of the whole run.</summary>
    public double BytesPerSecond => Duration.TotalSeconds > 0 ? BytesCopied / Duration.TotalSeconds : 0;

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
