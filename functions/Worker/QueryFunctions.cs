using FunctionsObservability.Functions.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace FunctionsObservability.Functions.Worker;

/// <summary>The query and catalog routes under the Functions host.</summary>
internal sealed class QueryFunctions
{
    [Function("QueryPoints")]
    public async Task<IActionResult> PointsAsync([HttpTrigger(AuthorizationLevel.Function, "get", Route = Routes.QueryPoints)] HttpRequest request)
    {
        await QueryEndpoints.PointsAsync(Context(request)).ConfigureAwait(false);
        return WrittenResponse.Instance;
    }

    [Function("QueryAggregate")]
    public async Task<IActionResult> AggregateAsync([HttpTrigger(AuthorizationLevel.Function, "get", Route = Routes.QueryAggregate)] HttpRequest request)
    {
        await QueryEndpoints.AggregateAsync(Context(request)).ConfigureAwait(false);
        return WrittenResponse.Instance;
    }

    [Function("Metrics")]
    public async Task<IActionResult> MetricsAsync([HttpTrigger(AuthorizationLevel.Function, "get", Route = Routes.Metrics)] HttpRequest request)
    {
        await QueryEndpoints.MetricsAsync(Context(request)).ConfigureAwait(false);
        return WrittenResponse.Instance;
    }

    /// <summary>The host passes route values as trigger metadata, which binds <paramref name="metric"/>.</summary>
    [Function("MetricTags")]
    public async Task<IActionResult> TagsAsync([HttpTrigger(AuthorizationLevel.Function, "get", Route = Routes.MetricTags)] HttpRequest request, string metric)
    {
        await QueryEndpoints.TagsAsync(Context(request), metric).ConfigureAwait(false);
        return WrittenResponse.Instance;
    }

    /// <summary>The live tail streams through the host's ASP.NET Core integration, which passes the response through as it is written.</summary>
    [Function("Tail")]
    public async Task<IActionResult> TailAsync([HttpTrigger(AuthorizationLevel.Function, "get", Route = Routes.Tail)] HttpRequest request)
    {
        await TailEndpoints.TailAsync(Context(request)).ConfigureAwait(false);
        return WrittenResponse.Instance;
    }

    private static HttpContext Context(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return request.HttpContext;
    }
}
