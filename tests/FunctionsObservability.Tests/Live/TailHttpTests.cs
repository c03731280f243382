using System.Globalization;
using System.Net;
using System.Text.Json;
using FunctionsObservability.Pipeline.Live;
using FunctionsObservability.Tests.Infrastructure;
using FunctionsObservability.Tests.Security;

namespace FunctionsObservability.Tests.Live;

/// <summary>GET /api/tail against the real app on loopback: what arrives, resuming, limits, keys and errors.</summary>
public sealed class TailHttpTests
{
    private static readonly long Now = DateTimeOffset.UtcNow.ToUnixTimeSeconds() - 60;

    private static string Line(string tags, double value, long offsetSeconds = 0) =>
        string.Create(CultureInfo.InvariantCulture, $"tl,{tags} v={value} {Now + offsetSeconds}\n");

    private static async Task WriteAsync(ServiceHost host, string lines)
    {
        using var response = await host.PostAsync("/api/ingest?precision=s", lines);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    private static JsonElement[] Points(SseMessage message)
    {
        Assert.Equal("points", message.Event);
        return [.. message.Json.EnumerateArray()];
    }

    [Fact]
    public async Task CommittedPoints_OfTheFilter_ArriveAsOneEventPerBatch_InTheQueryShape()
    {
        await using var host = await ServiceHost.StartAsync();
        await WriteAsync(host, Line("host=a,dc=x", 0));
        await using var tail = await SseStream.OpenAsync(host.Client, "/api/tail?metric=tl_v&tag=dc:x");
        Assert.Equal(HttpStatusCode.OK, tail.Status);
        Assert.Equal("text/event-stream", tail.Response.Content.Headers.ContentType!.MediaType);

        await WriteAsync(host, Line("host=a,dc=x", 1, 1) + Line("host=b,dc=y", 2, 1) + Line("host=c,dc=x", 3, 1));
        await WriteAsync(host, Line("host=b,dc=y", 4, 2));
        await WriteAsync(host, Line("host=a,dc=x", 5, 3));

        var first = await tail.NextAsync();
        var points = Points(first);
        Assert.Equal([1.0, 3.0], points.Select(p => p.GetProperty("value").GetDouble()));
        Assert.Equal("tl_v", points[0].GetProperty("metric").GetString());
        Assert.Equal("a", points[0].GetProperty("tags").GetProperty("host").GetString());
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(Now + 1).UtcDateTime, points[0].GetProperty("timestamp").GetDateTime());

        // The batch of dc=y alone produced no event for this filter.
        var second = await tail.NextAsync();
        Assert.Equal([5.0], Points(second).Select(p => p.GetProperty("value").GetDouble()));
        Assert.True(long.Parse(second.Id!, CultureInfo.InvariantCulture) > long.Parse(first.Id!, CultureInfo.InvariantCulture) + 1);
    }

    [Fact]
    public async Task TailPoints_AreTheQueryApisPoints_ByteForByte()
    {
        await using var host = await ServiceHost.StartAsync();
        await WriteAsync(host, Line("host=a", 0));
        await using var tail = await SseStream.OpenAsync(host.Client, "/api/tail?metric=tl_v");
        var ms = (Now * 1000) + 1234;
        var lines = string.Create(CultureInfo.InvariantCulture,
            $"tl,host=q\\\"uote,zone=z\u00e9 v=0.1 {ms}\ntl,host=b v=1e21 {ms + 1}\ntl,host=b v=-3 {ms + 2000 - 1234}\n");
        using (var written = await host.PostAsync("/api/ingest?precision=ms", lines))
        {
            Assert.Equal(HttpStatusCode.OK, written.StatusCode);
        }

        var streamed = Points(await tail.NextAsync()).Select(p => p.GetRawText()).Order(StringComparer.Ordinal).ToArray();
        var queried = (await host.GetJsonAsync($"/api/query/points?metric=tl_v&from={Now * 1000}&limit=100")).GetProperty("points")
            .EnumerateArray().Select(p => p.GetRawText()).Where(t => !t.Contains("\"a\"", StringComparison.Ordinal)).Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(3, streamed.Length);
        Assert.Equal(queried, streamed);
    }

