using FunctionsObservability.Functions.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace FunctionsObservability.Functions.Worker;

/// <summary>Liveness and readiness, anonymous so probes need no key.</summary>
internal sealed class HealthFunctions
{
    [Function("Health")]
    public async Task<IActionResult> AliveAsync([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = Routes.Health)] HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        await HealthEndpoints.AliveAsync(request.HttpContext).ConfigureAwait(false);
        return WrittenResponse.Instance;
    }

    [Function("HealthReady")]
    public async Task<IActionResult> ReadyAsync([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = Routes.HealthReady)] HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        await HealthEndpoints.ReadyAsync(request.HttpContext).ConfigureAwait(false);
        return WrittenResponse.Instance;
    }
}
