using System.Net;
using System.Text;
using System.Text.Json;
using FunctionsObservability.Pipeline.Storage;
using FunctionsObservability.Tests.Infrastructure;

namespace FunctionsObservability.Tests.CustomHandler;

/// <summary>A redelivered queue message or a retried request with an Idempotency-Key writes its points once.</summary>
public sealed class ExactlyOnceTests
{
    private static readonly long Seconds = MeshFixture.BaseSeconds;

    private static string Invocation(string message, string id) => JsonSerializer.Serialize(new
    {
        Data = new { message },
        Metadata = new { Id = id, DequeueCount = 1 },
    });

    private static async Task<(HttpStatusCode Status, string Body)> InvokeAsync(ServiceHost host, string message, string id)
    {
        using var content = new StringContent(Invocation(message, id), Encoding.UTF8, "application/json");
        using var response = await host.Client.PostAsync("/IngestQueue", content);
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    private static long Points(ServiceHost host, string metric) => host.Service<SeriesCatalog>().ForMetric(metric).Sum(s => s.PointCount);

    [Fact]
    public async Task IngestQueue_SameMessageDeliveredTwice_WritesItsPointsOnce()
    {
        await using var host = await ServiceHost.StartAsync();
        var message = $"once,host=a v=1 {Seconds}000000000\nonce,host=b v=2 {Seconds}000000000\n";

        var first = await InvokeAsync(host, message, "msg-1");
        var second = await InvokeAsync(host, message, "msg-1");
        var other = await InvokeAsync(host, message, "msg-2");

        Assert.Equal(HttpStatusCode.OK, first.Status);
        Assert.Equal(HttpStatusCode.OK, second.Status);
        Assert.Contains("already committed", second.Body, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, other.Status);
        Assert.Equal(4, Points(host, "once_v"));
    }

    [Fact]
    public async Task IngestQueue_TwoDeliveriesInFlightAtOnce_WriteThePointsOnce()
    {
        await using var host = await ServiceHost.StartAsync();
        var message = $"race v=1 {Seconds}000000000\n";

        var results = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => InvokeAsync(host, message, "msg-race")));

        Assert.All(results, r => Assert.Equal(HttpStatusCode.OK, r.Status));
        Assert.Equal(1, Points(host, "race_v"));
        Assert.Equal(7, results.Count(r => r.Body.Contains("already committed", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task IngestQueue_RedeliveredAfterARestart_IsStillNotDuplicated()
    {
        var host = await ServiceHost.StartAsync();
        var message = $"restart v=1 {Seconds}000000000\n";
        Assert.Equal(HttpStatusCode.OK, (await InvokeAsync(host, message, "msg-crash")).Status);

        // The host never saw the answer (crash after the commit) and delivers the message again.
        await host.StopAsync();
        await using var reopened = await ServiceHost.StartAsync(dataDirectory: host.DataDirectory);
        var again = await InvokeAsync(reopened, message, "msg-crash");

        Assert.Contains("already committed", again.Body, StringComparison.Ordinal);
        Assert.Equal(1, Points(reopened, "restart_v"));
        await host.DisposeAsync();
    }

    [Fact]
    public async Task Ingest_SameIdempotencyKeyTwice_WritesOnceAndSaysSo()
    {
        await using var host = await ServiceHost.StartAsync();

        async Task<HttpResponseMessage> PostAsync(string path, string key)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent($"idem v=1 {Seconds}\n", Encoding.UTF8, "text/plain") };
            request.Headers.Add("Idempotency-Key", key);
            return await host.Client.SendAsync(request);
        }

        using var first = await PostAsync("/api/ingest?precision=s", "k-1");
        using var second = await PostAsync("/api/ingest?precision=s", "k-1");
        using var influxFirst = await PostAsync("/api/v2/write?precision=s", "k-2");
        using var influxSecond = await PostAsync("/api/v2/write?precision=s", "k-2");
        var secondBody = JsonDocument.Parse(await second.Content.ReadAsStringAsync()).RootElement;

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        Assert.True(secondBody.GetProperty("alreadyWritten").GetBoolean());
        Assert.Equal(0, secondBody.GetProperty("pointsWritten").GetInt32());
        Assert.Equal(HttpStatusCode.NoContent, influxFirst.StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, influxSecond.StatusCode);
        Assert.Equal(2, Points(host, "idem_v"));
    }

    [Fact]
    public async Task Ingest_OverlongIdempotencyKey_Gets400()
    {
        await using var host = await ServiceHost.StartAsync();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/ingest") { Content = new StringContent($"idem v=1 {Seconds}000000000\n") };
        request.Headers.Add("Idempotency-Key", new string('k', 201));

        using var response = await host.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("Idempotency-Key", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }
}
