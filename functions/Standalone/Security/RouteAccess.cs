using FunctionsObservability.Functions.Http;

namespace FunctionsObservability.Functions.Standalone.Security;

/// <summary>What a route needs: nothing, an ingest key, a query key, an admin key, or a metrics key (the scrape endpoint).</summary>
internal enum RouteAccess
{
    /// <summary>Health, the explorer's page and assets, and every route outside <c>/api</c> but OTLP's <c>/v1/metrics</c>.</summary>
    Public,
    Ingest,
    Query,
    Admin,

    /// <summary>The Prometheus scrape endpoint <c>/metrics</c>: a metrics key or an admin key.</summary>
    Telemetry,
}

/// <summary>Sorts requests into <see cref="RouteAccess"/>. Unknown routes under <c>/api</c> need an admin key.</summary>
internal static class RouteAccessRules
{
    private static readonly PathString Api = "/" + Routes.Prefix;
    private static readonly PathString Health = Routes.Path(Routes.Health);
    private static readonly PathString Scrape = Routes.Scrape;
    private static readonly PathString InfluxWrite = Routes.Path(Routes.InfluxWrite);
    private static readonly PathString[] IngestRoutes = [Routes.Path(Routes.Ingest), InfluxWrite, Routes.Path(Routes.PrometheusWrite), Routes.Path(Routes.OtlpMetrics)];

    /// <summary>OTLP's default path is outside <c>/api</c> but writes like the other ingest routes.</summary>
    private static readonly PathString OtlpMetrics = Routes.StandaloneOtlpMetricsPath;

    /// <summary>The metrics route is also the prefix of the metric tags route; the live tail reads like a query.</summary>
    private static readonly PathString[] QueryRoutes =
    [
        Routes.Path(Routes.QueryPoints), Routes.Path(Routes.QueryAggregate), Routes.Path(Routes.Metrics), Routes.Path(Routes.Tail),
        Routes.Path(Routes.PromQuery), Routes.Path(Routes.PromQueryRange), Routes.Path(Routes.PromSeries), Routes.Path(Routes.PromLabels),
        Routes.Path("v1/label"), Routes.Path(Routes.PromMetadata), Routes.Path(Routes.PromBuildInfo),
    ];

    /// <summary>The explorer's page and assets hold no data: every call they make carries its own key.</summary>
    private static readonly PathString Explorer = Routes.Path(Routes.Explorer);

    /// <summary>
    /// Classifies both the request path and the matched route's pattern (routing runs first in a
    /// WebApplication), and keeps the stricter answer, so an odd spelling of a path cannot reach a
    /// keyed endpoint as public, and a catch-all route cannot open <c>/api</c>.
    /// </summary>
    public static RouteAccess Classify(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var byPath = Classify(context.Request.Path);
        if (context.GetEndpoint() is not RouteEndpoint { RoutePattern.RawText: { } pattern })
        {
            return byPath;
        }

        var byPattern = Classify(pattern.StartsWith('/') ? new PathString(pattern) : new PathString("/" + pattern));
        return Stricter(byPath, byPattern);
    }

    public static RouteAccess Classify(PathString path)
    {
        // PathString comparisons ignore case, as routing does.
        if (path.StartsWithSegments(Scrape))
        {
            return RouteAccess.Telemetry;
        }

        if (path.StartsWithSegments(OtlpMetrics))
        {
            return RouteAccess.Ingest;
        }

        if (!path.StartsWithSegments(Api) || path.StartsWithSegments(Health) || path.StartsWithSegments(Explorer))
        {
            return RouteAccess.Public;
        }

        if (StartsWithAny(path, IngestRoutes))
        {
            return RouteAccess.Ingest;
        }

        return StartsWithAny(path, QueryRoutes) ? RouteAccess.Query : RouteAccess.Admin;
    }

    /// <summary>Routes that answer errors in InfluxDB's <c>{"code","message"}</c> shape and take <c>Authorization: Token</c>.</summary>
    public static bool IsInfluxApi(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return context.Request.Path.StartsWithSegments(InfluxWrite)
            || (context.GetEndpoint() is RouteEndpoint { RoutePattern.RawText: { } pattern }
                && new PathString(pattern.StartsWith('/') ? pattern : "/" + pattern).StartsWithSegments(InfluxWrite));
    }

    // A loop, not Any(path.StartsWithSegments): that allocates a delegate on every request.
    private static bool StartsWithAny(PathString path, PathString[] prefixes)
    {
        foreach (var prefix in prefixes)
        {
            if (path.StartsWithSegments(prefix))
            {
                return true;
            }
        }

        return false;
    }

    private static RouteAccess Stricter(RouteAccess a, RouteAccess b) =>
        a == b ? a
        : a == RouteAccess.Public ? b
        : b == RouteAccess.Public ? a
        : RouteAccess.Admin;
}
