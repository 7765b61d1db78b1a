using Blit.Platform;

namespace Blit.Planning;

/// <summary>What the mirror does to one destination entry.</summary>
public enum MirrorAction
{
    /// <summary>Create a directory.</summary>
    CreateDirectory,
    /// <summary>Copy a file new to the destination.</summary>
    CopyFile,
    /// <summary>Copy a changed file again.</summary>
    UpdateFile,
    /// <summary>Create a symlink.</summary>
    CreateSymlink,
    /// <summary>Replace a symlink whose target changed.</summary>
    ReplaceSymlink,
    /// <summary>Set metadata (mode, owner, mtime) alone.</summary>
    UpdateMetadata,
    /// <summary>Delete an extraneous entry.</summary>
    Delete,
    /// <summary>The destination entry's name differs only by the destination's rule (letter case,
    /// Unicode normalization): it is renamed to the source's name, its data kept.</summary>
    Rename,
    /// <summary>A FIFO, socket or device made anew (replacing any other entry of that name).</summary>
    CreateSpecial,
}

/// <summary>A source directory and what must happen to its destination counterpart.</summary>
internal sealed class DirOp
{
    public required string RelativePath { get; init; }
    public required string Name { get; init; }
    public required DirOp? Parent { get; init; }
    public required FileMeta Source { get; init; }
    /// <summary>Destination entry kind at this path, or null if missing.</summary>
    public EntryKind? DestKind { get; init; }
    /// <summary>The destination entry's name where it differs from <see cref="Name"/> only by the
    /// destination's name rule (case, normalization): renamed to <see cref="Name"/> first.</summary>
    public string? DestName { get; init; }
    /// <summary>Destination mode/owner/mtime differ from the source's.</summary>
    public bool MetadataDiffers { get; init; }
    /// <summary>How this directory's destination compares entries (its filesystem's rules).</summary>
    public required DestinationRules Rules { get; init; }
    /// <summary>False when the source directory could not be read: nothing below it is touched.</summary>
    public bool SourceReadable { get; init; } = true;

    /// <summary>Its position in <see cref="MirrorPlan.Directories"/>: what the run keeps about it is kept at this index.</summary>
    public int Index { get; internal set; }

    /// <summary>The user declined this directory (-Confirm): nothing below it is done.</summary>
    public bool Declined { get; set; }
    /// <summary>The user declined only this directory's metadata update (-Confirm).</summary>
    public bool MetadataDeclined { get; set; }

    public bool NeedsCreate => DestKind != EntryKind.Directory;

    public bool IsDeclined
    {
        get
        {
            for (DirOp? d = this; d is not null; d = d.Parent)
            {
                if (d.Declined)
                {
                    return true;
                }
            }
            return false;
        }
    }
}

/// <summary>One non-directory entry to write: a file copy, symlink, or metadata fix.</summary>
internal sealed class EntryOp
{
    public required MirrorAction Action { get; set; }
    public required DirOp Dir { get; init; }
    public required string Name { get; init; }
    public required FileMeta Source { get; init; }
    public string? LinkTarget { get; init; }
    public EntryKind? DestKind { get; init; }
    public FileMeta Dest { get; init; }
    public DirListing? ReplacedDestTree { get; init; }
    /// <summary>See <see cref="DirOp.DestName"/>.</summary>
    public string? DestName { get; init; }
    /// <summary>With -Checksum: same size, content still to compare before deciding.</summary>
    public bool CompareContent { get; set; }
    public bool Declined { get; set; }

    public string RelativePath => Platform.RelativePath.Join(Dir.RelativePath, Name);

    /// <summary>The bytes this entry copies (0 unless it copies a file).</summary>
    public long CopyBytes => Action is MirrorAction.CopyFile or MirrorAction.UpdateFile ? Source.Size : 0;
}

/// <summary>An extraneous destination entry to delete (a directory with its whole tree).</summary>
internal sealed class DeleteOp
{
    public required string ParentPath { get; init; }
    public required DirOp? Parent { get; init; }
    public required string Name { get; init; }
    public required EntryKind Kind { get; init; }
    public DirListing? Tree { get; init; }
    /// <summary>A temp file left by an interrupted Blit run: removed even when deletion is skipped.</summary>
    public bool IsStaleTemp { get; init; }
    public bool Declined { get; set; }

    public string RelativePath => Platform.RelativePath.Join(ParentPath, Name);
}

/// <summary>
/// The diff of two scanned trees: everything the executor will do, in order. A description, not a
/// record of the run: what a run finds and changes is kept beside it (Execution's <c>DirState</c>).
/// </summary>
internal sealed class MirrorPlan
{
    /// <summary>Source directories in pre-order (parents before children), the root first.</summary>
    public List<DirOp> Directories { get; } = [];

    public List<EntryOp> Entries { get; } = [];

    public List<DeleteOp> Deletions { get; } = [];

    /// <summary>Special files the process may not create (devices without root), left out of the plan.</summary>
    public long SpecialsSkipped { get; set; }

    /// <summary>Symlinks not created: the destination filesystem cannot hold them.</summary>
    public long SymlinksSkipped { get; set; }

    /// <summary>Source entries whose names are one name on the destination (kept, skipped), relative paths.</summary>
    public List<(string Kept, string Skipped)> NameCollisions { get; } = [];

    public List<string> SpecialPaths { get; } = [];

    public long UnchangedFiles { get; set; }

    /// <summary>Unchanged files and symlinks by path, kept only when skips are reported (-Verbose).</summary>
    public List<(string Path, EntryKind Kind)>? Unchanged { get; set; }
}
