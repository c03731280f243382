using System.Globalization;
using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using FunctionsObservability.Pipeline.Storage;
using FunctionsObservability.Tests.Infrastructure;

namespace FunctionsObservability.Tests.Http;

public sealed class IngestHttpTests
{
    private static readonly long Base = MeshFixture.BaseSeconds;

    private static string Iso(long seconds) => DateTimeOffset.FromUnixTimeSeconds(seconds).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    [Fact]
    public async Task Ingest_EachFormat_QueriesBackTheSamePoints()
    {
        await using var host = await ServiceHost.StartAsync();

        using (var lp = await host.PostAsync("/api/ingest?precision=s", $"weather,city=Oslo temp=-3.5,wind=12i {Base}\n"))
        {
            Assert.Equal(HttpStatusCode.OK, lp.StatusCode);
        }

        using (var json = await host.PostAsync("/api/ingest", $$"""{"points":[{"metric":"weather_temp","tags":{"city":"Bergen"},"timestamp":"{{Iso(Base)}}","value":4.25}]}""", "application/json"))
        {
            Assert.Equal(HttpStatusCode.OK, json.StatusCode);
        }

        using (var ndjson = await host.PostAsync("/api/ingest", $$"""{"metric":"weather_temp","tags":{"city":"Tromso"},"timestamp":{{(Base + 1) * 1000}},"value":-9}""" + "\n", "application/x-ndjson"))
        {
            Assert.Equal(HttpStatusCode.OK, ndjson.StatusCode);
        }

        using (var v2 = await host.PostAsync("/api/v2/write?org=o&bucket=b&precision=ms", $"weather,city=Oslo temp=-4 {(Base + 2) * 1000}\n"))
        {
            Assert.Equal(HttpStatusCode.NoContent, v2.StatusCode);
        }

        var page = await host.GetJsonAsync("/api/query/points?metric=weather_temp");
        var points = page.GetProperty("points").EnumerateArray()
            .Select(p => (City: p.GetProperty("tags").GetProperty("city").GetString(), Time: p.GetProperty("timestamp").GetString(), Value: p.GetProperty("value").GetDouble()))
            .ToList();
        Assert.Equal(
            [("Bergen", Iso(Base), 4.25), ("Oslo", Iso(Base), -3.5), ("Tromso", Iso(Base + 1), -9), ("Oslo", Iso(Base + 2), -4)],
            points.OrderBy(p => p.Time, StringComparer.Ordinal).ThenBy(p => p.City, StringComparer.Ordinal).ToList());
        Assert.Equal(JsonValueKind.Null, page.GetProperty("nextCursor").ValueKind);

        var wind = await host.GetJsonAsync("/api/query/points?metric=weather_wind&tag=city:Oslo");
        Assert.Equal(12, Assert.Single(wind.GetProperty("points").EnumerateArray()).GetProperty("value").GetDouble());
    }

