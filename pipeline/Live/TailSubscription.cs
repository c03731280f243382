using System.Threading.Channels;
using FunctionsObservability.Pipeline.Query;

namespace FunctionsObservability.Pipeline.Live;

/// <summary>
/// One client's view of the live tail: the frames waiting for it, bounded by
/// <see cref="TailOptions.SubscriberBufferBytes"/>. The fan-out never waits for it; when a frame
/// does not fit, the subscriber is dropped: its waiting frames are let go, it gets one
/// <c>dropped</c> frame, and <see cref="Dropped"/> fires so that a write stuck on its socket ends.
/// </summary>
public sealed class TailSubscription : IDisposable
{
    private readonly Channel<TailFrame> _queue = Channel.CreateUnbounded<TailFrame>(new UnboundedChannelOptions { SingleReader = false });
    private readonly CancellationTokenSource _dropped = new();
    private readonly LiveTail _tail;
    private readonly long _maxQueuedBytes;
    private long _queuedBytes;
    private long _deliveredThrough;
    private string? _dropReason;
    private bool _dropSent;
    private int _disposed;

    internal TailSubscription(LiveTail tail, SeriesFilter filter, string client, long maxQueuedBytes, long deliveredThrough)
    {
        _tail = tail;
        Filter = filter;
        Client = client;
        _maxQueuedBytes = maxQueuedBytes;
        _deliveredThrough = deliveredThrough;
    }

    public SeriesFilter Filter { get; }

    /// <summary>The first bytes of every stream: the reconnect delay a client should use.</summary>
    public static ReadOnlyMemory<byte> Preamble => TailEncoder.Preamble;

    /// <summary>Who subscribed, for the per-client limit: the key's name, or the client IP.</summary>
    public string Client { get; }

    /// <summary>Fires when the subscriber fell behind and was dropped.</summary>
    public CancellationToken Dropped => _dropped.Token;

    /// <summary>Bytes of frames waiting to be written to this subscriber.</summary>
    public long QueuedBytes => Interlocked.Read(ref _queuedBytes);

    /// <summary>
    /// The next bytes to write: a waiting frame, a heartbeat after <paramref name="heartbeat"/> of
    /// quiet, or the <c>dropped</c> frame once; null when the stream is over (dropped and told,
    /// or the service is stopping). Dispose the delivery once its bytes are written.
    /// </summary>
    public async ValueTask<TailDelivery?> NextAsync(TimeSpan heartbeat, CancellationToken cancellationToken)
    {
        while (true)
        {
            if (Volatile.Read(ref _dropReason) is { } reason)
            {
                if (_dropSent)
                {
                    return null;
                }

                _dropSent = true;
                return new TailDelivery(TailEncoder.Dropped(reason));
            }

            if (TryTake(out var delivery))
            {
                return delivery;
            }

            using var quiet = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            quiet.CancelAfter(heartbeat);
            try
            {
                if (!await _queue.Reader.WaitToReadAsync(quiet.Token).ConfigureAwait(false) && Volatile.Read(ref _dropReason) is null)
                {
                    return null;
                }
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                // Read the delivered mark before looking at the queue: the fan-out queues a frame
                // before it moves the mark, so a mark that names a batch whose frame is still
                // waiting is caught by the count.
                var through = Interlocked.Read(ref _deliveredThrough);
                if (_queue.Reader.Count == 0)
                {
                    return new TailDelivery(TailEncoder.Heartbeat(through > 0 ? through : null));
                }
            }
        }
    }

    /// <summary>A frame already waiting, without waiting for one: the stream writes all that is there, then flushes once.</summary>
    public bool TryTake(out TailDelivery delivery)
    {
        if (Volatile.Read(ref _dropReason) is null && _queue.Reader.TryRead(out var frame))
        {
            delivery = new TailDelivery(frame.Bytes, this, frame);
            return true;
        }

        delivery = default;
        return false;
    }

    /// <summary>A delivered frame's bytes are written: they leave the subscriber's buffer and the budget.</summary>
    internal void Delivered(TailFrame frame)
    {
        Interlocked.Add(ref _queuedBytes, -frame.Bytes.Length);
        frame.Release();
    }

    /// <summary>Queues a shared frame; false when it does not fit, and the caller drops the subscriber.</summary>
    internal bool TryQueue(TailFrame frame, bool outsideLimit = false)
    {
        if (Volatile.Read(ref _dropReason) is not null)
        {
            return false;
        }

        // Bytes being written count until written, so a write stuck on the socket keeps them charged.
        var queued = Interlocked.Add(ref _queuedBytes, frame.Bytes.Length);
        if (!outsideLimit && queued > _maxQueuedBytes)
        {
            Interlocked.Add(ref _queuedBytes, -frame.Bytes.Length);
            return false;
        }

        frame.AddReference();
        if (!_queue.Writer.TryWrite(frame))
        {
            Interlocked.Add(ref _queuedBytes, -frame.Bytes.Length);
            frame.Release();
            return false;
        }

        return true;
    }

    /// <summary>Everything up to this batch has been queued for the subscriber (or did not match).</summary>
    internal void MarkDelivered(long sequence) => Interlocked.Exchange(ref _deliveredThrough, sequence);

    /// <summary>Returns true when this call dropped it (it was not already dropped).</summary>
    internal bool Drop(string reason)
    {
        if (Interlocked.CompareExchange(ref _dropReason, reason, null) is not null)
        {
            return false;
        }

        _queue.Writer.TryComplete();
        while (_queue.Reader.TryRead(out var frame))
        {
            Interlocked.Add(ref _queuedBytes, -frame.Bytes.Length);
            frame.Release();
        }

        try
        {
            _dropped.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // The client had already gone.
        }

        return true;
    }

    /// <summary>Ends the stream without a <c>dropped</c> frame: the service is stopping.</summary>
    internal void End() => _queue.Writer.TryComplete();

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        _tail.Remove(this);
        _queue.Writer.TryComplete();
        while (_queue.Reader.TryRead(out var frame))
        {
            frame.Release();
        }

        _dropped.Dispose();
    }
}
