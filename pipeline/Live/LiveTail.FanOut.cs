using FunctionsObservability.Pipeline.Query;

namespace FunctionsObservability.Pipeline.Live;

/// <summary>The fan-out task and the resume window it keeps.</summary>
public sealed partial class LiveTail
{
    /// <summary>Guards the window, the subscribers and their grouping; held by the fan-out per batch and by (un)subscribing.</summary>
    private readonly Lock _sync = new();
    private readonly TailEncoder _encoder;
    private readonly Queue<CommittedPoints> _window = new();
    private readonly HashSet<TailSubscription> _subscribers = [];
    private readonly Dictionary<string, int> _perClient = new(StringComparer.Ordinal);
    private (SeriesFilter Filter, TailSubscription[] Subscribers)[]? _groups;
    private long _windowPoints;
    private long _fannedOutThrough;
    private long _handledLoss;

    private async Task FanOutAsync()
    {
        await foreach (var batch in _published.Reader.ReadAllAsync().ConfigureAwait(false))
        {
            lock (_sync)
            {
                var lost = Interlocked.Read(ref _lostThrough);
                if (lost > _handledLoss)
                {
                    _handledLoss = lost;
                    ForgetWindow(lost);
                    foreach (var subscription in _subscribers)
                    {
                        Drop(subscription, "the live tail fell behind the writer and lost batches; re-query, then subscribe again");
                    }

                    LogFellBehind(_logger, lost);
                }

                if (batch is null)
                {
                    ForgetWindow(Interlocked.Read(ref _completeAfter));
                    continue;
                }

                AddToWindow(batch);
                FanOut(batch);
                _fannedOutThrough = batch.Sequence;
            }
        }
    }

    private void FanOut(CommittedPoints batch)
    {
        _groups ??= [.. _subscribers.GroupBy(s => FilterKey(s.Filter), StringComparer.Ordinal).Select(g => (g.First().Filter, g.ToArray()))];
        foreach (var (filter, subscribers) in _groups)
        {
            var encoded = _encoder.Encode(batch, filter);
            if (encoded.Count > 0)
            {
                var frames = Share(encoded);
                foreach (var subscription in subscribers)
                {
                    Queue(subscription, frames);
                }

                foreach (var frame in frames)
                {
                    frame?.Release();
                }
            }

            foreach (var subscription in subscribers)
            {
                subscription.MarkDelivered(batch.Sequence);
            }
        }
    }

    /// <summary>The frames under the shared budget; a null entry is one the budget could not take.</summary>
    private TailFrame?[] Share(List<byte[]> encoded)
    {
        var frames = new TailFrame?[encoded.Count];
        for (var i = 0; i < frames.Length; i++)
        {
            frames[i] = TailFrame.TryCreate(encoded[i], _budget);
        }

        return frames;
    }

    private void Queue(TailSubscription subscription, TailFrame?[] frames)
    {
        foreach (var frame in frames)
        {
            if (frame is null)
            {
                Drop(subscription, "the live tail's buffers are full");
                return;
            }

            if (!subscription.TryQueue(frame))
            {
                Drop(subscription, "the subscriber fell behind: it read more slowly than points arrived");
                return;
            }
        }

        _metrics.Events.Add(frames.Length);
    }

    private void Drop(TailSubscription subscription, string reason)
    {
        if (subscription.Drop(reason))
        {
            _metrics.Dropped.Add(1);
            Interlocked.Increment(ref _droppedSubscribers);
            LogDropped(_logger, subscription.Client, subscription.Filter.Metric, reason);
        }
    }

    private void AddToWindow(CommittedPoints batch)
    {
        _window.Enqueue(batch);
        _windowPoints += batch.Count;
        while (_window.Count > 1 && (_window.Count > _options.ResumeWindowBatches || _windowPoints > _options.ResumeWindowPoints))
        {
            var oldest = _window.Dequeue();
            _windowPoints -= oldest.Count;
            RaiseCompleteAfter(oldest.Sequence);
        }
    }

    private void ForgetWindow(long through)
    {
        _window.Clear();
        _windowPoints = 0;
        RaiseCompleteAfter(through);
    }

    private static string FilterKey(SeriesFilter filter) =>
        filter.Tags.Count == 0
            ? filter.Metric
            : filter.Metric + "\u001f" + string.Join("\u001f", filter.Tags.OrderBy(t => t.Key, StringComparer.Ordinal).ThenBy(t => t.Value, StringComparer.Ordinal).Select(t => t.Key + "\u001e" + t.Value));
}
