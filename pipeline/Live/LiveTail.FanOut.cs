using System.Buffers;
using FunctionsObservability.Pipeline.Query;

namespace FunctionsObservability.Pipeline.Live;

/// <summary>The fan-out task and the resume window it keeps.</summary>
public sealed partial class LiveTail
{
    /// <summary>Guards the window, the subscribers and their grouping; held by the fan-out per batch and by (un)subscribing.</summary>
    private readonly Lock _sync = new();
    private readonly TailEncoder _encoder;
    private ArrayBufferWriter<byte> _roundBuffer = new(64 * 1024);
    private readonly Queue<CommittedPoints> _window = new();
    private readonly HashSet<TailSubscription> _subscribers = [];
    private readonly Dictionary<string, int> _perClient = new(StringComparer.Ordinal);
    private (SeriesFilter Filter, TailSubscription[] Subscribers)[]? _groups;
    private long _windowPoints;
    private long _fannedOutThrough;
    private long _handledLoss;

    private async Task FanOutAsync()
    {
        var reader = _published.Reader;
        var shortest = _options.FanOutIntervalMilliseconds;
        var longest = _options.MaxFanOutIntervalMilliseconds;
        var interval = shortest;
        var round = new List<BatchIndex>();
        while (await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            var started = System.Diagnostics.Stopwatch.GetTimestamp();
            lock (_sync)
            {
                // Everything that arrived since the last round goes out in this one.
                while (reader.TryRead(out var batch))
                {
                    if (Admit(batch))
                    {
                        round.Add(new BatchIndex(batch!));
                    }
                }

                // More than one commit per shortest interval on average: commits outpace the rounds,
                // so the next round waits longer; fewer, and it comes sooner again. Judged by the
                // rate, not the count, or a long interval would keep itself long by collecting several.
                var perShortest = round.Count * (double)Math.Max(shortest, 1) / Math.Max(interval, 1);
                interval = perShortest > 1 ? Math.Min(Math.Max(interval, 1) * 2, longest) : Math.Max(interval / 2, shortest);
                if (round.Count > 0)
                {
                    FanOut(round);
                    _fannedOutThrough = round[^1].Batch.Sequence;
                    round.Clear();
                }
            }

            var rest = TimeSpan.FromMilliseconds(interval) - System.Diagnostics.Stopwatch.GetElapsedTime(started);
            if (rest > TimeSpan.Zero)
            {
                await Task.Delay(rest).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Takes a batch into the window; false for the marker that says the window may go.</summary>
    private bool Admit(CommittedPoints? batch)
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
            return false;
        }

        AddToWindow(batch);
        return true;
    }

    /// <summary>
    /// Per distinct filter, the round's events (one or more per batch) in one shared frame, so a
    /// subscriber costs one queue entry and one socket write per round.
    /// </summary>
    private void FanOut(List<BatchIndex> round)
    {
        _groups ??= [.. _subscribers.GroupBy(s => FilterKey(s.Filter), StringComparer.Ordinal).Select(g => (g.First().Filter, g.ToArray()))];
        var last = round[^1].Batch.Sequence;
        foreach (var (filter, subscribers) in _groups)
        {
            _roundBuffer.ResetWrittenCount();
            var events = 0;
            foreach (var index in round)
            {
                events += _encoder.Append(_roundBuffer, index, filter);
            }

            if (events > 0)
            {
                var frame = TailFrame.TryCreate(_roundBuffer.WrittenSpan.ToArray(), _budget);
                foreach (var subscription in subscribers)
                {
                    if (frame is null)
                    {
                        Drop(subscription, "the live tail's buffers are full");
                    }
                    else if (subscription.TryQueue(frame))
                    {
                        _metrics.Events.Add(events);
                    }
                    else
                    {
                        Drop(subscription, "the subscriber fell behind: it read more slowly than points arrived");
                    }
                }

                frame?.Release();
            }

            foreach (var subscription in subscribers)
            {
                subscription.MarkDelivered(last);
            }
        }

        if (_roundBuffer.Capacity > 4 * 1024 * 1024)
        {
            // One burst must not pin a large buffer for good.
            _roundBuffer = new ArrayBufferWriter<byte>(64 * 1024);
        }
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
