using System.Runtime.ExceptionServices;
using Blit.Errors;
using Blit.Platform;

namespace Blit.Execution;

/// <summary>
/// "Make writable and retry": an operation refused because of a protection the backend can lift
/// (<see cref="IMirrorFileSystem.MakeWritable"/>: a directory's mode on Linux, an entry's ReadOnly
/// attribute on Windows) runs once more after lifting it. What counts as such a refusal, and what a
/// failed lift means, is data: each use says it once (<see cref="ForWrites"/>, <see cref="ForRemovals"/>).
/// </summary>
internal sealed class WritableRetry
{
    private readonly IMirrorFileSystem _fs;
    private readonly IOErrorKind[] _refusals;
    private readonly bool _liftErrorHidden;

    /// <param name="fs">The backend that lifts protections.</param>
    /// <param name="refusals">The error kinds that mean "protected": only these are retried.</param>
    /// <param name="liftErrorHidden">A lift that fails counts as nothing lifted, so the operation's own
    /// error is thrown (it says why the entry could not go); else the lift's error is thrown.</param>
    public WritableRetry(IMirrorFileSystem fs, IOErrorKind[] refusals, bool liftErrorHidden)
    {
        _fs = fs;
        _refusals = refusals;
        _liftErrorHidden = liftErrorHidden;
    }

    /// <summary>Writes (create, rename, copy into a directory): a refused write lifts the protection; a lift that fails says why.</summary>
    public static WritableRetry ForWrites(IMirrorFileSystem fs) => new(fs, [IOErrorKind.PermissionDenied], liftErrorHidden: false);

    /// <summary>Removals: an immutable or append-only directory, or nothing to lift, leaves the removal's own error.</summary>
    public static WritableRetry ForRemovals(IMirrorFileSystem fs) => new(fs, [IOErrorKind.PermissionDenied], liftErrorHidden: true);

    /// <summary>
    /// Runs <paramref name="operation"/> on <paramref name="name"/> in <paramref name="dir"/>. When it
    /// is refused and nothing was lifted there yet (<paramref name="lifted"/>, shared by the calls
    /// that want one lift per directory), lifts the protection, marks <paramref name="touched"/> (its
    /// final mode is restored in the metadata phase) and runs it once more. A static lambda and a
    /// struct state keep the copy path free of allocations.
    /// </summary>
    public TResult Run<TState, TResult>(DirHandle dir, string? name, DirState? touched, ref bool lifted, TState state,
        Func<TState, TResult> operation)
    {
        try
        {
            return operation(state);
        }
        catch (NativeIOException ex) when (!lifted && Array.IndexOf(_refusals, ex.Kind) >= 0)
        {
            lifted = true;
            if (!Lift(dir, name))
            {
                ExceptionDispatchInfo.Capture(ex).Throw();
            }
            if (touched is not null)
            {
                touched.Touched = true;
            }
            return operation(state);
        }
    }

    /// <summary>As the overload with <c>lifted</c>, one lift for this call alone.</summary>
    public TResult Run<TState, TResult>(DirHandle dir, string? name, DirState? touched, TState state, Func<TState, TResult> operation)
    {
        bool lifted = false;
        return Run(dir, name, touched, ref lifted, state, operation);
    }

    /// <summary>As the overload with <c>lifted</c>, for an operation without a result.</summary>
    public void Run<TState>(DirHandle dir, string? name, DirState? touched, ref bool lifted, TState state, Action<TState> operation) =>
        Run(dir, name, touched, ref lifted, (state, operation), static s =>
        {
            s.operation(s.state);
            return true;
        });

    /// <summary>As the overload with <c>lifted</c>, one lift for this call alone, for an operation without a result.</summary>
    public void Run<TState>(DirHandle dir, string? name, DirState? touched, TState state, Action<TState> operation)
    {
        bool lifted = false;
        Run(dir, name, touched, ref lifted, state, operation);
    }

    private bool Lift(DirHandle dir, string? name)
    {
        if (!_liftErrorHidden)
        {
            return _fs.MakeWritable(dir, name);
        }
        try
        {
            return _fs.MakeWritable(dir, name);
        }
        catch (IOException)
        {
            return false;
        }
    }
}
