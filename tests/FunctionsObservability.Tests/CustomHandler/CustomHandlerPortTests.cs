using System.Net;
using FunctionsObservability.Tests.Infrastructure;

namespace FunctionsObservability.Tests.CustomHandler;

/// <summary>Under the Functions host, the host picks the port and passes it in FUNCTIONS_CUSTOMHANDLER_PORT.</summary>
public sealed class CustomHandlerPortTests
{
    [Fact]
    public async Task Start_WithCustomHandlerPort_ListensThereOnLoopback()
    {
        using var directory = new TempDirectory();
        var port = ServiceProcess.FreePort();
        using var process = ServiceProcess.Start(
            [$"--Storage:DataDirectory={directory.Path}"],
            new Dictionary<string, string> { ["FUNCTIONS_CUSTOMHANDLER_PORT"] = $"{port}" });
        using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(30) };
        try
        {
            await ServiceProcess.WaitForHealthAsync(client, process);
            var body = System.Text.Json.JsonSerializer.Serialize(new
            {
                Data = new { message = $"port v=1 {MeshFixture.BaseSeconds}000000000" },
                Metadata = new { Id = "p-1", DequeueCount = 1 },
            });
            using var invocation = await client.PostAsync("/IngestQueue", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));

            Assert.Equal(HttpStatusCode.OK, invocation.StatusCode);
            Assert.Contains("1 points committed", await invocation.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }
        finally
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
    }
}
