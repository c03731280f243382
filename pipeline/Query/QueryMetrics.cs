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
        Duration = _meter.CreateHistogram<double>("fo.query.duration", "s",
            "Time to answer a query request, by route and outcome (ok, client_error, busy, timeout, error, cancelled).",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30] });
        Active = _meter.CreateUpDownCounter<long>("fo.query.active", "{query}", "Query requests being answered now, by route.");
        SampleCacheHits = _meter.CreateCounter<long>("fo.promql.sample_cache.hits", "{series}", "Series a PromQL selector read from the sample cache.");
        SampleCacheMisses = _meter.CreateCounter<long>("fo.promql.sample_cache.misses", "{series}", "Series a PromQL selector had to read from the store.");
        SampleCacheEvictions = _meter.CreateCounter<long>("fo.promql.sample_cache.evictions", "{series}", "Cached series dropped to stay within PromQL:SampleCacheBytes.");
    }

    public Counter<long> AnswerCacheHits { get; }

    public Counter<long> AnswerCacheMisses { get; }

    public Counter<long> AnswerCacheEvictions { get; }

    public Counter<long> SampleCacheHits { get; }

    public Counter<long> SampleCacheMisses { get; }

    public Counter<long> SampleCacheEvictions { get; }

    /// <summary>Tagged <c>route</c> (the route template, e.g. <c>query/points</c>) and <c>outcome</c>.</summary>
    public Histogram<double> Duration { get; }

    /// <summary>Tagged <c>route</c>.</summary>
    public UpDownCounter<long> Active { get; }

    /// <summary>Registers the gauge of the answer cache's estimated size, read from the live cache.</summary>
    public void ObserveAnswerCacheSize(Func<long> bytes) =>
        _meter.CreateObservableGauge("fo.query.cache.size", bytes, "By", "Estimated memory held by cached aggregate answers.");

    /// <summary>Registers the gauge of the PromQL sample cache's size, read from the live cache.</summary>
    public void ObserveSampleCacheSize(Func<long> bytes) =>
        _meter.CreateObservableGauge("fo.promql.sample_cache.size", bytes, "By", "Memory held by series samples cached for PromQL.");

    public void Dispose() => _meter.Dispose();
}