    [Fact]
    public async Task BigBatch_ComesAsSeveralEvents_AndOnlyTheLastCarriesTheId()
    {
        await using var host = await ServiceHost.StartAsync(new Dictionary<string, string> { ["Tail:MaxPointsPerEvent"] = "10" });
        await WriteAsync(host, Line("host=a", 0));
        await using var tail = await SseStream.OpenAsync(host.Client, "/api/tail?metric=tl_v");
        await WriteAsync(host, string.Concat(Enumerable.Range(0, 25).Select(i => Line($"host=h{i}", i, 1))));

        var parts = new[] { await tail.NextAsync(), await tail.NextAsync(), await tail.NextAsync() };
        Assert.Equal([10, 10, 5], parts.Select(p => Points(p).Length));
        Assert.Null(parts[0].Id);
        Assert.Null(parts[1].Id);
        Assert.NotNull(parts[2].Id);
        Assert.Equal(Enumerable.Range(0, 25).Select(i => (double)i), parts.SelectMany(Points).Select(p => p.GetProperty("value").GetDouble()));
    }

    [Fact]
    public async Task LastEventId_InsideTheWindow_ResendsWhatWasMissed_AndOlderGetsAReset()
    {
        await using var host = await ServiceHost.StartAsync(new Dictionary<string, string> { ["Tail:ResumeWindowBatches"] = "3" });
        await WriteAsync(host, Line("host=a", 0));
        string lastSeen;
        await using (var tail = await SseStream.OpenAsync(host.Client, "/api/tail?metric=tl_v"))
        {
            await WriteAsync(host, Line("host=a", 1, 1));
            lastSeen = (await tail.NextAsync()).Id!;
        }

        // Written while nobody listens: kept for the grace period, so the client resumes.
        await WriteAsync(host, Line("host=a", 2, 2));
        await WriteAsync(host, Line("host=a", 3, 3));
        await using (var resumed = await SseStream.OpenAsync(host.Client, "/api/tail?metric=tl_v", r => r.Headers.Add("Last-Event-ID", lastSeen)))
        {
            Assert.Equal([2.0], Points(await resumed.NextAsync()).Select(p => p.GetProperty("value").GetDouble()));
            Assert.Equal([3.0], Points(await resumed.NextAsync()).Select(p => p.GetProperty("value").GetDouble()));
        }

        // A witness that has seen batch 5 proves the fan-out has moved the window past lastSeen.
        await using (var witness = await SseStream.OpenAsync(host.Client, "/api/tail?metric=tl_v"))
        {
            await WriteAsync(host, Line("host=a", 4, 4));
            await WriteAsync(host, Line("host=a", 5, 5));
            await witness.NextAsync();
            Assert.Equal([5.0], Points(await witness.NextAsync()).Select(p => p.GetProperty("value").GetDouble()));
        }

        await using var tooOld = await SseStream.OpenAsync(host.Client, "/api/tail?metric=tl_v", r => r.Headers.Add("Last-Event-ID", lastSeen));
        var reset = await tooOld.NextAsync();
        Assert.Equal("reset", reset.Event);
        Assert.Contains("older than the resume window", reset.Json.GetProperty("message").GetString(), StringComparison.Ordinal);

        // After the reset the stream carries on live.
        await WriteAsync(host, Line("host=a", 6, 6));
        Assert.Equal([6.0], Points(await tooOld.NextAsync()).Select(p => p.GetProperty("value").GetDouble()));
    }

