using Blit.Errors;

namespace Blit.Mirror;

/// <summary>
/// Where the engine reports while it works. Called from worker threads: implementations
/// must be thread-safe (the cmdlet queues to its pipeline thread).
/// </summary>
public interface IMirrorListener
{
    void OnError(BlitError error);

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

    public MirrorPhase Phase => (MirrorPhase)Volatile.Read(ref PhaseField);
    public long FilesDone => Interlocked.Read(ref FilesDoneField);
    public long BytesDone => Interlocked.Read(ref BytesDoneField);
    public long FilesTotal => Interlocked.Read(ref FilesTotalField);
    public long BytesTotal => Interlocked.Read(ref BytesTotalField);
}

public enum MirrorPhase
{
    Scanning,
    Planning,
    Copying,
    Deleting,
    Finishing,
    Done,
}
