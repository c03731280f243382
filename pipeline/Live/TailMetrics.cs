using System.Diagnostics.Metrics;

namespace FunctionsObservability.Pipeline.Live;

/// <summary>The live tail's instruments, named after OpenTelemetry conventions.</summary>
public sealed class TailMetrics : IDisposable
{
    public const string MeterName = "FunctionsObservability.Tail";

    private readonly Meter _meter;

    public TailMetrics(IMeterFactory? meterFactory = null)
    {
        _meter = meterFactory?.Create(MeterName) ?? new Meter(MeterName);
        Subscribers = _meter.CreateUpDownCounter<long>("fo.tail.subscribers", "{subscriber}", "Live tail subscribers connected.");
        Dropped = _meter.CreateCounter<long>("fo.tail.subscribers.dropped", "{subscriber}", "Subscribers disconnected because they fell behind.");
        Refused = _meter.CreateCounter<long>("fo.tail.subscribers.refused", "{subscriber}", "Subscriptions refused by Tail:MaxSubscribers or Tail:MaxSubscribersPerClient.");
        Events = _meter.CreateCounter<long>("fo.tail.events", "{event}", "Events queued for subscribers.");
        LostBatches = _meter.CreateCounter<long>("fo.tail.batches.lost", "{batch}", "Committed batches the fan-out could not take; every subscriber was dropped.");
    }

    public UpDownCounter<long> Subscribers { get; }

    public Counter<long> Dropped { get; }

    public Counter<long> Refused { get; }

    public Counter<long> Events { get; }

    public Counter<long> LostBatches { get; }

    public void Dispose() => _meter.Dispose();
}