    [Fact]
    public async Task V2Write_BadLines_AnswersInInfluxShapeAndKeepsGoodLines()
    {
        await using var host = await ServiceHost.StartAsync();

        using var response = await host.PostAsync("/api/v2/write?precision=s", $"m,host=a v=1 {Base}\nm,host=a v=\"s\" {Base}\nm,host=a v=2 {Base + 1}\n");
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("invalid", body.GetProperty("code").GetString());
        Assert.Contains("line 2", body.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal(2, body.GetProperty("errors")[0].GetProperty("line").GetInt32());
        Assert.Equal(2, host.Service<SeriesCatalog>().ForMetric("m_v").Sum(s => s.PointCount));
    }

    [Fact]
    public async Task Ingest_StrictWithBadLine_RejectsAll()
    {
        await using var host = await ServiceHost.StartAsync();

        using var response = await host.PostAsync("/api/ingest?strict=true&precision=s", $"m v=1 {Base}\nm v=x {Base}\n");
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(0, body.GetProperty("pointsWritten").GetInt32());
        Assert.Equal(2, body.GetProperty("errors")[0].GetProperty("line").GetInt32());
        Assert.DoesNotContain(host.Service<SeriesCatalog>().ForMetric("m_v"), s => s.PointCount > 0);
    }

    [Fact(Timeout = 60_000)]
    public async Task Ingest_LargeRequest_IsCommittedWithoutWaitingForOthers()
    {
        // A flush interval of 10 minutes: a request that waited for the timer would never be
        // answered within the test's time; a large one carries a commit by itself and goes at once.
        await using var host = await ServiceHost.StartAsync(new Dictionary<string, string>
        {
            ["Ingest:BatchSize"] = "64",
            ["Ingest:FlushIntervalMilliseconds"] = "600000",
        });
        var lines = string.Concat(Enumerable.Range(0, 5000).Select(i => $"big,host=h{i % 10} v={i} {Base + i}\n"));

        using var response = await host.PostAsync("/api/v2/write?precision=s", lines);

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.Equal(5000, host.Service<SeriesCatalog>().ForMetric("big_v").Sum(s => s.PointCount));
    }

    [Fact]
    public async Task Ingest_Gzip_IsDecompressed()
    {
        await using var host = await ServiceHost.StartAsync();
        var lines = string.Concat(Enumerable.Range(0, 1000).Select(i => $"g,host=a v={i} {Base + i}\n"));

        using var response = await host.Client.PostAsync("/api/v2/write?precision=s", Gzip(Encoding.UTF8.GetBytes(lines)));

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.Equal(1000, host.Service<SeriesCatalog>().ForMetric("g_v").Sum(s => s.PointCount));
    }

    [Fact]
    public async Task Ingest_BodyOverLimit_Gets413()
    {
        await using var host = await ServiceHost.StartAsync(new Dictionary<string, string> { ["Ingest:MaxBodyBytes"] = "1000" });

        using var response = await host.PostAsync("/api/ingest", new string('x', 5000));
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Contains("limit of 1000 bytes", body.GetProperty("error").GetString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/api/ingest", "application/xml", HttpStatusCode.UnsupportedMediaType, "Content-Type")]
    [InlineData("/api/ingest?precision=h", "text/plain", HttpStatusCode.BadRequest, "precision")]
    [InlineData("/api/ingest?strict=maybe", "text/plain", HttpStatusCode.BadRequest, "strict")]
    [InlineData("/api/ingest?ack=later", "text/plain", HttpStatusCode.BadRequest, "ack")]
    public async Task Ingest_BadRequestParameters_AreNamed(string path, string contentType, HttpStatusCode status, string named)
    {
        await using var host = await ServiceHost.StartAsync();

        using var response = await host.PostAsync(path, $"m v=1 {Base}", contentType);
        var text = await response.Content.ReadAsStringAsync();

        Assert.Equal(status, response.StatusCode);
        Assert.Contains(named, text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Ingest_MalformedJson_ReportsTheLine()
    {
        await using var host = await ServiceHost.StartAsync();

        using var response = await host.PostAsync("/api/ingest", "[\n{\"metric\":\"a\",\n\"value\":1,,}\n]", "application/json");
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(3, body.GetProperty("errors")[0].GetProperty("line").GetInt32());
    }

    [Fact]
    public async Task Ingest_AckAsync_Returns202AndCommitsLater()
    {
        await using var host = await ServiceHost.StartAsync();

        using var response = await host.PostAsync("/api/ingest?ack=async&precision=s", $"q v=1 {Base}\n");
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);

        await host.StopAsync();
        await using var reopened = await ServiceHost.StartAsync(dataDirectory: host.DataDirectory);
        Assert.Equal(1, reopened.Service<SeriesCatalog>().ForMetric("q_v").Sum(s => s.PointCount));
    }

    [Fact]
    public async Task Ingest_WhileWriterIsStuck_Gets503WithRetryAfter()
    {
        await using var host = await ServiceHost.StartAsync(ServiceHost.TinyMeshSettings());
        var writer = host.Service<PointWriter>();
        await writer.Gate.WaitAsync();
        HttpResponseMessage? refused = null;
        var accepted = 0;
        for (var i = 0; i < 100 && refused is null; i++)
        {
            var response = await host.PostAsync("/api/ingest?ack=async&precision=s", $"bp v={i} {Base + i}\n");
            if (response.StatusCode == HttpStatusCode.ServiceUnavailable)
            {
                refused = response;
            }
            else
            {
                Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
                accepted++;
                response.Dispose();
            }
        }

        writer.Gate.Release();
        Assert.NotNull(refused);
        Assert.Equal(TimeSpan.FromSeconds(1), refused.Headers.RetryAfter?.Delta);
        refused.Dispose();

        await host.StopAsync();
        await using var reopened = await ServiceHost.StartAsync(dataDirectory: host.DataDirectory);
        Assert.Equal(accepted, reopened.Service<SeriesCatalog>().ForMetric("bp_v").Sum(s => s.PointCount));
    }

    [Fact]
    public async Task Health_ReportsLivenessAndReadiness()
    {
        await using var host = await ServiceHost.StartAsync();

        var live = await host.GetJsonAsync("/api/health");
        var ready = await host.GetJsonAsync("/api/health/ready");

        Assert.Equal("alive", live.GetProperty("status").GetString());
        Assert.Equal("running", ready.GetProperty("writer").GetString());
        Assert.Equal(0, ready.GetProperty("bufferDepth").GetInt32());
    }

    internal static ByteArrayContent Gzip(byte[] raw)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Fastest))
        {
            gzip.Write(raw);
        }

        var content = new ByteArrayContent(output.ToArray());
        content.Headers.ContentEncoding.Add("gzip");
        content.Headers.ContentType = MediaTypeHeaderValue.Parse("text/plain");
        return content;
    }
}
