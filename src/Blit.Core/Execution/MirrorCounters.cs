namespace Blit.Execution;

/// <summary>What the executor did, counted atomically by its workers.</summary>
internal sealed class MirrorCounters
{
    public long FilesCopied;
    public long FilesUpdated;
    public long SymlinksCopied;
    public long SpecialsCopied;
    /// <summary>Special files the destination refused to create (not permitted there); the first one's path.</summary>
    public long SpecialsSkipped;
    public string? FirstSkippedSpecial;
    public long MetadataUpdated;
    /// <summary>Entries renamed to the source's name (case or normalization only).</summary>
    public long Renamed;
    public long DirectoriesCreated;
    public long FilesDeleted;
    public long DirectoriesDeleted;
    public long BytesCopied;
    public long Errors;
    public long Cloned;
    public long KernelCopied;
    public long Streamed;
    public long Retries;
    public long Sparse;
}
