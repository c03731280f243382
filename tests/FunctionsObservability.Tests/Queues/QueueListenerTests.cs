using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Azure.Storage.Queues;
using Microsoft.Extensions.DependencyInjection;
using FunctionsObservability.Functions.Queues;
using FunctionsObservability.Functions.Standalone.Queues;
using FunctionsObservability.Functions.Worker;
using FunctionsObservability.Pipeline.Storage;
using FunctionsObservability.Tests.Infrastructure;

namespace FunctionsObservability.Tests.Queues;

/// <summary>The standalone queue listener against a real Azurite.</summary>
public sealed class QueueListenerTests
{
    private static readonly long Seconds = MeshFixture.BaseSeconds;

    private static QueueClient Producer(AzuriteServer azurite, string queue = "metrics-ingest", QueueMessageEncoding encoding = QueueMessageEncoding.Base64)
    {
        var client = new QueueClient(azurite.ConnectionString, queue, new QueueClientOptions { MessageEncoding = encoding });
        client.CreateIfNotExists();
        return client;
    }

    private static Task<ServiceHost> StartServiceAsync(AzuriteServer azurite, string? dataDirectory = null) =>
        ServiceHost.StartAsync(new Dictionary<string, string> { ["AzureWebJobsStorage"] = azurite.ConnectionString }, dataDirectory);

    private static long Points(ServiceHost host, string metric) => host.Service<SeriesCatalog>().ForMetric(metric).Sum(s => s.PointCount);

