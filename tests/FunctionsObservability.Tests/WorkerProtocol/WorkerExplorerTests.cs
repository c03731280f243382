using System.Net;
using System.Text.RegularExpressions;
using FunctionsObservability.Tests.WorkerProtocol.Rpc;

namespace FunctionsObservability.Tests.WorkerProtocol;

/// <summary>The explorer under the Functions host: the page at <c>/api/ui</c>, an asset named by the trigger's route value.</summary>
[Collection(WorkerCollection.Name)]
public sealed partial class WorkerExplorerTests(WorkerFixture fixture)
{
    private WorkerHarness Worker => fixture.Worker;

    [Fact]
    public async Task Explorer_page_and_an_asset_are_served_through_the_worker()
    {
        using var timeout = new CancellationTokenSource(WorkerHarness.InvocationTimeout * 2);

        var page = await Worker.InvokeHttpAsync("Explorer", HttpMethod.Get, "/api/ui", null, null, null, timeout.Token);

        Assert.True(page.Http.StatusCode == HttpStatusCode.OK, Worker.Describe(page));
        var script = ScriptReference().Match(page.Http.Body).Groups[1].Value;
        Assert.True(script.Length > 0, Worker.Describe(page));

        var asset = await Worker.InvokeHttpAsync(
            "ExplorerAsset", HttpMethod.Get, "/api/ui/assets/" + script, null, null, new Dictionary<string, string> { ["asset"] = script }, timeout.Token);

        Assert.True(asset.Http.StatusCode == HttpStatusCode.OK, Worker.Describe(asset));
        Worker.Verify(() =>
        {
            Assert.StartsWith("text/javascript", asset.Http.Headers["Content-Type"], StringComparison.Ordinal);
            Assert.Contains("__explorer", asset.Http.Body, StringComparison.Ordinal);
        });
    }

    [GeneratedRegex("\"/api/ui/assets/([^\"]+\\.js)\"")]
    private static partial Regex ScriptReference();
}
