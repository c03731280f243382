namespace FunctionsObservability.Pipeline.Archive;

/// <summary>
/// One archive or retention run at a time in this process: both change the manifest, and
/// retention must not expire a file an archive run is about to commit beside.
/// </summary>
public sealed class MaintenanceLock : IDisposable
{
    private readonly SemaphoreSlim _semaphore = new(1, 1);

    /// <summary>Null when another run holds it: the caller skips instead of queueing behind it.</summary>
    public IDisposable? TryEnter() => _semaphore.Wait(0) ? new Releaser(_semaphore) : null;

    public void Dispose() => _semaphore.Dispose();

    private sealed class Releaser(SemaphoreSlim semaphore) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                semaphore.Release();
            }
        }
    }
}
