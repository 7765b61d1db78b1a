using Blit.Errors;

namespace Blit.Mirror;

/// <summary>
/// Where the engine reports while it works. Called from worker threads: implementations
/// must be thread-safe (the cmdlet queues to its pipeline thread).
/// </summary>
public interface IMirrorListener
{
    /// <summary>An error or warning about one entry (the run goes on).</summary>
    void OnError(BlitError error);

    /// <summary>An action done (or planned, with -WhatIf), when items are asked for.</summary>
    void OnItem(MirrorItem item);

    /// <summary>An entry left alone, with the reason; only with <see cref="MirrorOptions.ReportSkips"/>.</summary>
    void OnSkip(MirrorSkip skip)
    {
    }
}

/// <summary>Live counters, read by whoever shows progress (atomic reads; never blocks the engine).</summary>
public sealed class MirrorProgress
{
    internal long FilesDoneField;
    internal long BytesDoneField;
    internal long FilesTotalField;
    internal long BytesTotalField;
    internal int PhaseField;

    /// <summary>The phase the mirror is in.</summary>
    public MirrorPhase Phase => (MirrorPhase)Volatile.Read(ref PhaseField);
    /// <summary>Files copied so far.</summary>
    public long FilesDone => Interlocked.Read(ref FilesDoneField);
    /// <summary>Bytes copied so far.</summary>
    public long BytesDone => Interlocked.Read(ref BytesDoneField);
    /// <summary>Files to copy in all (known after planning).</summary>
    public long FilesTotal => Interlocked.Read(ref FilesTotalField);
    /// <summary>Bytes to copy in all (known after planning).</summary>
    public long BytesTotal => Interlocked.Read(ref BytesTotalField);
}

/// <summary>The phases of a mirror, in order.</summary>
public enum MirrorPhase
{
    /// <summary>Reading both trees.</summary>
    Scanning,
    /// <summary>Diffing them.</summary>
    Planning,
    /// <summary>Copying and updating.</summary>
    Copying,
    /// <summary>Deleting extraneous entries.</summary>
    Deleting,
    /// <summary>Setting directory metadata.</summary>
    Finishing,
    /// <summary>Finished.</summary>
    Done,
}
