namespace FunctionsObservability.Functions.Standalone.Security;

/// <summary>
/// Token buckets per caller (per key, or per client IP when anonymous). Bound from the
/// <c>RateLimits</c> configuration section: <c>RateLimits:Ingest:*</c> and <c>RateLimits:Query:*</c>.
/// </summary>
internal sealed class RateLimitOptions
{
    public const string SectionName = "RateLimits";

    /// <summary>
    /// Per caller. Far above what one client needs (the bench sends about 18,000 requests/s from one
    /// IP), so the limit only stops a runaway client; set it lower for shared deployments.
    /// </summary>
    public const double DefaultIngestTokensPerSecond = 50_000;

    public const int DefaultIngestBurst = 100_000;

    public const double DefaultQueryTokensPerSecond = 200;

    public const int DefaultQueryBurst = 400;

    /// <summary><c>POST /api/ingest</c> and <c>POST /api/v2/write</c>.</summary>
    public TokenBucketSettings Ingest { get; set; } = new() { TokensPerSecond = DefaultIngestTokensPerSecond, Burst = DefaultIngestBurst };

    /// <summary><c>/api/query/*</c>, <c>/api/metrics*</c> and <c>/api/admin/*</c>.</summary>
    public TokenBucketSettings Query { get; set; } = new() { TokensPerSecond = DefaultQueryTokensPerSecond, Burst = DefaultQueryBurst };

    public void Validate()
    {
        ArgumentNullException.ThrowIfNull(Ingest, nameof(Ingest));
        ArgumentNullException.ThrowIfNull(Query, nameof(Query));
        Ingest.Validate($"{SectionName}:{nameof(Ingest)}");
        Query.Validate($"{SectionName}:{nameof(Query)}");
    }
}

/// <summary>One token per request. <see cref="TokensPerSecond"/> 0 turns the limit off.</summary>
internal sealed class TokenBucketSettings
{
    /// <summary>Refill rate. Below 1 it means one token every 1/rate seconds (0.1: one per 10 s); 0 means no limit.</summary>
    public double TokensPerSecond { get; set; }

    /// <summary>Bucket size: requests a caller may send at once after being idle.</summary>
    public int Burst { get; set; }

    public bool Enabled => TokensPerSecond > 0;

    /// <summary>Whole tokens added per period; the token bucket limiter only adds whole tokens.</summary>
    public int TokensPerPeriod => TokensPerSecond >= 1 ? (int)Math.Round(TokensPerSecond) : 1;

    public TimeSpan ReplenishmentPeriod => TokensPerSecond >= 1 ? TimeSpan.FromSeconds(1) : TimeSpan.FromSeconds(1 / TokensPerSecond);

    public void Validate(string section)
    {
        if (double.IsNaN(TokensPerSecond) || TokensPerSecond < 0 || TokensPerSecond > int.MaxValue)
        {
            throw new ArgumentOutOfRangeException(nameof(TokensPerSecond), TokensPerSecond, $"{section}:{nameof(TokensPerSecond)} must be 0 (no limit) or a positive number up to {int.MaxValue}.");
        }

        if (Enabled && TokensPerSecond < 0.001)
        {
            throw new ArgumentOutOfRangeException(nameof(TokensPerSecond), TokensPerSecond, $"{section}:{nameof(TokensPerSecond)} must be at least 0.001 (one token per 1000 s), or 0 for no limit.");
        }

        if (Burst <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(Burst), Burst, $"{section}:{nameof(Burst)} must be greater than zero.");
        }
    }
}
