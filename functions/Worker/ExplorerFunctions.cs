using FunctionsObservability.Functions.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace FunctionsObservability.Functions.Worker;

/// <summary>The explorer page and its files under the Functions host (<c>/api/ui</c>); anonymous, since the page's API calls carry the key.</summary>
internal sealed class ExplorerFunctions
{
    [Function("Explorer")]
    public async Task<IActionResult> PageAsync([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = Routes.Explorer)] HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        await ExplorerEndpoints.PageAsync(request.HttpContext).ConfigureAwait(false);
        return WrittenResponse.Instance;
    }

    /// <summary>The host passes route values as trigger metadata, which binds <paramref name="asset"/>.</summary>
    [Function("ExplorerAsset")]
    public async Task<IActionResult> AssetAsync([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = Routes.ExplorerAsset)] HttpRequest request, string asset)
    {
        ArgumentNullException.ThrowIfNull(request);
        await ExplorerEndpoints.AssetAsync(request.HttpContext, asset).ConfigureAwait(false);
        return WrittenResponse.Instance;
    }
}
