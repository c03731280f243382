namespace FunctionsObservability.Functions.Standalone.Queues;

/// <summary>What readiness reports about the standalone queue listener.</summary>
internal sealed class QueueListenerStatus
{
    private long _failures;
    private volatile bool _reachable = true;

    public bool Reachable => _reachable;

    /// <summary>Receive, send or delete calls that failed because storage was unreachable or failing.</summary>
    public long Failures => Interlocked.Read(ref _failures);

    public void Failed()
    {
        _reachable = false;
        Interlocked.Increment(ref _failures);
    }

    public void Succeeded() => _reachable = true;
}
