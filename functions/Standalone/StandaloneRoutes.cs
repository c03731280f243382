using FunctionsObservability.Functions.Http;

namespace FunctionsObservability.Functions.Standalone;

/// <summary>The standalone app's endpoints: the same routes and handlers as the HTTP functions in <c>Worker/</c>.</summary>
internal static class StandaloneRoutes
{
    public static void MapRoutes(this IEndpointRouteBuilder routes)
    {
        routes.MapPost(Routes.Path(Routes.Ingest), IngestEndpoints.IngestAsync);
        routes.MapPost(Routes.Path(Routes.InfluxWrite), IngestEndpoints.InfluxWriteAsync);
        routes.MapGet(Routes.Path(Routes.QueryPoints), QueryEndpoints.PointsAsync);
        routes.MapGet(Routes.Path(Routes.QueryAggregate), QueryEndpoints.AggregateAsync);
        routes.MapGet(Routes.Path(Routes.Metrics), QueryEndpoints.MetricsAsync);
        routes.MapGet(Routes.Path(Routes.MetricTags), context => QueryEndpoints.TagsAsync(context, (string)context.Request.RouteValues["metric"]!));
        routes.MapGet(Routes.Path(Routes.Tail), TailEndpoints.TailAsync);
        routes.MapGet("/", ExplorerEndpoints.PageAsync);
        routes.MapGet(Routes.Path(Routes.Explorer), ExplorerEndpoints.PageAsync);
        routes.MapGet(Routes.Path(Routes.ExplorerAsset), context => ExplorerEndpoints.AssetAsync(context, context.Request.RouteValues["asset"] as string));
        routes.MapGet(Routes.Path(Routes.Health), HealthEndpoints.AliveAsync);
        routes.MapGet(Routes.Path(Routes.HealthReady), HealthEndpoints.ReadyAsync);
        foreach (var route in new[] { Routes.ArchiveAdmin, Routes.StandaloneArchiveAdmin })
        {
            routes.MapMethods(Routes.Path(route), [HttpMethods.Get, HttpMethods.Post], AdminArchiveEndpoints.HandleAsync);
        }
    }
}
