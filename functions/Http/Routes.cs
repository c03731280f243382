namespace FunctionsObservability.Functions.Http;

/// <summary>
/// Every HTTP route, written once. The <c>[Function]</c> triggers take them as they are (the host adds
/// the <see cref="Prefix"/> from host.json); the standalone app maps <c>/api/</c> plus the same text,
/// and its key and rate-limit rules classify requests by them.
/// </summary>
internal static class Routes
{
    /// <summary>host.json's <c>extensions.http.routePrefix</c>.</summary>
    public const string Prefix = "api";

    public const string Ingest = "ingest";
    public const string InfluxWrite = "v2/write";

    /// <summary>Prometheus remote_write 1.0 (<c>/api/v1/write</c>).</summary>
    public const string PrometheusWrite = "v1/write";

    // The Prometheus HTTP API (/api/v1/...), which Grafana's Prometheus data source calls.
    public const string PromQuery = "v1/query";
    public const string PromQueryRange = "v1/query_range";
    public const string PromSeries = "v1/series";
    public const string PromLabels = "v1/labels";
    public const string PromLabelValues = "v1/label/{name}/values";
    public const string PromMetadata = "v1/metadata";
    public const string PromBuildInfo = "v1/status/buildinfo";

    /// <summary>
    /// OTLP/HTTP metrics. An OTLP exporter appends <c>/v1/metrics</c> to its endpoint, so the standalone
    /// app also serves <see cref="StandaloneOtlpMetricsPath"/>; under the Functions host the endpoint is <c>https://app/api</c>.
    /// </summary>
    public const string OtlpMetrics = "v1/metrics";

    public const string QueryPoints = "query/points";
    public const string QueryAggregate = "query/aggregate";
    public const string Metrics = "metrics";
    public const string MetricTags = "metrics/{metric}/tags";

    /// <summary>The live tail: Server-Sent Events of committed points, with the query routes' keys and limits.</summary>
    public const string Tail = "tail";

    /// <summary>
    /// The explorer page and its assets (<c>/api/ui</c>, <c>/api/ui/assets/...</c>); the standalone app
    /// also serves the page at <c>/</c>. Under the Functions host every HTTP route sits under the prefix.
    /// </summary>
    public const string Explorer = "ui";

    public const string ExplorerAsset = "ui/assets/{*asset}";
    public const string Health = "health";
    public const string HealthReady = "health/ready";

    /// <summary>
    /// The archive admin routes. The Functions host reserves every route that starts with <c>admin</c>,
    /// even under the prefix, so the function answers at <c>ops/archive</c>; the standalone app serves both.
    /// </summary>
    public const string ArchiveAdmin = "ops/archive";

    public const string StandaloneArchiveAdmin = "admin/archive";

    /// <summary>
    /// The service's own telemetry in Prometheus text format: standalone only, at the root and not under
    /// the prefix (<see cref="Metrics"/> already lists the stored metrics at <c>/api/metrics</c>). Under the
    /// Functions host the service's meters go out by push (Azure Monitor, OTLP) instead.
    /// </summary>
    public const string Scrape = "/metrics";

    /// <summary>OTLP's default path, outside <c>/api</c>: an exporter whose endpoint is <c>http://host:port</c> posts here.</summary>
    public static string StandaloneOtlpMetricsPath => "/" + OtlpMetrics;

    /// <summary>The path the standalone app maps for a route: <c>/api/&lt;route&gt;</c>.</summary>
    public static string Path(string route) => $"/{Prefix}/{route}";
}
