using System.Runtime.ExceptionServices;

namespace Blit.Execution;

/// <summary>
/// Runs work items on dedicated threads (the caller's among them), each thread taking the next
/// item until none is left. Not the thread pool: in a fresh process it starts with few threads
/// and grows them slowly, which starves a short run of many small files.
/// </summary>
internal static class WorkerPool
{
    /// <summary>Runs <paramref name="work"/> over <paramref name="items"/> on up to <paramref name="workers"/> threads; rethrows the first unexpected exception.</summary>
    public static void Run<T>(IReadOnlyList<T> items, int workers, Action<T> work, CancellationToken cancellationToken)
    {
        int next = -1;
        Exception? failure = null;
        void Loop()
        {
            try
            {
                int i;
                while (Volatile.Read(ref failure) is null && (i = Interlocked.Increment(ref next)) < items.Count)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    work(items[i]);
                }
            }
            catch (Exception ex)
            {
                Interlocked.CompareExchange(ref failure, ex, null);
            }
        }
        int count = Math.Clamp(workers, 1, items.Count);
        if (count == 1)
        {
            Loop();
        }
        else
        {
            var threads = new Thread[count - 1];
            for (int t = 0; t < threads.Length; t++)
            {
                threads[t] = new Thread(Loop) { IsBackground = true, Name = "blit-worker" };
                threads[t].Start();
            }
            Loop();
            foreach (Thread thread in threads)
            {
                thread.Join();
            }
        }
        if (failure is not null)
        {
            ExceptionDispatchInfo.Capture(failure).Throw();
        }
    }
}
