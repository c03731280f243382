using System.Globalization;
using System.Threading.RateLimiting;
using FunctionsObservability.Functions.Http;
using Microsoft.AspNetCore.RateLimiting;

namespace FunctionsObservability.Functions.Standalone.Security;

/// <summary>
/// ASP.NET Core's rate limiter with one token bucket per caller and route class: the partition is
/// the key's configuration entry (never the key), or the client IP when no key is configured.
/// Public routes (health, routes outside <c>/api</c>) and the scrape endpoint <c>/metrics</c> are not limited. No queue: a refused request
/// gets 429 at once, with <c>Retry-After</c>.
/// </summary>
internal static partial class RateLimits
{
    public static void Configure(RateLimiterOptions limiter, RateLimitOptions options)
    {
        ArgumentNullException.ThrowIfNull(limiter);
        ArgumentNullException.ThrowIfNull(options);
        var ingest = BucketOptions(options.Ingest);
        var query = BucketOptions(options.Query);

        // Made once: a lambda capturing the bucket inside the partitioner would be a new delegate per request.
        Func<(bool, string), TokenBucketRateLimiterOptions>? ingestBucket = ingest is null ? null : _ => ingest;
        Func<(bool, string), TokenBucketRateLimiterOptions>? queryBucket = query is null ? null : _ => query;

        limiter.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
        // The partition key is a tuple, not "ingest|" + identity: no string is built per request.
        limiter.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, (bool Ingest, string Identity)>(context =>
        {
            var caller = context.Features.Get<CallerFeature>();
            var bucket = caller?.Access switch
            {
                RouteAccess.Ingest => ingestBucket,
                RouteAccess.Query or RouteAccess.Admin => queryBucket,
                _ => null,
            };
            if (caller is null || bucket is null)
            {
                return RateLimitPartition.GetNoLimiter((false, string.Empty));
            }

            return RateLimitPartition.GetTokenBucketLimiter((caller.Access == RouteAccess.Ingest, caller.Identity), bucket);
        });
        limiter.OnRejected = OnRejectedAsync;
    }

    private static TokenBucketRateLimiterOptions? BucketOptions(TokenBucketSettings settings) => settings.Enabled
        ? new TokenBucketRateLimiterOptions
        {
            TokenLimit = settings.Burst,
            TokensPerPeriod = settings.TokensPerPeriod,
            ReplenishmentPeriod = settings.ReplenishmentPeriod,
            QueueLimit = 0,
            AutoReplenishment = true,
        }
        : null;

    private static async ValueTask OnRejectedAsync(OnRejectedContext rejected, CancellationToken cancellationToken)
    {
        var context = rejected.HttpContext;
        var seconds = 1;
        if (rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter))
        {
            seconds = (int)Math.Clamp(Math.Ceiling(retryAfter.TotalSeconds), 1, int.MaxValue);
        }

        var caller = context.Features.Get<CallerFeature>();
        context.RequestServices.GetService<SecurityMetrics>()?.RateLimited(caller?.Access);
        LogThrottled(context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger("FunctionsObservability.Security"),
            context.Request.Method, context.Request.Path, caller?.Identity ?? "?", seconds);
        context.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        var message = $"rate limit reached; retry after {seconds.ToString(CultureInfo.InvariantCulture)} s";
        await JsonOutput.WriteAsync(context.Response, writer =>
        {
            writer.WriteStartObject();
            if (caller?.InfluxStyle == true)
            {
                writer.WriteString("code", "too many requests");
                writer.WriteString("message", message);
            }
            else
            {
                writer.WriteString("error", message);
            }

            writer.WriteEndObject();
        }, StatusCodes.Status429TooManyRequests).ConfigureAwait(false);
    }

    [LoggerMessage(EventId = LogEvents.RequestThrottled, Level = LogLevel.Debug, Message = "Throttled {Method} {Path} for {Caller}; retry after {Seconds} s")]
    private static partial void LogThrottled(ILogger logger, string method, string path, string caller, int seconds);
}
