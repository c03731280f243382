using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace FunctionsObservability.Functions.Http.OpenApi;

/// <summary>The OpenAPI 3.1 document at <see cref="Path"/>: generated from the mapped endpoints, described by <see cref="ApiCatalogue"/>.</summary>
internal static class ApiDocument
{
    public const string Name = "v1";

    /// <summary>Outside <c>/api</c>, so public: the document describes the routes and holds no data.</summary>
    public const string Path = "/openapi/v1.json";

    private const string Overview =
        "A metrics store: write points as InfluxDB line protocol, JSON or NDJSON, read them as pages, streams, aggregates or a live tail. "
        + "Errors are JSON {\"error\": \"...\", \"parameter\": \"...\"} (query routes name the bad parameter); /api/v2/* answers errors in "
        + "InfluxDB's shape {\"code\": \"...\", \"message\": \"...\"}. Every route may also answer 404 (no such route) or 405 (wrong method, "
        + "with Allow) in the same shapes. 429 and 503 carry Retry-After.";

    private static readonly (string Name, string Description)[] Tags =
    [
        ("Ingest", "Write points. A 2xx means committed: synced to disk and readable by the next query."),
        ("InfluxDB", "The InfluxDB v2 write API, for InfluxDB clients and Telegraf."),
        ("Query", "Raw points (pages or NDJSON), aggregates, and the live tail."),
        ("Metrics", "What is stored: metrics and their tags."),
        ("Health", "Liveness and readiness, without a key."),
        ("Archive", "Archive to Parquet now, and the archive manifest. /api/ops/archive is the spelling the Functions host serves."),
        ("Explorer", "The explorer page and its assets: a user interface, not an API."),
        ("Telemetry", "The service's own metrics for Prometheus (standalone only)."),
    ];

    public static IServiceCollection AddApiDocument(this IServiceCollection services) =>
        services.AddOpenApi(Name, options =>
        {
            options.OpenApiVersion = OpenApiSpecVersion.OpenApi3_1;
            options.AddDocumentTransformer((document, _, _) =>
            {
                document.Info = new OpenApiInfo { Title = "FunctionsObservability", Version = Name, Description = Overview };
                document.Components ??= new OpenApiComponents();
                document.Components.Schemas = ApiSchemas.Create(document);
                document.Components.SecuritySchemes = ApiSecurity.Schemes();
                document.Tags = new HashSet<OpenApiTag>(Tags.Select(t => new OpenApiTag { Name = t.Name, Description = t.Description }));
                return Task.CompletedTask;
            });
        });

    public static IEndpointConventionBuilder MapApiDocument(this IEndpointRouteBuilder routes) =>
        routes.MapOpenApi(Path.Replace(Name, "{documentName}", StringComparison.Ordinal));
}
