namespace FunctionsObservability.Pipeline.PromQL;

/// <summary>Limits of the Prometheus query API. Bound from the <c>PromQL</c> configuration section.</summary>
public sealed class PromQLOptions
{
    public const string SectionName = "PromQL";

    /// <summary>How far back an instant selector looks for a sample; Prometheus's default is 5 minutes.</summary>
    public int LookbackDeltaSeconds { get; set; } = 300;

    /// <summary>Most series one query may select, across all its selectors.</summary>
    public long MaxSeries { get; set; } = 50_000;

    /// <summary>
    /// Most samples one query may hold, across its selectors and its answer. At 16 bytes a sample
    /// the default bounds a query near 80 MB; with <see cref="MaxConcurrentQueries"/> this is the
    /// API's memory ceiling.
    /// </summary>
    public long MaxSamples { get; set; } = 5_000_000;

    /// <summary>PromQL evaluations at once; further ones wait up to Query:AdmissionTimeoutMilliseconds, then get 503.</summary>
    public int MaxConcurrentQueries { get; set; } = 2;

    /// <summary>Most evaluation steps of a range query, as Prometheus's 11,000.</summary>
    public int MaxSteps { get; set; } = 11_000;

    /// <summary>
    /// Memory for samples kept after a query, so repeated queries over the same range skip the
    /// store; 0 turns the cache off. At 16 bytes a sample the default holds 8 M samples.
    /// </summary>
    public long SampleCacheBytes { get; set; } = 128L * 1024 * 1024;

    public TimeSpan LookbackDelta => TimeSpan.FromSeconds(LookbackDeltaSeconds);

    public void Validate()
    {
        OptionGuard.Positive(LookbackDeltaSeconds, SectionName, nameof(LookbackDeltaSeconds));
        OptionGuard.Positive(MaxConcurrentQueries, SectionName, nameof(MaxConcurrentQueries));
        OptionGuard.Positive(MaxSteps, SectionName, nameof(MaxSteps));
        if (MaxSeries <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxSeries), MaxSeries, "PromQL:MaxSeries must be positive.");
        }

        if (SampleCacheBytes < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(SampleCacheBytes), SampleCacheBytes, "PromQL:SampleCacheBytes must be 0 (off) or positive.");
        }

        if (MaxSamples <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxSamples), MaxSamples, "PromQL:MaxSamples must be positive.");
        }
    }
}
