namespace FunctionsObservability.Pipeline.Live;

/// <summary>
/// Bytes for one subscriber's stream. Until it is disposed, after the bytes are written, they
/// still count against the subscriber's buffer and the tail's budget: a write stuck on a client
/// that stopped reading keeps its frame charged, so the next frames do not fit and it is dropped.
/// </summary>
public readonly struct TailDelivery : IDisposable
{
    private readonly TailSubscription? _owner;
    private readonly TailFrame? _frame;

    internal TailDelivery(byte[] bytes, TailSubscription? owner = null, TailFrame? frame = null)
    {
        Bytes = bytes;
        _owner = owner;
        _frame = frame;
    }

    public ReadOnlyMemory<byte> Bytes { get; }

    public void Dispose()
    {
        if (_frame is not null)
        {
            _owner!.Delivered(_frame);
        }
    }
}
