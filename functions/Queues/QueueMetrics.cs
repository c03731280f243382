using System.Diagnostics.Metrics;

namespace FunctionsObservability.Functions.Queues;

/// <summary>Queue deliveries handled, for both the Functions trigger and the standalone listener.</summary>
internal sealed class QueueMetrics : IDisposable
{
    public const string MeterName = "FunctionsObservability.Queues";

    private readonly Meter _meter;
    private readonly Counter<long> _messages;

    public QueueMetrics(IMeterFactory? meterFactory = null)
    {
        _meter = meterFactory?.Create(MeterName) ?? new Meter(MeterName);
        _messages = _meter.CreateCounter<long>("fo.queue.messages", "{message}",
            "Queue message deliveries handled, by outcome: committed, duplicate (committed earlier), partial (some lines rejected), poison, retry (left for another delivery).");
    }

    public void Handled(string outcome) => _messages.Add(1, new KeyValuePair<string, object?>("outcome", outcome));

    public void Dispose() => _meter.Dispose();
}
