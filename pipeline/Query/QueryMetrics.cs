using System.Diagnostics.Metrics;

namespace FunctionsObservability.Pipeline.Query;

/// <summary>The query side's instruments, named after OpenTelemetry conventions.</summary>
public sealed class QueryMetrics : IDisposable
{
    public const string MeterName = "FunctionsObservability.Query";

    private readonly Meter _meter;

    public QueryMetrics(IMeterFactory? meterFactory = null)
    {
        _meter = meterFactory?.Create(MeterName) ?? new Meter(MeterName);
        AnswerCacheHits = _meter.CreateCounter<long>("fo.query.cache.hits", "{query}", "Aggregate queries answered from the answer cache.");
        AnswerCacheMisses = _meter.CreateCounter<long>("fo.query.cache.misses", "{query}", "Aggregate queries the answer cache could not answer, so DuckDB ran them.");
        AnswerCacheEvictions = _meter.CreateCounter<long>("fo.query.cache.evictions", "{answer}", "Cached answers dropped to stay within Query:AnswerCacheBytes.");
    }

    public Counter<long> AnswerCacheHits { get; }

    public Counter<long> AnswerCacheMisses { get; }

    public Counter<long> AnswerCacheEvictions { get; }

    /// <summary>Registers the gauge of the answer cache's estimated size, read from the live cache.</summary>
    public void ObserveAnswerCacheSize(Func<long> bytes) =>
        _meter.CreateObservableGauge("fo.query.cache.size", bytes, "By", "Estimated memory held by cached aggregate answers.");

    public void Dispose() => _meter.Dispose();
}
