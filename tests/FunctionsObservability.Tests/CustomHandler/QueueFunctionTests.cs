using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using FunctionsObservability.Pipeline.Storage;
using FunctionsObservability.Tests.Infrastructure;

namespace FunctionsObservability.Tests.CustomHandler;

/// <summary>The payloads the Functions host sends a custom handler for a queue trigger, and the answers it expects.</summary>
public sealed class QueueFunctionTests
{
    private static readonly long Seconds = MeshFixture.BaseSeconds;

    private static string Invocation(string message, string id = "8a4e3f0c-1d2b-4c5d-9e6f-000000000001", int dequeueCount = 1)
    {
        var now = DateTimeOffset.UtcNow;
        return JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["Data"] = new Dictionary<string, object> { ["message"] = message },
            ["Metadata"] = new Dictionary<string, object>
            {
                ["DequeueCount"] = dequeueCount,
                ["ExpirationTime"] = now.AddDays(7).ToString("O", CultureInfo.InvariantCulture),
                ["Id"] = id,
                ["InsertionTime"] = now.ToString("O", CultureInfo.InvariantCulture),
                ["NextVisibleTime"] = now.AddSeconds(30).ToString("O", CultureInfo.InvariantCulture),
                ["PopReceipt"] = "AgAAAAMAAAAAAAAA",
                ["sys"] = new Dictionary<string, object> { ["MethodName"] = "IngestQueue", ["UtcNow"] = now.ToString("O", CultureInfo.InvariantCulture), ["RandGuid"] = Guid.NewGuid().ToString() },
            },
        });
    }

    private static async Task<(HttpStatusCode Status, JsonElement Body)> InvokeAsync(ServiceHost host, string invocation)
    {
        using var content = new StringContent(invocation, Encoding.UTF8, "application/json");
        using var response = await host.Client.PostAsync("/IngestQueue", content);
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, JsonDocument.Parse(text).RootElement.Clone());
    }

    private static long Points(ServiceHost host, string metric) =>
        host.Service<SeriesCatalog>().ForMetric(metric).Sum(s => s.PointCount);

    [Fact]
    public async Task IngestQueue_LineProtocolMessage_CommitsThenAnswersOutputsLogsReturnValue()
    {
        await using var host = await ServiceHost.StartAsync();
        var message = $"q,host=a v=1 {Seconds}000000000\nq,host=b v=2 {Seconds}000000000\n";

        var (status, body) = await InvokeAsync(host, Invocation(message));

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(JsonValueKind.Object, body.GetProperty("Outputs").ValueKind);
        Assert.False(body.GetProperty("Outputs").TryGetProperty("poison", out _));
        Assert.Contains("2 points committed", body.GetProperty("Logs")[0].GetString(), StringComparison.Ordinal);
        Assert.Equal(JsonValueKind.Null, body.GetProperty("ReturnValue").ValueKind);
        Assert.Equal(2, Points(host, "q_v"));
    }

    [Theory]
    [InlineData("json-envelope")]
    [InlineData("json-array")]
    [InlineData("ndjson")]
    [InlineData("lp-envelope-seconds")]
    public async Task IngestQueue_EachMessageShape_IsRecognised(string shape)
    {
        await using var host = await ServiceHost.StartAsync();
        var iso = DateTimeOffset.FromUnixTimeSeconds(Seconds).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
        var point = $$"""{"metric":"shape","tags":{"k":"v"},"timestamp":"{{iso}}","value":7}""";
        var message = shape switch
        {
            "json-envelope" => JsonSerializer.Serialize(new { contentType = "application/json", payload = $"[{point}]" }),
            "json-array" => $"[{point}]",
            "ndjson" => point + "\n" + point.Replace("\"value\":7", "\"value\":8", StringComparison.Ordinal) + "\n",
            _ => JsonSerializer.Serialize(new { contentType = "text/plain", precision = "s", payload = $"shape,k=v value=7 {Seconds}" }),
        };

        var (status, _) = await InvokeAsync(host, Invocation(message));

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(shape == "ndjson" ? 2 : 1, Points(host, shape == "lp-envelope-seconds" ? "shape_value" : "shape"));
    }

    [Theory]
    [InlineData("this is not line protocol at all", "no line was valid")]
    [InlineData("{\"contentType\":\"application/xml\",\"payload\":\"<a/>\"}", "contentType \"application/xml\"")]
    [InlineData("{\"contentType\":\"text/plain\"}", "no \"payload\" string")]
    [InlineData("   ", "empty")]
    public async Task IngestQueue_MessageThatCanNeverSucceed_GoesToThePoisonOutputWithItsReason(string message, string reason)
    {
        await using var host = await ServiceHost.StartAsync();

        var (status, body) = await InvokeAsync(host, Invocation(message, id: "poison-1", dequeueCount: 1));

        Assert.Equal(HttpStatusCode.OK, status);
        var poison = JsonDocument.Parse(body.GetProperty("Outputs").GetProperty("poison").GetString()!).RootElement;
        Assert.Equal("poison-1", poison.GetProperty("messageId").GetString());
        Assert.Contains(reason, poison.GetProperty("reason").GetString(), StringComparison.Ordinal);
        Assert.Equal(message, poison.GetProperty("message").GetString());
        Assert.Contains("poisoned", body.GetProperty("Logs")[0].GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task IngestQueue_PartlyBadMessage_CommitsTheGoodLinesAndLogsTheBadOnes()
    {
        await using var host = await ServiceHost.StartAsync();

        var (status, body) = await InvokeAsync(host, Invocation($"p v=1 {Seconds}000000000\np v=oops 1\n"));

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.False(body.GetProperty("Outputs").TryGetProperty("poison", out _));
        Assert.Contains("line 2", body.GetProperty("Logs")[1].GetString(), StringComparison.Ordinal);
        Assert.Equal(1, Points(host, "p_v"));
    }

    [Fact]
    public async Task IngestQueue_WhileTheMeshIsFull_AnswersNon2xxSoTheHostRetries()
    {
        await using var host = await ServiceHost.StartAsync(ServiceHost.TinyMeshSettings());
        var writer = host.Service<PointWriter>();
        await writer.Gate.WaitAsync();
        try
        {
            HttpStatusCode status;
            var i = 0;
            do
            {
                using var content = new StringContent($"bp v={i} {Seconds}", Encoding.UTF8, "text/plain");
                using var queued = await host.Client.PostAsync("/api/ingest?ack=async&precision=s", content);
                status = queued.StatusCode;
                i++;
            }
            while (status == HttpStatusCode.Accepted && i < 100);

            var (queueStatus, body) = await InvokeAsync(host, Invocation($"r v=1 {Seconds}000000000"));

            Assert.Equal(HttpStatusCode.ServiceUnavailable, queueStatus);
            Assert.Contains("will be retried", body.GetProperty("Logs")[0].GetString(), StringComparison.Ordinal);
        }
        finally
        {
            writer.Gate.Release();
        }
    }

    [Fact]
    public async Task IngestQueue_BodyThatIsNotAnInvocation_Gets400()
    {
        await using var host = await ServiceHost.StartAsync();

        var (status, body) = await InvokeAsync(host, """{"Data":{"other":"x"}}""");

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("Data.message", body.GetProperty("Logs")[0].GetString(), StringComparison.Ordinal);
    }
}