    [Fact]
    public async Task IdleStream_SendsHeartbeats_WithTheIdItHasReached()
    {
        await using var host = await ServiceHost.StartAsync(new Dictionary<string, string> { ["Tail:HeartbeatSeconds"] = "1" });
        await WriteAsync(host, Line("host=a", 0));
        await using var tail = await SseStream.OpenAsync(host.Client, "/api/tail?metric=tl_v&tag=host:a");
        await WriteAsync(host, Line("host=a", 1, 1));
        var points = await tail.NextAsync();

        // A batch the filter does not select still moves the id the heartbeat reports.
        await WriteAsync(host, Line("host=b", 2, 2));
        SseMessage beat;
        do
        {
            beat = await tail.NextAsync(includeComments: true);
        }
        while (beat.Comment != "id" || beat.Id == points.Id);

        Assert.Equal(long.Parse(points.Id!, CultureInfo.InvariantCulture) + 1, long.Parse(beat.Id!, CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task SubscriberLimits_AnswerTooManyPerClient_AndServiceFull_WithRetryAfter()
    {
        await using var host = await ServiceHost.StartAsync(new Dictionary<string, string>
        {
            ["Tail:MaxSubscribersPerClient"] = "2",
            ["Tail:MaxSubscribers"] = "2",
        });
        await WriteAsync(host, Line("host=a", 0));
        await using var one = await SseStream.OpenAsync(host.Client, "/api/tail?metric=tl_v");
        await using var two = await SseStream.OpenAsync(host.Client, "/api/tail?metric=tl_v");
        await using var three = await SseStream.OpenAsync(host.Client, "/api/tail?metric=tl_v");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, three.Status);
        Assert.NotNull(three.Response.Headers.RetryAfter);
        Assert.Contains("Tail:MaxSubscribers", await three.ErrorBodyAsync(), StringComparison.Ordinal);

        await using var perClient = await ServiceHost.StartAsync(new Dictionary<string, string> { ["Tail:MaxSubscribersPerClient"] = "1" });
        await WriteAsync(perClient, Line("host=a", 0));
        await using var first = await SseStream.OpenAsync(perClient.Client, "/api/tail?metric=tl_v");
        await using var second = await SseStream.OpenAsync(perClient.Client, "/api/tail?metric=tl_v");
        Assert.Equal(HttpStatusCode.TooManyRequests, second.Status);
        Assert.NotNull(second.Response.Headers.RetryAfter);

        // A subscriber that leaves frees its place.
        await first.DisposeAsync();
        var tail = perClient.Service<LiveTail>();
        await using var again = await OpenWhenFreeAsync(perClient, tail);
        Assert.Equal(HttpStatusCode.OK, again.Status);
    }

    private static async Task<SseStream> OpenWhenFreeAsync(ServiceHost host, LiveTail tail)
    {
        // The server notices the closed stream on its next read or write; a batch makes it write.
        for (var attempt = 0; ; attempt++)
        {
            var stream = await SseStream.OpenAsync(host.Client, "/api/tail?metric=tl_v");
            if (stream.Status == HttpStatusCode.OK || attempt == 50)
            {
                return stream;
            }

            await stream.DisposeAsync();
            await WriteAsync(host, Line("host=a", attempt, 1));
            Assert.True(tail.SubscriberCount <= 1);
        }
    }

    [Fact]
    public async Task BadParameters_AreNamed_AndAnUnknownMetricIs404()
    {
        await using var host = await ServiceHost.StartAsync();
        await WriteAsync(host, Line("host=a", 0));
        foreach (var (path, status, parameter) in new[]
        {
            ("/api/tail", HttpStatusCode.BadRequest, "metric"),
            ("/api/tail?metric=tl_v&tag=nocolon", HttpStatusCode.BadRequest, "tag"),
            ("/api/tail?metric=tl_v&lastEventId=-3", HttpStatusCode.BadRequest, "lastEventId"),
            ("/api/tail?metric=tl_vv", HttpStatusCode.NotFound, "metric"),
        })
        {
            await using var stream = await SseStream.OpenAsync(host.Client, path);
            Assert.Equal(status, stream.Status);
            var error = JsonDocument.Parse(await stream.ErrorBodyAsync()).RootElement;
            Assert.Equal(parameter, error.GetProperty("parameter").GetString());
        }
    }

    [Fact]
    public async Task WithKeys_TheTailNeedsAQueryKey()
    {
        await using var host = await ServiceHost.StartAsync(SecurityRequests.Keys());
        using (var written = await SecurityRequests.IngestAsync(host, SecurityRequests.IngestKey))
        {
            Assert.True(written.IsSuccessStatusCode);
        }

        await using var anonymous = await SseStream.OpenAsync(host.Client, "/api/tail?metric=sec_v");
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.Status);
        await using var ingestKey = await SseStream.OpenAsync(host.Client, "/api/tail?metric=sec_v", r => r.Headers.Add("x-functions-key", SecurityRequests.IngestKey));
        Assert.Equal(HttpStatusCode.Unauthorized, ingestKey.Status);
        await using var queryKey = await SseStream.OpenAsync(host.Client, "/api/tail?metric=sec_v", r => r.Headers.Add("x-functions-key", SecurityRequests.QueryKey));
        Assert.Equal(HttpStatusCode.OK, queryKey.Status);
    }

    [Fact]
    public async Task Stopping_TheService_EndsOpenStreams()
    {
        var host = await ServiceHost.StartAsync();
        await using var _ = host;
        await WriteAsync(host, Line("host=a", 0));
        await using var tail = await SseStream.OpenAsync(host.Client, "/api/tail?metric=tl_v");
        Assert.Equal(HttpStatusCode.OK, tail.Status);
        await host.StopAsync();
        Assert.True(await tail.EndsAsync(TimeSpan.FromSeconds(30)));
    }
}
