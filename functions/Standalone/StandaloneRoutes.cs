using FunctionsObservability.Functions.Http;
using FunctionsObservability.Functions.Http.OpenApi;
using FunctionsObservability.Functions.Http.Prometheus;

namespace FunctionsObservability.Functions.Standalone;

/// <summary>
/// The standalone app's endpoints: the same routes and handlers as the HTTP functions in <c>Worker/</c>.
/// Each is described for the OpenAPI document by its entry in <see cref="ApiCatalogue"/>.
/// </summary>
internal static class StandaloneRoutes
{
    public static void MapRoutes(this IEndpointRouteBuilder routes)
    {
        routes.MapPost(Routes.Path(Routes.Ingest), IngestEndpoints.IngestAsync).Describe(Routes.Ingest);
        routes.MapPost(Routes.Path(Routes.InfluxWrite), IngestEndpoints.InfluxWriteAsync).Describe(Routes.InfluxWrite);
        routes.MapPost(Routes.Path(Routes.PrometheusWrite), IngestEndpoints.PrometheusWriteAsync).Describe(Routes.PrometheusWrite);
        routes.MapPost(Routes.Path(Routes.OtlpMetrics), IngestEndpoints.OtlpMetricsAsync).Describe(Routes.OtlpMetrics);
        routes.MapPost(Routes.StandaloneOtlpMetricsPath, IngestEndpoints.OtlpMetricsAsync).Describe(Routes.OtlpMetrics);
        routes.MapGet(Routes.Path(Routes.QueryPoints), QueryEndpoints.PointsAsync).Describe(Routes.QueryPoints);
        routes.MapGet(Routes.Path(Routes.QueryAggregate), QueryEndpoints.AggregateAsync).Describe(Routes.QueryAggregate);
        routes.MapGet(Routes.Path(Routes.Metrics), QueryEndpoints.MetricsAsync).Describe(Routes.Metrics);
        routes.MapGet(Routes.Path(Routes.MetricTags), context => QueryEndpoints.TagsAsync(context, (string)context.Request.RouteValues["metric"]!))
            .Describe(Routes.MetricTags);
        routes.MapGet(Routes.Path(Routes.Tail), TailEndpoints.TailAsync).Describe(Routes.Tail);
        string[] getOrPost = [HttpMethods.Get, HttpMethods.Post];
        routes.MapMethods(Routes.Path(Routes.PromQuery), getOrPost, PromQueryEndpoints.InstantAsync).Describe(Routes.PromQuery);
        routes.MapMethods(Routes.Path(Routes.PromQueryRange), getOrPost, PromQueryEndpoints.RangeAsync).Describe(Routes.PromQueryRange);
        routes.MapMethods(Routes.Path(Routes.PromSeries), getOrPost, PromMetadataEndpoints.SeriesAsync).Describe(Routes.PromSeries);
        routes.MapMethods(Routes.Path(Routes.PromLabels), getOrPost, PromMetadataEndpoints.LabelsAsync).Describe(Routes.PromLabels);
        routes.MapGet(Routes.Path(Routes.PromLabelValues), context => PromMetadataEndpoints.LabelValuesAsync(context, (string)context.Request.RouteValues["name"]!))
            .Describe(Routes.PromLabelValues);
        routes.MapGet(Routes.Path(Routes.PromMetadata), PromMetadataEndpoints.MetadataAsync).Describe(Routes.PromMetadata);
        routes.MapGet(Routes.Path(Routes.PromBuildInfo), PromMetadataEndpoints.BuildInfoAsync).Describe(Routes.PromBuildInfo);
        routes.MapGet("/", ExplorerEndpoints.PageAsync).Describe(Routes.Explorer);
        routes.MapGet(Routes.Path(Routes.Explorer), ExplorerEndpoints.PageAsync).Describe(Routes.Explorer);
        routes.MapGet(Routes.Path(Routes.ExplorerAsset), context => ExplorerEndpoints.AssetAsync(context, context.Request.RouteValues["asset"] as string))
            .Describe(Routes.ExplorerAsset);
        routes.MapGet(Routes.Path(Routes.Health), HealthEndpoints.AliveAsync).Describe(Routes.Health);
        routes.MapGet(Routes.Path(Routes.HealthReady), HealthEndpoints.ReadyAsync).Describe(Routes.HealthReady);
        foreach (var route in new[] { Routes.ArchiveAdmin, Routes.StandaloneArchiveAdmin })
        {
            routes.MapMethods(Routes.Path(route), [HttpMethods.Get, HttpMethods.Post], AdminArchiveEndpoints.HandleAsync).Describe(route);
        }
    }
}
