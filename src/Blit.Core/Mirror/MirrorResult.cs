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
