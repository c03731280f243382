namespace FunctionsObservability.Pipeline.Query;

/// <summary>Query limits. Bound from the <c>Query</c> configuration section.</summary>
public sealed class QueryOptions
{
    public const string SectionName = "Query";

    public int DefaultPageSize { get; set; } = 1000;

    public int MaxPageSize { get; set; } = 10_000;

    /// <summary>Most time buckets one aggregate may return per series.</summary>
    public int MaxBuckets { get; set; } = 10_000;

    /// <summary>Most series (groups) one aggregate may return.</summary>
    public int MaxSeries { get; set; } = 10_000;

    /// <summary>Most bucket values one aggregate may return in all (buckets × series).</summary>
    public int MaxPoints { get; set; } = 1_000_000;

    public int TimeoutSeconds { get; set; } = 30;

    /// <summary>Queries running at once; further ones wait briefly, then get 503.</summary>
    public int MaxConcurrentQueries { get; set; } = 8;

    /// <summary>How long a query waits for a free slot before it is refused.</summary>
    public int AdmissionTimeoutMilliseconds { get; set; } = 2000;

    /// <summary>
    /// Up to this many minute partials (series × minutes, and rows not yet rolled up), an
    /// aggregate reads the partials and folds them in process instead of grouping in DuckDB.
    /// 0 always groups in DuckDB.
    /// </summary>
    public int MaxFoldedPartials { get; set; } = 20_000;

    public const long DefaultAnswerCacheBytes = 16L * 1024 * 1024;

    /// <summary>
    /// Memory for recent aggregate answers, estimated; an answer is served again until the data of
    /// its metric changes. 0 turns the cache off.
    /// </summary>
    public long AnswerCacheBytes { get; set; } = DefaultAnswerCacheBytes;

    public void Validate()
    {
        if (MaxFoldedPartials < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxFoldedPartials), MaxFoldedPartials, "Query:MaxFoldedPartials must be 0 or more.");
        }

        if (AnswerCacheBytes < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(AnswerCacheBytes), AnswerCacheBytes, "Query:AnswerCacheBytes must be 0 or more.");
        }

        OptionGuard.Positive(DefaultPageSize, SectionName, nameof(DefaultPageSize));
        OptionGuard.Positive(MaxPageSize, SectionName, nameof(MaxPageSize));
        OptionGuard.Positive(MaxBuckets, SectionName, nameof(MaxBuckets));
        OptionGuard.Positive(MaxSeries, SectionName, nameof(MaxSeries));
        OptionGuard.Positive(MaxPoints, SectionName, nameof(MaxPoints));
        OptionGuard.Positive(TimeoutSeconds, SectionName, nameof(TimeoutSeconds));
        OptionGuard.Positive(MaxConcurrentQueries, SectionName, nameof(MaxConcurrentQueries));
        OptionGuard.Positive(AdmissionTimeoutMilliseconds, SectionName, nameof(AdmissionTimeoutMilliseconds));
        if (DefaultPageSize > MaxPageSize)
        {
            throw new ArgumentOutOfRangeException(nameof(DefaultPageSize), DefaultPageSize, "Query:DefaultPageSize must not exceed Query:MaxPageSize.");
        }
    }
}
