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

    public void Validate()
    {
        foreach (var (value, name) in new[]
        {
            (DefaultPageSize, nameof(DefaultPageSize)), (MaxPageSize, nameof(MaxPageSize)),
            (MaxBuckets, nameof(MaxBuckets)), (MaxSeries, nameof(MaxSeries)), (MaxPoints, nameof(MaxPoints)),
            (TimeoutSeconds, nameof(TimeoutSeconds)), (MaxConcurrentQueries, nameof(MaxConcurrentQueries)),
            (AdmissionTimeoutMilliseconds, nameof(AdmissionTimeoutMilliseconds)),
        })
        {
            if (value <= 0)
            {
                throw new ArgumentOutOfRangeException(name, value, $"Query:{name} must be greater than zero.");
            }
        }

        if (DefaultPageSize > MaxPageSize)
        {
            throw new ArgumentOutOfRangeException(nameof(DefaultPageSize), DefaultPageSize, "Query:DefaultPageSize must not exceed Query:MaxPageSize.");
        }
    }
}
