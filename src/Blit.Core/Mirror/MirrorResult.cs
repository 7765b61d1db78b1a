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
    /// <summary>FIFOs, sockets and devices skipped.</summary>
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

    /// <summary>True when no entry failed.</summary>
    public bool Success => Errors == 0;
}

/// <summary>One action of a mirror, planned (-WhatIf) or done (-PassThru).</summary>
public sealed record MirrorItem(MirrorAction Action, string RelativePath, string DestinationPath, EntryKind Kind, long Length);