    private static async Task WaitForAsync(Func<bool> condition, string what)
    {
        var deadline = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(deadline.Elapsed < TimeSpan.FromSeconds(90), $"timed out waiting for {what}");
            await Task.Delay(50);
        }
    }

    private static string Batch(int message, int points)
    {
        var body = new StringBuilder();
        for (var i = 0; i < points; i++)
        {
            body.Append(CultureInfo.InvariantCulture, $"qe,producer=p{message % 7},slot=s{i} v={(message * points) + i} {Seconds - message}\n");
        }

        return JsonSerializer.Serialize(new { contentType = "text/plain", precision = "s", payload = body.ToString() });
    }

    [Fact]
    public async Task Listener_TenThousandPointsInAHundredMessages_AreAllQueryableExactlyOnce()
    {
        await using var azurite = await AzuriteServer.StartAsync();
        var producer = Producer(azurite);
        await using var host = await StartServiceAsync(azurite);

        await Task.WhenAll(Enumerable.Range(0, 100).Select(m => producer.SendMessageAsync(Batch(m, 100))));
        await WaitForAsync(() => Points(host, "qe_v") >= 10_000, "10,000 points");

        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/query/points?metric=qe_v");
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/x-ndjson"));
        using var response = await host.Client.SendAsync(request);
        var lines = (await response.Content.ReadAsStringAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var values = lines.Select(l => JsonDocument.Parse(l).RootElement.GetProperty("value").GetDouble()).ToList();
        Assert.Equal(10_000, values.Count);
        Assert.Equal(10_000, values.Distinct().Count());
        await WaitForAsync(() => producer.GetProperties().Value.ApproximateMessagesCount == 0, "the queue to be empty");
    }

    [Fact]
    public async Task Listener_MessagesThatCanNeverSucceed_EndInThePoisonQueueWithTheirReason()
    {
        await using var azurite = await AzuriteServer.StartAsync();
        var raw = Producer(azurite, encoding: QueueMessageEncoding.None);
        var producer = Producer(azurite);
        var poison = Producer(azurite, "metrics-ingest-poison");
        await using var host = await StartServiceAsync(azurite);

        await raw.SendMessageAsync("this is not base64 at all!");
        await producer.SendMessageAsync("every line here is bad");
        await WaitForAsync(() => poison.GetProperties().Value.ApproximateMessagesCount >= 2, "two poison messages");

        var reasons = (await poison.ReceiveMessagesAsync(10)).Value
            .Select(m => JsonDocument.Parse(m.Body.ToString()).RootElement.GetProperty("reason").GetString())
            .Order(StringComparer.Ordinal)
            .ToList();
        Assert.Equal(2, reasons.Count);
        Assert.Contains(reasons, r => r!.Contains("no line was valid", StringComparison.Ordinal));
        Assert.Contains(reasons, r => r!.Contains("not valid Base64", StringComparison.Ordinal));
        await WaitForAsync(() => producer.GetProperties().Value.ApproximateMessagesCount == 0, "the main queue to be empty");
    }

    [Fact]
    public async Task Listener_MessageThatKeepsFailingTransiently_IsRetriedThenPoisonedAfterMaxDequeueCount()
    {
        await using var azurite = await AzuriteServer.StartAsync();
        var producer = Producer(azurite);
        var poison = Producer(azurite, "metrics-ingest-poison");
        var settings = new Dictionary<string, string>(ServiceHost.TinyMeshSettings()) { ["AzureWebJobsStorage"] = azurite.ConnectionString };

        // The host.json values, with a short visibility timeout and two deliveries, so the retry
        // cycle fits in a test.
        await using var host = await ServiceHost.StartAsync(settings, configure: builder =>
        {
            builder.Services.AddSingleton(new QueueTriggerSettings { VisibilityTimeout = TimeSpan.FromSeconds(1), MaxDequeueCount = 2 });
        });
        var writer = host.Service<PointWriter>();
        await writer.Gate.WaitAsync();
        try
        {
            await host.FillMeshUntilRefusedAsync(Seconds);

            await producer.SendMessageAsync(Batch(1, 10));
            await WaitForAsync(() => poison.GetProperties().Value.ApproximateMessagesCount >= 1, "the poison message");

            var record = JsonDocument.Parse((await poison.ReceiveMessageAsync()).Value.Body.ToString()).RootElement;
            Assert.Equal(2, record.GetProperty("dequeueCount").GetInt32());
            Assert.Contains("not committed after 2 deliveries", record.GetProperty("reason").GetString(), StringComparison.Ordinal);
            await WaitForAsync(() => producer.GetProperties().Value.ApproximateMessagesCount == 0, "the main queue to be empty");
        }
        finally
        {
            writer.Gate.Release();
        }

        Assert.Equal(0, Points(host, "qe_v"));
    }

    [Fact]
    public async Task Listener_MessageRedeliveredAfterItsCommit_IsNotDuplicated()
    {
        await using var azurite = await AzuriteServer.StartAsync();
        var producer = Producer(azurite);
        await using var host = await StartServiceAsync(azurite);
        var message = Batch(1, 10);

        var receipt = (await producer.SendMessageAsync(message)).Value;
        await WaitForAsync(() => Points(host, "qe_v") == 10, "the first delivery");

        // The same message again, as the Functions host delivers it after a crash between commit and
        // delete: the function completes (so the host deletes it) and writes nothing twice.
        var function = new IngestQueueFunction(host.Service<QueueMessageProcessor>());
        var poison = await function.RunAsync(message, receipt.MessageId, dequeueCount: 2, CancellationToken.None);

        Assert.Null(poison);
        Assert.Equal(10, Points(host, "qe_v"));
    }

    [Fact]
    public async Task Listener_AzuriteStoppedAndRestarted_RecoversAndLosesNothing()
    {
        await using var azurite = await AzuriteServer.StartAsync();
        var producer = Producer(azurite);
        await using var host = await StartServiceAsync(azurite);

        for (var m = 0; m < 5; m++)
        {
            await producer.SendMessageAsync(Batch(m, 20));
        }

        await WaitForAsync(() => Points(host, "qe_v") == 100, "the messages sent before the outage");
        await azurite.StopAsync();
        var status = host.Service<QueueListenerStatus>();
        await WaitForAsync(() => status.Failures > 0, "the listener to notice the outage");
        var ready = await host.GetJsonAsync("/api/health/ready");
        Assert.Equal("storage unreachable", ready.GetProperty("queueListener").GetString());
        await azurite.RestartAsync();

        // Azurite saves its metadata lazily, so a killed Azurite may come back without the queue;
        // the listener then recreates it, and so does the producer.
        await producer.CreateIfNotExistsAsync();
        for (var m = 5; m < 10; m++)
        {
            await producer.SendMessageAsync(Batch(m, 20));
        }

        await WaitForAsync(() => Points(host, "qe_v") == 200, "the messages sent after the outage");
        Assert.True(host.Service<FunctionsObservability.Pipeline.Ingest.IngestPipeline>().IsWriterRunning);
        await WaitForAsync(() => status.Reachable, "the listener to report storage reachable again");
    }
}
