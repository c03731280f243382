namespace FunctionsObservability.Pipeline.Live;

/// <summary>Limits of the live tail. Bound from the <c>Tail</c> configuration section.</summary>
public sealed class TailOptions
{
    public const string SectionName = "Tail";

    /// <summary>Subscribers at once over all clients; beyond it a new one gets 503.</summary>
    public int MaxSubscribers { get; set; } = 1000;

    /// <summary>Subscribers at once per client (key, or IP without keys); beyond it a new one gets 429.</summary>
    public int MaxSubscribersPerClient { get; set; } = 50;

    /// <summary>
    /// Event bytes one subscriber may have waiting. A subscriber whose waiting events would pass it
    /// has fallen behind: it gets one <c>dropped</c> event and is disconnected.
    /// </summary>
    public int SubscriberBufferBytes { get; set; } = 1024 * 1024;

    /// <summary>
    /// Event bytes waiting for all subscribers together, each payload counted once however many
    /// subscribers share it. A subscriber whose event would pass it is dropped.
    /// </summary>
    public long TotalBufferBytes { get; set; } = 64L * 1024 * 1024;

    /// <summary>Most points in one <c>points</c> event; a larger batch goes out as several events.</summary>
    public int MaxPointsPerEvent { get; set; } = 2000;

    /// <summary>Points of recent batches kept so that a client can resume with <c>Last-Event-ID</c>.</summary>
    public int ResumeWindowPoints { get; set; } = 1_000_000;

    /// <summary>Recent batches kept for resuming, whatever their size.</summary>
    public int ResumeWindowBatches { get; set; } = 4096;

    /// <summary>Committed batches waiting for the fan-out. When it is full the writer does not wait: every subscriber is dropped instead.</summary>
    public int PublishQueueBatches { get; set; } = 256;

    /// <summary>
    /// The fan-out runs at most once per this interval and hands each subscriber everything that
    /// arrived since in one write: with a thousand subscribers, per-commit writes would cost more
    /// than the ingest itself under heavy load. It bounds the delay the tail adds to a batch.
    /// </summary>
    public int FanOutIntervalMilliseconds { get; set; } = 25;

    /// <summary>
    /// While commits come faster than one per <see cref="FanOutIntervalMilliseconds"/>, the interval
    /// doubles up to this; when they come slower, it halves back. Under bulk ingest the
    /// subscribers' writes then take a small share of the CPU; under light load delivery stays fast.
    /// </summary>
    public int MaxFanOutIntervalMilliseconds { get; set; } = 250;

    /// <summary>How long an idle stream waits before it sends a heartbeat comment.</summary>
    public int HeartbeatSeconds { get; set; } = 15;

    /// <summary>
    /// How long the resume window keeps filling after the last subscriber left, so that a client
    /// that reconnects resumes; with no subscriber for longer, commits are not copied at all.
    /// </summary>
    public int ResumeGraceSeconds { get; set; } = 120;

    public void Validate()
    {
        OptionGuard.Positive(MaxSubscribers, SectionName, nameof(MaxSubscribers));
        OptionGuard.Positive(MaxSubscribersPerClient, SectionName, nameof(MaxSubscribersPerClient));
        OptionGuard.Positive(SubscriberBufferBytes, SectionName, nameof(SubscriberBufferBytes));
        OptionGuard.Positive(MaxPointsPerEvent, SectionName, nameof(MaxPointsPerEvent));
        OptionGuard.Positive(ResumeWindowPoints, SectionName, nameof(ResumeWindowPoints));
        OptionGuard.Positive(ResumeWindowBatches, SectionName, nameof(ResumeWindowBatches));
        OptionGuard.Positive(PublishQueueBatches, SectionName, nameof(PublishQueueBatches));
        OptionGuard.Positive(HeartbeatSeconds, SectionName, nameof(HeartbeatSeconds));
        if (FanOutIntervalMilliseconds is < 0 or > 1000)
        {
            throw new ArgumentOutOfRangeException(nameof(FanOutIntervalMilliseconds), FanOutIntervalMilliseconds, "Tail:FanOutIntervalMilliseconds must be between 0 and 1000.");
        }

        if (MaxFanOutIntervalMilliseconds < FanOutIntervalMilliseconds || MaxFanOutIntervalMilliseconds > 5000)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxFanOutIntervalMilliseconds), MaxFanOutIntervalMilliseconds,
                "Tail:MaxFanOutIntervalMilliseconds must be at least Tail:FanOutIntervalMilliseconds and at most 5000.");
        }
        if (TotalBufferBytes < SubscriberBufferBytes)
        {
            throw new ArgumentOutOfRangeException(nameof(TotalBufferBytes), TotalBufferBytes, "Tail:TotalBufferBytes must be at least Tail:SubscriberBufferBytes.");
        }

        if (ResumeGraceSeconds < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(ResumeGraceSeconds), ResumeGraceSeconds, "Tail:ResumeGraceSeconds must be 0 or more.");
        }
    }
}
