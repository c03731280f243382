namespace FunctionsObservability.Pipeline.Live;

/// <summary>The bytes of event frames waiting for any subscriber, against <see cref="TailOptions.TotalBufferBytes"/>.</summary>
internal sealed class TailBudget(long limit)
{
    private long _used;

    public long Used => Interlocked.Read(ref _used);

    public bool TryReserve(long bytes)
    {
        var used = Interlocked.Add(ref _used, bytes);
        if (used <= limit)
        {
            return true;
        }

        Interlocked.Add(ref _used, -bytes);
        return false;
    }

    public void Release(long bytes) => Interlocked.Add(ref _used, -bytes);
}
