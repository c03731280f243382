using FunctionsObservability.Pipeline.Storage;

namespace FunctionsObservability.Pipeline.Query;

/// <summary>Which series a query reads: one metric, and tags that must all match exactly.</summary>
public sealed record SeriesFilter(string Metric, IReadOnlyList<KeyValuePair<string, string>> Tags);

/// <summary>A half-open time range [From, To) in Unix microseconds.</summary>
public readonly record struct TimeRange(long FromMicros, long ToMicros)
{
    public static TimeRange All => new(long.MinValue, long.MaxValue);
}

public sealed record PointPageRequest(SeriesFilter Filter, TimeRange Range, int Limit, PageCursor? After);

public readonly record struct QueriedPoint(SeriesEntry Series, long TimestampMicros, double Value);

public sealed record PointPage(IReadOnlyList<QueriedPoint> Points, PageCursor? Next);

public enum AggregateFunction
{
    Avg,
    Min,
    Max,
    Sum,
    Count,
    P50,
    P90,
    P99,
}

public sealed record AggregateRequest(SeriesFilter Filter, TimeRange Range, long StepMicros, AggregateFunction Function, string? GroupBy);

public readonly record struct BucketValue(long TimestampMicros, double Value);

public sealed record AggregateSeries(IReadOnlyList<KeyValuePair<string, string>> Tags, IReadOnlyList<BucketValue> Points);
