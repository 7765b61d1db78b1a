using System.Collections.Concurrent;
using System.Management.Automation;

namespace Blit.Cmdlets.Infrastructure;

/// <summary>
/// Long work runs on a worker thread; everything it wants to write (objects, errors,
/// warnings) is queued here and written on the pipeline thread, the only thread allowed to.
/// Progress is sampled on the pipeline thread too, throttled by time.
/// </summary>
internal sealed class PipelinePump : IDisposable
{
    private readonly BlockingCollection<Action<Cmdlet>> _queue = new();

    /// <summary>Queues a write; callable from any thread.</summary>
    public void Post(Action<Cmdlet> write)
    {
        try
        {
            _queue.Add(write);
        }
        catch (InvalidOperationException)
        {
            // The pump is finished (pipeline stopping): nothing more can be written.
        }
    }

    /// <summary>
    /// Writes queued output until <paramref name="work"/> ends, calling <paramref name="onTick"/>
    /// a few times a second (for progress). Returns the work's result or rethrows its exception.
    /// </summary>
    public T Run<T>(Cmdlet cmdlet, Task<T> work, Action? onTick = null)
    {
        // Wake as soon as the work ends, not at the next poll: a quick mirror must not wait for a timer.
        // Not disposed: the continuation may still be cancelling it as this method returns.
        var finished = new CancellationTokenSource();
        work.ContinueWith(static (_, state) => ((CancellationTokenSource)state!).Cancel(), finished,
            CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        while (true)
        {
            try
            {
                if (_queue.TryTake(out Action<Cmdlet>? write, 100, finished.Token))
                {
                    write(cmdlet);
                }
            }
            catch (OperationCanceledException)
            {
            }
            while (_queue.TryTake(out Action<Cmdlet>? write))
            {
                write(cmdlet);
            }
            if (work.IsCompleted && _queue.Count == 0)
            {
                break;
            }
            onTick?.Invoke();
        }
        return work.GetAwaiter().GetResult();
    }

    public void Dispose() => _queue.Dispose();
}
