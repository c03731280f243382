using System.Diagnostics;
using System.Threading.Channels;
using FunctionsObservability.Pipeline.Query;
using FunctionsObservability.Pipeline.Storage;
using Microsoft.Extensions.Logging;

namespace FunctionsObservability.Pipeline.Live;

/// <summary>
/// The live tail's hub. The writer hands it each group commit (<see cref="Publish"/>), which copies
/// the points and offers them to a bounded queue without waiting; one fan-out task encodes each
/// batch once per distinct filter and queues the frames to every subscriber, dropping any whose
/// buffer is full. So the writer's cost per batch is one copy, whatever the number of
/// subscribers, and no subscriber can hold up the writer or another subscriber.
/// </summary>
public sealed partial class LiveTail : IDisposable
{
    private readonly TailOptions _options;
    private readonly TailMetrics _metrics;
    private readonly ILogger<LiveTail> _logger;
    private readonly TailBudget _budget;
    private readonly Channel<CommittedPoints?> _published;
    private readonly Task _fanOut;

    /// <summary>Taken by the writer for an instant per commit, and by (un)subscribing: never held while encoding.</summary>
    private readonly Lock _registration = new();
    private int _subscriberCount;
    private long _lastLeftTimestamp;
    private long _lastCommitted;
    private bool _windowHeld;

    /// <summary>Every committed batch with a greater sequence is in the window or waiting for the fan-out.</summary>
    private long _completeAfter;
    private long _lostThrough;
    private long _droppedSubscribers;

    public LiveTail(TailOptions options, TailMetrics metrics, ILogger<LiveTail> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        _metrics = metrics;
        _logger = logger;
        _budget = new TailBudget(options.TotalBufferBytes);
        _encoder = new TailEncoder(options.MaxPointsPerEvent);
        _lastLeftTimestamp = long.MinValue;
        _published = Channel.CreateBounded<CommittedPoints?>(new BoundedChannelOptions(options.PublishQueueBatches)
        {
            SingleReader = true,
            SingleWriter = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
        _fanOut = Task.Run(FanOutAsync);
    }

    public TailOptions Options => _options;

    public int SubscriberCount
    {
        get
        {
            lock (_registration)
            {
                return _subscriberCount;
            }
        }
    }

    /// <summary>Subscribers dropped for falling behind since the service started.</summary>
    public long DroppedSubscribers => Interlocked.Read(ref _droppedSubscribers);

    /// <summary>Bytes of frames waiting for subscribers, each shared frame counted once.</summary>
    public long QueuedBytes => _budget.Used;

    /// <summary>Called once by the writer after recovery, with the last sequence in the store.</summary>
    internal void Start(long lastSequence)
    {
        lock (_registration)
        {
            _lastCommitted = lastSequence;
            RaiseCompleteAfter(lastSequence);
        }
    }

    /// <summary>
    /// Hands a committed group to the tail. Called by the writer after the commit is durable;
    /// never waits and never throws.
    /// </summary>
    internal void Publish(long sequence, IReadOnlyList<PointChunk> chunks)
    {
        try
        {
            bool copy, forget = false;
            lock (_registration)
            {
                _lastCommitted = sequence;
                copy = _subscriberCount > 0 || WithinGrace();
                if (!copy)
                {
                    // Nobody can resume across this batch, so it need not be kept.
                    RaiseCompleteAfter(sequence);
                    forget = _windowHeld;
                    _windowHeld = false;
                }
                else
                {
                    _windowHeld = true;
                }
            }

            if (!copy)
            {
                if (forget)
                {
                    _published.Writer.TryWrite(null);
                }

                return;
            }

            if (!_published.Writer.TryWrite(CommittedPoints.Copy(sequence, chunks)))
            {
                InterlockedMax(ref _lostThrough, sequence);
                _metrics.LostBatches.Add(1);
            }
        }
        catch (Exception exception)
        {
            // The commit is durable and acknowledged whatever happens here; the tail only loses this batch.
            InterlockedMax(ref _lostThrough, sequence);
            LogPublishFailed(_logger, exception, sequence);
        }
    }

    private bool WithinGrace() =>
        _lastLeftTimestamp != long.MinValue
        && Stopwatch.GetElapsedTime(_lastLeftTimestamp) < TimeSpan.FromSeconds(_options.ResumeGraceSeconds);

    private void RaiseCompleteAfter(long sequence) => InterlockedMax(ref _completeAfter, sequence);

    private static void InterlockedMax(ref long target, long value)
    {
        var current = Interlocked.Read(ref target);
        while (value > current)
        {
            var seen = Interlocked.CompareExchange(ref target, value, current);
            if (seen == current)
            {
                return;
            }

            current = seen;
        }
    }

    public void Dispose()
    {
        _published.Writer.TryComplete();
        try
        {
            _fanOut.Wait(TimeSpan.FromSeconds(5));
        }
        catch (AggregateException)
        {
            // Logged where it failed.
        }

        lock (_sync)
        {
            foreach (var subscription in _subscribers)
            {
                subscription.End();
            }
        }
    }

    [LoggerMessage(EventId = LogEvents.TailSubscriberDropped, Level = LogLevel.Information, Message = "Live tail subscriber of {Client} for {Metric} dropped: {Reason}")]
    private static partial void LogDropped(ILogger logger, string client, string metric, string reason);

    [LoggerMessage(EventId = LogEvents.TailFellBehindWriter, Level = LogLevel.Warning, Message = "The live tail's fan-out fell behind the writer through batch {Sequence}; every subscriber was dropped")]
    private static partial void LogFellBehind(ILogger logger, long sequence);

    [LoggerMessage(EventId = LogEvents.TailPublishFailed, Level = LogLevel.Error, Message = "Batch {Sequence} could not be handed to the live tail")]
    private static partial void LogPublishFailed(ILogger logger, Exception exception, long sequence);
}
