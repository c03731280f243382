using System.Buffers;
using System.Diagnostics;
using FunctionsObservability.Pipeline.Query;

namespace FunctionsObservability.Pipeline.Live;

/// <summary>Subscribing, resuming from a Last-Event-ID, and leaving.</summary>
public sealed partial class LiveTail
{
    /// <summary>
    /// Registers a subscriber for the points <paramref name="filter"/> selects from now on. With
    /// <paramref name="lastEventId"/>, the batches after it that are still in the resume window
    /// are queued first; when they are not, the stream starts with a <c>reset</c> event.
    /// </summary>
    public TailSubscription? Subscribe(SeriesFilter filter, string client, long? lastEventId, out TailRefusal refusal)
    {
        ArgumentNullException.ThrowIfNull(filter);
        ArgumentNullException.ThrowIfNull(client);
        lock (_sync)
        {
            if (_subscribers.Count >= _options.MaxSubscribers)
            {
                refusal = TailRefusal.ServiceFull;
                _metrics.Refused.Add(1);
                return null;
            }

            var ofClient = _perClient.GetValueOrDefault(client);
            if (ofClient >= _options.MaxSubscribersPerClient)
            {
                refusal = TailRefusal.ClientFull;
                _metrics.Refused.Add(1);
                return null;
            }

            long lastCommitted;
            lock (_registration)
            {
                // Counted before the window is read: from here on the writer copies every commit.
                _subscriberCount++;
                lastCommitted = _lastCommitted;
            }

            var subscription = new TailSubscription(this, filter, client, _options.SubscriberBufferBytes, _fannedOutThrough);
            if (lastEventId is { } resumeAfter)
            {
                Resume(subscription, resumeAfter, lastCommitted);
            }

            _subscribers.Add(subscription);
            _perClient[client] = ofClient + 1;
            _groups = null;
            _metrics.Subscribers.Add(1);
            refusal = TailRefusal.None;
            return subscription;
        }
    }

    private void Resume(TailSubscription subscription, long resumeAfter, long lastCommitted)
    {
        if (resumeAfter > lastCommitted)
        {
            subscription.TryQueue(TailFrame.Single(TailEncoder.Reset(
                $"Last-Event-ID {resumeAfter} is ahead of this store's last batch ({lastCommitted}); re-query, then carry on with these events")), outsideLimit: true);
            return;
        }

        if (resumeAfter < Interlocked.Read(ref _completeAfter))
        {
            subscription.TryQueue(TailFrame.Single(TailEncoder.Reset(
                $"Last-Event-ID {resumeAfter} is older than the resume window; re-query from the API, then carry on with these events")), outsideLimit: true);
            return;
        }

        var missed = new ArrayBufferWriter<byte>(16 * 1024);
        foreach (var batch in _window)
        {
            if (batch.Sequence <= resumeAfter)
            {
                continue;
            }

            _encoder.Append(missed, new BatchIndex(batch), subscription.Filter);
            if (missed.WrittenCount > _options.SubscriberBufferBytes)
            {
                subscription.TryQueue(TailFrame.Single(TailEncoder.Reset(
                    $"more points arrived after Last-Event-ID {resumeAfter} than one subscriber's buffer holds; re-query from the API, then carry on with these events")), outsideLimit: true);
                return;
            }
        }

        if (missed.WrittenCount > 0)
        {
            subscription.TryQueue(TailFrame.Single(missed.WrittenSpan.ToArray()), outsideLimit: true);
        }
    }

    internal void Remove(TailSubscription subscription)
    {
        lock (_sync)
        {
            if (!_subscribers.Remove(subscription))
            {
                return;
            }

            var left = _perClient[subscription.Client] - 1;
            if (left == 0)
            {
                _perClient.Remove(subscription.Client);
            }
            else
            {
                _perClient[subscription.Client] = left;
            }

            _groups = null;
            _metrics.Subscribers.Add(-1);
            lock (_registration)
            {
                if (--_subscriberCount == 0)
                {
                    _lastLeftTimestamp = Stopwatch.GetTimestamp();
                }
            }
        }
    }
}
