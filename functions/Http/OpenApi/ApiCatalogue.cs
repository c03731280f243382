using FunctionsObservability.Functions.Standalone.Security;
using Microsoft.OpenApi;

namespace FunctionsObservability.Functions.Http.OpenApi;

/// <summary>
/// What the OpenAPI document says about each route of <see cref="Routes"/>, keyed by the route
/// constant: the one place a route's parameters, bodies and statuses are described. The routes are
/// <c>RequestDelegate</c>s that read the query themselves, so the generator cannot infer any of it.
/// </summary>
internal static partial class ApiCatalogue
{
    public const string Json = "application/json";
    public const string NdJson = "application/x-ndjson";

    private static readonly Dictionary<string, ApiRoute> ByRoute = new ApiRoute[]
    {
        Ingest(), InfluxWrite(), PrometheusWrite(), OtlpMetrics(),
        QueryPoints(), QueryAggregate(), Metrics(), MetricTags(), Tail(),
        PromQuery(), PromQueryRange(), PromSeries(), PromLabels(), PromLabelValues(), PromMetadata(), PromBuildInfo(),
        Health(), HealthReady(),
        Archive(Routes.ArchiveAdmin, "Ops"), Archive(Routes.StandaloneArchiveAdmin, "Admin"),
        Explorer(), ExplorerAsset(),
        Scrape(),
    }.ToDictionary(r => r.Route, StringComparer.Ordinal);

    public static IReadOnlyCollection<ApiRoute> All => ByRoute.Values;

    /// <summary>The description of <paramref name="route"/> (a <see cref="Routes"/> constant); throws for a route nobody described.</summary>
    public static ApiRoute Find(string route) =>
        ByRoute.TryGetValue(route, out var described)
            ? described
            : throw new KeyNotFoundException($"route \"{route}\" has no description in {nameof(ApiCatalogue)}; add one there");

    // Parameters several routes share. Properties, not fields: the order in which fields of the partial
    // files are initialised is not defined, and ByRoute's initialiser needs these.
    private static ApiParameter Metric => new("metric", ParameterLocation.Query, "The metric's name (exact).", ApiType.Text, Required: true);

    private static ApiParameter Tag => new("tag", ParameterLocation.Query,
        "A tag filter key:value; may repeat; filters are exact and ANDed.", ApiType.Text, Repeats: true);

    private static ApiParameter Time(string name, string meaning, bool required = false) =>
        new(name, ParameterLocation.Query, $"{meaning}: an RFC 3339 time (2026-01-31T12:00:00Z) or Unix epoch milliseconds.", ApiType.Text, required);

    // Answers several routes share; the error body is the service's own unless a route passes InfluxDB's.
    private static ApiContent[] ErrorBody(string schema = ApiSchemas.Error) => [new(Json, schema)];

    private static ApiResponse Unauthorized(string schema = ApiSchemas.Error) =>
        new(401, "Keys are configured and the request carries none, or one that does not open this route.", ErrorBody(schema));

    private static ApiResponse RateLimited(string schema = ApiSchemas.Error, string also = "") =>
        new(429, "The caller's rate limit is spent" + also + ". Retry after Retry-After seconds.", ErrorBody(schema), RetryAfter: true);

    private static ApiResponse InternalError(string when, string schema = ApiSchemas.Error) => new(500, when, ErrorBody(schema));

    private static ApiResponse BadQueryParameter => new(400, "A parameter is missing or bad, or a cap is exceeded; parameter names it.", ErrorBody());

    private static ApiResponse UnknownMetric => new(404,
        "The metric has no points; error lists metrics with a similar name, and parameter is metric.", ErrorBody());

    /// <summary>The statuses every query route shares after its own 200, 400 and 404.</summary>
    private static ApiResponse[] QueryRefusals() =>
    [
        Unauthorized(),
        RateLimited(also: " (RateLimits:Query)"),
        InternalError("The store is damaged (error gives DuckDB's message), or an unexpected failure."),
        new(503, "Every Query:MaxConcurrentQueries slot stayed busy, or an archived file could not be fetched.", ErrorBody(), RetryAfter: true),
        new(504, "The query ran longer than Query:TimeoutSeconds; DuckDB was interrupted.", ErrorBody()),
    ];

    private static ApiOperation Get(string id, string summary, string description, RouteAccess access, ApiParameter[] parameters, params ApiResponse[] responses) =>
        new(HttpMethods.Get, id, summary, description, access, parameters, null, responses);
}
