using FunctionsObservability.Functions.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace FunctionsObservability.Functions.Worker;

/// <summary>The ingest routes under the Functions host; the handlers are the standalone app's.</summary>
internal sealed class IngestFunctions
{
    [Function("Ingest")]
    public async Task<IActionResult> IngestAsync([HttpTrigger(AuthorizationLevel.Function, "post", Route = Routes.Ingest)] HttpRequest request)
    {
        await IngestEndpoints.IngestAsync(Context(request)).ConfigureAwait(false);
        return WrittenResponse.Instance;
    }

    [Function("InfluxWrite")]
    public async Task<IActionResult> InfluxWriteAsync([HttpTrigger(AuthorizationLevel.Function, "post", Route = Routes.InfluxWrite)] HttpRequest request)
    {
        await IngestEndpoints.InfluxWriteAsync(Context(request)).ConfigureAwait(false);
        return WrittenResponse.Instance;
    }

    [Function("PrometheusWrite")]
    public async Task<IActionResult> PrometheusWriteAsync([HttpTrigger(AuthorizationLevel.Function, "post", Route = Routes.PrometheusWrite)] HttpRequest request)
    {
        await IngestEndpoints.PrometheusWriteAsync(Context(request)).ConfigureAwait(false);
        return WrittenResponse.Instance;
    }

    [Function("OtlpMetrics")]
    public async Task<IActionResult> OtlpMetricsAsync([HttpTrigger(AuthorizationLevel.Function, "post", Route = Routes.OtlpMetrics)] HttpRequest request)
    {
        await IngestEndpoints.OtlpMetricsAsync(Context(request)).ConfigureAwait(false);
        return WrittenResponse.Instance;
    }

    private static HttpContext Context(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return request.HttpContext;
    }
}
