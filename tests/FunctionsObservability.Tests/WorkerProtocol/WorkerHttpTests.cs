using System.Globalization;
using System.Net;
using System.Text.Json;
using FunctionsObservability.Tests.WorkerProtocol.Rpc;

namespace FunctionsObservability.Tests.WorkerProtocol;

/// <summary>HTTP triggers through the worker: gRPC invocation plus the request forwarded to its HttpUri.</summary>
[Collection(WorkerCollection.Name)]
public sealed class WorkerHttpTests(WorkerFixture fixture)
{
    private WorkerHarness Worker => fixture.Worker;

    private static long RecentSeconds => DateTimeOffset.UtcNow.ToUnixTimeSeconds() - 600;

    [Fact]
    public async Task Health_Anonymous_Answers200()
    {
        using var timeout = new CancellationTokenSource(WorkerHarness.InvocationTimeout * 2);

        var health = await Worker.InvokeHttpAsync("Health", HttpMethod.Get, "/api/health", null, null, null, timeout.Token);

        Assert.True(health.Invocation.Result.Status == StatusResult.Types.Status.Success, Worker.Describe(health));
        Assert.True(health.Http.StatusCode == HttpStatusCode.OK, Worker.Describe(health));
    }

    [Fact]
    public async Task InfluxWrite_LineProtocol_Answers204_AndQueryPointsReturnsThePoints()
    {
        using var timeout = new CancellationTokenSource(WorkerHarness.InvocationTimeout * 2);
        var host = "w" + Guid.NewGuid().ToString("N")[..8];
        var at = RecentSeconds;
        var lines = string.Create(CultureInfo.InvariantCulture, $"cpu,host={host} usage_user=12.5 {at}\ncpu,host={host} usage_user=13.5 {at + 10}\n");

        var write = await Worker.InvokeHttpAsync("InfluxWrite", HttpMethod.Post, "/api/v2/write?org=o&bucket=b&precision=s", lines, "text/plain", null, timeout.Token);

        Assert.True(write.Http.StatusCode == HttpStatusCode.NoContent, Worker.Describe(write));
        Assert.True(write.Invocation.Result.Status == StatusResult.Types.Status.Success, Worker.Describe(write));

        var query = await Worker.InvokeHttpAsync("QueryPoints", HttpMethod.Get, $"/api/query/points?metric=cpu_usage_user&tag=host:{host}", null, null, null, timeout.Token);

        Assert.True(query.Http.StatusCode == HttpStatusCode.OK, Worker.Describe(query));
        Assert.True(query.Invocation.Result.Status == StatusResult.Types.Status.Success, Worker.Describe(query));
        var points = Points(query.Http.Body);
        Worker.Verify(() =>
        {
            Assert.Equal([12.5, 13.5], points.Select(p => p.Value));
            Assert.All(points, p => Assert.Equal(host, p.Host));
            Assert.All(points, p => Assert.Equal("cpu_usage_user", p.Metric));
        });
    }

    [Fact]
    public async Task Ingest_ThenMetricTags_RouteValueFromTriggerMetadata_ListsTheTags()
    {
        using var timeout = new CancellationTokenSource(WorkerHarness.InvocationTimeout * 2);
        var metric = "mem" + Guid.NewGuid().ToString("N")[..8];
        var lines = string.Create(CultureInfo.InvariantCulture, $"{metric},host=t1 used=1 {RecentSeconds}\n{metric},host=t2 used=2 {RecentSeconds}\n");

        var ingest = await Worker.InvokeHttpAsync("Ingest", HttpMethod.Post, "/api/ingest?precision=s", lines, "text/plain", null, timeout.Token);

        Assert.True(ingest.Http.StatusCode == HttpStatusCode.OK, Worker.Describe(ingest));
        using (var written = JsonDocument.Parse(ingest.Http.Body))
        {
            Assert.True(written.RootElement.GetProperty("pointsWritten").GetInt32() == 2, Worker.Describe(ingest));
        }

        var tags = await Worker.InvokeHttpAsync(
            "MetricTags", HttpMethod.Get, $"/api/metrics/{metric}_used/tags", null, null, new Dictionary<string, string> { ["metric"] = metric + "_used" }, timeout.Token);

        Assert.True(tags.Http.StatusCode == HttpStatusCode.OK, Worker.Describe(tags));
        using var document = JsonDocument.Parse(tags.Http.Body);
        var hosts = document.RootElement.GetProperty("tags").GetProperty("host").EnumerateArray().Select(v => v.GetString()).Order(StringComparer.Ordinal);
        Worker.Verify(() =>
        {
            Assert.Equal(metric + "_used", document.RootElement.GetProperty("metric").GetString());
            Assert.Equal(["t1", "t2"], hosts);
        });
    }

    /// <summary>The points of a /api/query/points answer.</summary>
    internal static IReadOnlyList<(string Metric, string? Host, double Value)> Points(string body)
    {
        using var document = JsonDocument.Parse(body);
        return document.RootElement.GetProperty("points").EnumerateArray()
            .Select(point => (
                point.GetProperty("metric").GetString()!,
                point.GetProperty("tags").TryGetProperty("host", out var host) ? host.GetString() : null,
                point.GetProperty("value").GetDouble()))
            .ToList();
    }
}
