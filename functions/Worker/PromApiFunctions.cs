using FunctionsObservability.Functions.Http;
using FunctionsObservability.Functions.Http.Prometheus;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace FunctionsObservability.Functions.Worker;

/// <summary>The Prometheus HTTP API under the Functions host, for Grafana's Prometheus data source at <c>https://app/api</c>.</summary>
internal sealed class PromApiFunctions
{
    [Function("PromQuery")]
    public async Task<IActionResult> QueryAsync([HttpTrigger(AuthorizationLevel.Function, "get", "post", Route = Routes.PromQuery)] HttpRequest request)
    {
        await PromQueryEndpoints.InstantAsync(Context(request)).ConfigureAwait(false);
        return WrittenResponse.Instance;
    }

    [Function("PromQueryRange")]
    public async Task<IActionResult> QueryRangeAsync([HttpTrigger(AuthorizationLevel.Function, "get", "post", Route = Routes.PromQueryRange)] HttpRequest request)
    {
        await PromQueryEndpoints.RangeAsync(Context(request)).ConfigureAwait(false);
        return WrittenResponse.Instance;
    }

    [Function("PromSeries")]
    public async Task<IActionResult> SeriesAsync([HttpTrigger(AuthorizationLevel.Function, "get", "post", Route = Routes.PromSeries)] HttpRequest request)
    {
        await PromMetadataEndpoints.SeriesAsync(Context(request)).ConfigureAwait(false);
        return WrittenResponse.Instance;
    }

    [Function("PromLabels")]
    public async Task<IActionResult> LabelsAsync([HttpTrigger(AuthorizationLevel.Function, "get", "post", Route = Routes.PromLabels)] HttpRequest request)
    {
        await PromMetadataEndpoints.LabelsAsync(Context(request)).ConfigureAwait(false);
        return WrittenResponse.Instance;
    }

    /// <summary>The host passes route values as trigger metadata, which binds <paramref name="name"/>.</summary>
    [Function("PromLabelValues")]
    public async Task<IActionResult> LabelValuesAsync([HttpTrigger(AuthorizationLevel.Function, "get", Route = Routes.PromLabelValues)] HttpRequest request, string name)
    {
        await PromMetadataEndpoints.LabelValuesAsync(Context(request), name).ConfigureAwait(false);
        return WrittenResponse.Instance;
    }

    [Function("PromMetadata")]
    public async Task<IActionResult> MetadataAsync([HttpTrigger(AuthorizationLevel.Function, "get", Route = Routes.PromMetadata)] HttpRequest request)
    {
        await PromMetadataEndpoints.MetadataAsync(Context(request)).ConfigureAwait(false);
        return WrittenResponse.Instance;
    }

    [Function("PromBuildInfo")]
    public async Task<IActionResult> BuildInfoAsync([HttpTrigger(AuthorizationLevel.Function, "get", Route = Routes.PromBuildInfo)] HttpRequest request)
    {
        await PromMetadataEndpoints.BuildInfoAsync(Context(request)).ConfigureAwait(false);
        return WrittenResponse.Instance;
    }

    private static HttpContext Context(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return request.HttpContext;
    }
}
