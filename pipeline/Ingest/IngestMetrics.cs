using System.Diagnostics.Metrics;

namespace FunctionsObservability.Pipeline.Ingest;

/// <summary>The ingest mesh's instruments, named after OpenTelemetry conventions.</summary>
public sealed class IngestMetrics : IDisposable
{
    public const string MeterName = "FunctionsObservability.Ingest";

    private readonly Meter _meter;

    public IngestMetrics(IMeterFactory? meterFactory = null)
    {
        _meter = meterFactory?.Create(MeterName) ?? new Meter(MeterName);
        PointsAccepted = _meter.CreateCounter<long>("fo.ingest.points.accepted", "{point}", "Points that passed validation and entered the writer's queue.");
        PointsRejected = _meter.CreateCounter<long>("fo.ingest.points.rejected", "{line}", "Lines rejected by parsing or validation.");
        PointsWritten = _meter.CreateCounter<long>("fo.ingest.points.written", "{point}", "Points committed to the database.");
        RequestsRefused = _meter.CreateCounter<long>("fo.ingest.requests.refused", "{request}", "Requests refused because the mesh was full or shutting down.");
        BatchSize = _meter.CreateHistogram<long>("fo.ingest.batch.size", "{point}", "Points per commit.",
            advice: new InstrumentAdvice<long> { HistogramBucketBoundaries = [10, 100, 1_000, 10_000, 100_000, 1_000_000] });
        CommitDuration = _meter.CreateHistogram<double>("fo.ingest.commit.duration", "s", "Time to append and commit one batch.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5] });
    }

    public Counter<long> PointsAccepted { get; }

    public Counter<long> PointsRejected { get; }

    public Counter<long> PointsWritten { get; }

    public Counter<long> RequestsRefused { get; }

    public Histogram<long> BatchSize { get; }

    public Histogram<double> CommitDuration { get; }

    /// <summary>Registers the buffer-depth gauge, read from the live mesh.</summary>
    public void ObserveBufferDepth(Func<int> depth) =>
        _meter.CreateObservableGauge("fo.ingest.buffer.depth", depth, "{request}", "Requests waiting anywhere in the mesh.");

    public void Dispose() => _meter.Dispose();
}
