using FunctionsObservability.Functions.Standalone.Security;
using Microsoft.OpenApi;

namespace FunctionsObservability.Functions.Http.OpenApi;

/// <summary>Health (<see cref="HealthEndpoints"/>), archive admin (<see cref="AdminArchiveEndpoints"/>), the explorer page and the scrape endpoint.</summary>
internal static partial class ApiCatalogue
{
    private static ApiRoute Health() => new(Routes.Health, "Health",
    [
        Get("health", "Liveness", "Answers while the process serves HTTP. No key.", RouteAccess.Public, [],
            new ApiResponse(200, "Alive.", [new(Json, ApiSchemas.Alive)])),
    ]);

    private static ApiRoute HealthReady() => new(Routes.HealthReady, "Health",
    [
        Get("healthReady", "Readiness, with the writer, storage and memory figures",
            "200 when the writer runs and accepts writes and the disk takes them, else 503 with the same body. No key.",
            RouteAccess.Public, [],
            new(200, "Ready.", [new(Json, ApiSchemas.Readiness)]),
            new(503, "Not ready: the writer is draining or stopped, the disk is full, or the store is damaged.", [new(Json, ApiSchemas.Readiness)])),
    ]);

    /// <summary>
    /// The same handlers answer at <c>/api/ops/archive</c> (the only spelling under the Functions host, which
    /// reserves routes starting with <c>admin</c>) and at <c>/api/admin/archive</c> (standalone only).
    /// </summary>
    private static ApiRoute Archive(string route, string idSuffix) => new(route, "Archive",
    [
        Get("showArchive" + idSuffix, "The archive manifest",
            "Totals, then each partition (metric and hour) with its Parquet files. Key: an admin key.",
            RouteAccess.Admin,
            [
                new("metric", ParameterLocation.Query, "Only this metric's partitions.", ApiType.Text),
                new("limit", ParameterLocation.Query, "Partitions listed, 1 to 10000.", ApiType.WholeNumber with { Default = "1000" }),
            ],
            new(200, "The manifest.", [new(Json, ApiSchemas.ArchiveManifest)]),
            new(400, "A bad limit; parameter names it.", ErrorBody()),
            Unauthorized(),
            RateLimited(also: " (RateLimits:Query)")),
        new(HttpMethods.Post, "runArchive" + idSuffix, "Archive to Parquet now",
            "Runs the archive job: points older than the hot window move to Parquet, at most Archive:MaxPartitionsPerRun partitions per run. "
            + "With Accept: application/x-ndjson the run streams one line per partition as it is committed, then the summary line; once a "
            + "line went out the status is 200 and the summary's event tells how the run ended. Key: an admin key.",
            RouteAccess.Admin,
            [new("untilDone", ParameterLocation.Query, "true: run back to back (up to 1000 runs) until nothing is pending.", ApiType.Flag with { Default = "false" })],
            null,
            [
                new(200, "The run completed (JSON), or the NDJSON progress and summary.",
                    [new(Json, ApiSchemas.ArchiveRun), new(NdJson, ApiSchemas.ArchiveProgress)]),
                new(400, "untilDone is not true or false; parameter names it.", ErrorBody()),
                Unauthorized(),
                new(409, "A run is already going; nothing was done.", [new(Json, ApiSchemas.ArchiveRun)], RetryAfter: true),
                RateLimited(also: " (RateLimits:Query)"),
                new(503, "The run failed, or some partitions failed (they stay in DuckDB and are retried).", [new(Json, ApiSchemas.ArchiveRun)], RetryAfter: true),
            ]),
    ]);

    private static ApiRoute Explorer() => new(Routes.Explorer, "Explorer",
    [
        Get("explorer", "The explorer page (HTML)",
            "A page to browse metrics, chart aggregates and tail points; it calls the API with the key the user gives it. "
            + "Not an API: the page holds no data. No key.",
            RouteAccess.Public, [],
            new ApiResponse(200, "The page.", [new("text/html", null)])),
    ]);

    /// <summary>Served by OpenTelemetry's Prometheus exporter (Telemetry/TelemetryServices), standalone only.</summary>
    private static ApiRoute Scrape() => new(Routes.Scrape, "Telemetry",
    [
        Get("scrapeTelemetry", "The service's own metrics, in Prometheus text format",
            "The service's meters (ingest, queries, storage, queues, rate limits, live tail, archive) with ASP.NET Core's, Kestrel's and the runtime's, "
            + "for a Prometheus scrape job. Not the stored metrics: those are at /api/metrics. Standalone only; not rate limited. "
            + "Key: a metrics key (Auth:MetricsKeys) or an admin key, as Authorization: Bearer <key> (Prometheus's authorization setting), x-functions-key or ?code=. "
            + "With no key configured it is open, like every route.",
            RouteAccess.Telemetry, [],
            new ApiResponse(200, "The metrics.", [new("text/plain", null), new("application/openmetrics-text", null)]),
            Unauthorized()),
    ]);

    private static ApiRoute ExplorerAsset() => new(Routes.ExplorerAsset, "Explorer",
    [
        Get("explorerAsset", "A script, style sheet or image of the explorer page", "Served by the service itself. No key.",
            RouteAccess.Public,
            [new("asset", ParameterLocation.Path, "The asset's file name.", ApiType.Text, Required: true)],
            new(200, "The asset, with its own Content-Type.", [new("text/javascript", null), new("text/css", null)]),
            new(404, "No such asset.", ErrorBody())),
    ]);
}
