using System.Globalization;
using System.Net;
using System.Text;
using FunctionsObservability.Tests.WorkerProtocol.Rpc;

namespace FunctionsObservability.Tests.WorkerProtocol;

/// <summary>
/// The live tail under the Functions host: the stream goes through the worker's ASP.NET Core
/// integration as it is written (nothing buffers it until the end), and the invocation ends
/// cleanly when the client leaves.
/// </summary>
[Collection(WorkerCollection.Name)]
public sealed class WorkerTailTests(WorkerFixture fixture)
{
    private WorkerHarness Worker => fixture.Worker;

    [Fact]
    public async Task Tail_streams_committed_points_through_the_worker_and_ends_when_the_client_leaves()
    {
        using var timeout = new CancellationTokenSource(WorkerHarness.InvocationTimeout * 2);
        var metric = "tw" + Guid.NewGuid().ToString("N")[..8];
        var at = DateTimeOffset.UtcNow.ToUnixTimeSeconds() - 600;
        var seed = await Worker.InvokeHttpAsync("Ingest", HttpMethod.Post, "/api/ingest?precision=s",
            string.Create(CultureInfo.InvariantCulture, $"{metric},host=a v=1 {at}\n"), "text/plain", null, timeout.Token);
        Assert.True(seed.Http.StatusCode == HttpStatusCode.OK, Worker.Describe(seed));

        var (invocation, response) = await Worker.InvokeHttpStreamAsync("Tail", $"/api/tail?metric={metric}_v", timeout.Token);
        using (response)
        {
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{(int)response.StatusCode}\n{Worker.Log}");
            Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
            using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(timeout.Token), Encoding.UTF8);

            // The preamble arrives before any point: the response is not held back until the function returns.
            Assert.Equal("retry: 2000", await reader.ReadLineAsync(timeout.Token));

            var written = await Worker.InvokeHttpAsync("Ingest", HttpMethod.Post, "/api/ingest?precision=s",
                string.Create(CultureInfo.InvariantCulture, $"{metric},host=a v=42 {at + 1}\n"), "text/plain", null, timeout.Token);
            Assert.True(written.Http.StatusCode == HttpStatusCode.OK, Worker.Describe(written));

            string? line;
            do
            {
                line = await reader.ReadLineAsync(timeout.Token);
            }
            while (line is not null && !line.StartsWith("data: ", StringComparison.Ordinal));

            Assert.NotNull(line);
            Assert.Contains($"\"metric\":\"{metric}_v\"", line, StringComparison.Ordinal);
            Assert.Contains("\"value\":42", line, StringComparison.Ordinal);
        }

        // The client left: the function sees the request aborted and the invocation completes.
        var answer = await invocation.WaitAsync(timeout.Token);
        Assert.True(answer.Result.Status == StatusResult.Types.Status.Success, $"{answer.Result}\n{Worker.Log}");
    }
}
