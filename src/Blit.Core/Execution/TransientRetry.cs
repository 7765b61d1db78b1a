using Blit.Errors;
using Blit.Mirror;

namespace Blit.Execution;

/// <summary>
/// Runs one entry's operation again after a transient error (robocopy /R /W): up to
/// <c>count</c> more attempts, <c>delay</c> apart, each one counted and reported as a warning.
/// Whether an error is transient is the platform's call (<see cref="NativeIOException.IsTransient"/>);
/// any other error, or the last attempt's, goes to the caller as before.
/// </summary>
internal sealed class TransientRetry(int count, TimeSpan delay, IMirrorListener? listener, MirrorCounters counters)
{
    /// <summary>
    /// Runs <paramref name="work"/> with <paramref name="state"/>. A static lambda and a struct
    /// state keep the common case (no retry configured or needed) free of allocations.
    /// </summary>
    public void Run<TState>(TState state, Action<TState> work, string path, CancellationToken cancellationToken)
    {
        for (int attempt = 1; ; attempt++)
        {
            try
            {
                work(state);
                return;
            }
            catch (Exception ex) when (attempt <= count && IsTransient(ex) && !cancellationToken.IsCancellationRequested)
            {
                Interlocked.Increment(ref counters.Retries);
                listener?.OnError(new BlitError(BlitErrorCode.TransientErrorRetried,
                    $"Retrying ({attempt} of {count}) in {delay.TotalSeconds:0.###} s after a transient error: {ex.Message}",
                    path, IsWarning: true, ex));
                if (delay > TimeSpan.Zero && cancellationToken.WaitHandle.WaitOne(delay))
                {
                    cancellationToken.ThrowIfCancellationRequested();
                }
            }
        }
    }

    internal static bool IsTransient(Exception ex) =>
        ex is NativeIOException { IsTransient: true } || ex.InnerException is NativeIOException { IsTransient: true };
}
