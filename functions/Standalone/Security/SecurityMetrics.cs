using System.Diagnostics.Metrics;

namespace FunctionsObservability.Functions.Standalone.Security;

/// <summary>Requests the standalone app turned away before any handler ran: a missing or wrong key (401), a spent rate limit (429).</summary>
internal sealed class SecurityMetrics : IDisposable
{
    public const string MeterName = "FunctionsObservability.Security";

    private readonly Meter _meter;
    private readonly Counter<long> _unauthorized;
    private readonly Counter<long> _rateLimited;

    public SecurityMetrics(IMeterFactory? meterFactory = null)
    {
        _meter = meterFactory?.Create(MeterName) ?? new Meter(MeterName);
        _unauthorized = _meter.CreateCounter<long>("fo.auth.refused", "{request}",
            "Requests refused with 401 for a missing or wrong key, by route class (ingest, query, admin, telemetry).");
        _rateLimited = _meter.CreateCounter<long>("fo.ratelimit.rejected", "{request}",
            "Requests refused with 429 by the per-caller rate limit, by route class (ingest, query, admin).");
    }

    public void Unauthorized(RouteAccess access) => _unauthorized.Add(1, Tag(access));

    public void RateLimited(RouteAccess? access) => _rateLimited.Add(1, Tag(access));

    public void Dispose() => _meter.Dispose();

    private static KeyValuePair<string, object?> Tag(RouteAccess? access) => new("route.class", access switch
    {
        RouteAccess.Ingest => "ingest",
        RouteAccess.Query => "query",
        RouteAccess.Admin => "admin",
        RouteAccess.Telemetry => "telemetry",
        RouteAccess.Public => "public",
        _ => "unknown",
    });
}
