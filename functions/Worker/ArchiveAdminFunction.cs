using FunctionsObservability.Functions.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace FunctionsObservability.Functions.Worker;

/// <summary>Runs an archive now (POST) or shows the manifest (GET); the admin (master) key only.</summary>
internal sealed class ArchiveAdminFunction
{
    [Function("ArchiveAdmin")]
    public async Task<IActionResult> RunAsync([HttpTrigger(AuthorizationLevel.Admin, "get", "post", Route = Routes.ArchiveAdmin)] HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        await AdminArchiveEndpoints.HandleAsync(request.HttpContext).ConfigureAwait(false);
        return WrittenResponse.Instance;
    }
}
