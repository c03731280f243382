using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using FunctionsObservability.Pipeline.Formats.Otlp;
using FunctionsObservability.Pipeline.Storage;
using FunctionsObservability.Tests.Infrastructure;
using FunctionsObservability.Tests.Security;
using Google.Protobuf;
using static FunctionsObservability.Tests.Formats.OtlpRequests;

namespace FunctionsObservability.Tests.Http;

/// <summary>POST /v1/metrics and /api/v1/metrics with OTLP/HTTP bodies, against the real app.</summary>
public sealed class OtlpHttpTests
{
    private static readonly long T0Ms = (DateTimeOffset.UtcNow.ToUnixTimeSeconds() - 600) * 1000;
    private static readonly ulong T0 = (ulong)T0Ms * 1_000_000;

    private static readonly (string, string)[] Service = [("service.name", "checkout"), ("service.instance.id", "pod-1")];

    private static HttpRequestMessage Protobuf(string path, ExportMetricsServiceRequest body, bool gzip = false)
    {
        var bytes = body.ToByteArray();
        var content = gzip ? IngestHttpTests.Gzip(bytes) : new ByteArrayContent(bytes);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/x-protobuf");
        return new HttpRequestMessage(HttpMethod.Post, path) { Content = content };
    }

    private static async Task<JsonElement[]> PointsAsync(ServiceHost host, string metric) =>
        [.. (await host.GetJsonAsync($"/api/query/points?metric={metric}&from={T0Ms}")).GetProperty("points").EnumerateArray()];

    [Theory]
    [InlineData("/v1/metrics")]
    [InlineData("/api/v1/metrics")]
    public async Task Protobuf_Answers200WithAnEmptyExportResponse_AndThePointsAreQueryable(string path)
    {
        await using var host = await ServiceHost.StartAsync();
        using var request = Protobuf(path, Request(Service, Sum("http.requests", true, AggregationTemporality.Cumulative, Number(T0, 7, ("route", "/a")))));

        using var response = await host.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/x-protobuf", response.Content.Headers.ContentType?.MediaType);
        var answer = ExportMetricsServiceResponse.Parser.ParseFrom(await response.Content.ReadAsByteArrayAsync());
        Assert.Null(answer.PartialSuccess);
        var point = Assert.Single(await PointsAsync(host, "http_requests_total"));
        Assert.Equal(7, point.GetProperty("value").GetDouble());
        var tags = point.GetProperty("tags");
        Assert.Equal(("checkout", "pod-1", "/a"), (tags.GetProperty("job").GetString(), tags.GetProperty("instance").GetString(), tags.GetProperty("route").GetString()));
    }

    [Fact]
    public async Task JsonAndGzip_AreRead_AndJsonIsAnsweredInJson()
    {
        await using var host = await ServiceHost.StartAsync();
        var json = JsonFormatter.Default.Format(Request(Service, Gauge("temp.c", Number(T0, 21.5))));
        using var content = IngestHttpTests.Gzip(Encoding.UTF8.GetBytes(json));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");

        using var response = await host.Client.PostAsync("/v1/metrics", content);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("{ }", await response.Content.ReadAsStringAsync());
        Assert.Equal(21.5, Assert.Single(await PointsAsync(host, "temp_c")).GetProperty("value").GetDouble());

        using var gzipped = Protobuf("/v1/metrics", Request(Service, Gauge("gz", Number(T0, 1))), gzip: true);
        using var second = await host.Client.SendAsync(gzipped);
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        Assert.Single(await PointsAsync(host, "gz"));
    }

    [Fact]
    public async Task SomeDataPointsRejected_Answers200WithPartialSuccess_AndTheGoodOnesAreWritten()
    {
        await using var host = await ServiceHost.StartAsync();
        var future = T0 + (3UL * 86_400 * 1_000_000_000);
        using var request = Protobuf("/v1/metrics", Request(Service,
            Gauge("mixed", Number(T0, 1), Number(T0 + 1_000_000, double.PositiveInfinity), Number(future, 3)),
            Sum("delta", true, AggregationTemporality.Delta, Number(T0, 1))));

        using var response = await host.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var partial = ExportMetricsServiceResponse.Parser.ParseFrom(await response.Content.ReadAsByteArrayAsync()).PartialSuccess;
        Assert.Equal(3, partial.RejectedDataPoints);
        Assert.StartsWith("3 of 4 data points were rejected: data point 2: value of mixed is ", partial.ErrorMessage, StringComparison.Ordinal);
        Assert.Contains("data point 3: timestamp", partial.ErrorMessage, StringComparison.Ordinal);
        Assert.Contains("data point 4: sum \"delta\" has delta temporality", partial.ErrorMessage, StringComparison.Ordinal);
        Assert.Equal(1, Assert.Single(await PointsAsync(host, "mixed")).GetProperty("value").GetDouble());
    }

    [Fact]
    public async Task ARetryWithTheSameIdempotencyKey_WritesNothing_AndAnswersAsTheFirstDid()
    {
        await using var host = await ServiceHost.StartAsync();
        var body = Request(Service, Gauge("retried", Number(T0, 1), Number(0, 2)));
        var answers = new List<ExportMetricsPartialSuccess>();
        for (var i = 0; i < 2; i++)
        {
            using var request = Protobuf("/v1/metrics", body);
            request.Headers.Add("Idempotency-Key", "otlp-batch-1");
            using var response = await host.Client.SendAsync(request);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            answers.Add(ExportMetricsServiceResponse.Parser.ParseFrom(await response.Content.ReadAsByteArrayAsync()).PartialSuccess);
        }

        Assert.Equal(answers[0], answers[1]);
        Assert.Equal(1, answers[0].RejectedDataPoints);
        Assert.Contains("data point 2 of \"retried\" has no timeUnixNano", answers[0].ErrorMessage, StringComparison.Ordinal);
        Assert.Single(await PointsAsync(host, "retried"));
    }

    [Fact]
    public async Task NothingWritable_Answers400_AStatusForProtobuf_AndTheProductsErrorForJson()
    {
        await using var host = await ServiceHost.StartAsync();
        using var garbage = new ByteArrayContent([0x0a, 0x05, 0x01]);
        garbage.Headers.ContentType = new MediaTypeHeaderValue("application/x-protobuf");
        using (var response = await host.Client.PostAsync("/v1/metrics", garbage))
        {
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Equal("application/x-protobuf", response.Content.Headers.ContentType?.MediaType);
            var status = Status.Parser.ParseFrom(await response.Content.ReadAsByteArrayAsync());
            Assert.Equal(3, status.Code);
            Assert.StartsWith("nothing was written: the body is not a protobuf ExportMetricsServiceRequest", status.Message, StringComparison.Ordinal);
        }

        var exponential = new Metric { Name = "exp", ExponentialHistogram = new ExponentialHistogram() };
        exponential.ExponentialHistogram.DataPoints.Add(new ExponentialHistogramDataPoint { TimeUnixNano = T0 });
        using var json = new StringContent(JsonFormatter.Default.Format(Request(Service, exponential)), Encoding.UTF8, "application/json");
        using (var response = await host.Client.PostAsync("/api/v1/metrics", json))
        {
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            Assert.Contains("1 of 1 data points were rejected: data point 1: exponential histogram \"exp\" is not stored",
                body.RootElement.GetProperty("error").GetString(), StringComparison.Ordinal);
            Assert.Equal(1, body.RootElement.GetProperty("errorCount").GetInt32());
        }

        using var text = new StringContent("up 1", Encoding.UTF8, "text/plain");
        using (var response = await host.Client.PostAsync("/v1/metrics", text))
        {
            Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
            Assert.Contains("application/x-protobuf or application/json", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task AFullPipeline_Answers503WithRetryAfter_AndAnUnavailableStatus()
    {
        await using var host = await ServiceHost.StartAsync(ServiceHost.TinyMeshSettings());
        var writer = host.Service<PointWriter>();
        await writer.Gate.WaitAsync();
        try
        {
            await host.FillMeshUntilRefusedAsync(T0Ms / 1000);
            using var request = Protobuf("/v1/metrics", Request(Service, Gauge("refused", Number(T0, 1))));

            using var response = await host.Client.SendAsync(request);

            Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
            Assert.Equal(TimeSpan.FromSeconds(1), response.Headers.RetryAfter?.Delta);
            Assert.Equal(14, Status.Parser.ParseFrom(await response.Content.ReadAsByteArrayAsync()).Code);
        }
        finally
        {
            writer.Gate.Release();
        }
    }

    [Fact]
    public async Task WithKeys_BothPathsNeedAnIngestKey_AndAreRateLimitedAsIngest()
    {
        var settings = SecurityRequests.Keys();
        settings["RateLimits:Ingest:TokensPerSecond"] = "0.01";
        settings["RateLimits:Ingest:Burst"] = "2";
        await using var host = await ServiceHost.StartAsync(settings);
        var body = Request(Service, Gauge("keyed", Number(T0, 1)));

        foreach (var (path, key) in new[] { ("/v1/metrics", null), ("/api/v1/metrics", null), ("/v1/metrics", SecurityRequests.QueryKey), ("/V1/Metrics", null) })
        {
            using var anonymous = Protobuf(path, body);
            if (key is not null)
            {
                anonymous.Headers.Add("x-functions-key", key);
            }

            using var refused = await host.Client.SendAsync(anonymous);
            Assert.True(refused.StatusCode == HttpStatusCode.Unauthorized, $"{path} with key {key}: {(int)refused.StatusCode}");
        }

        var statuses = new List<HttpStatusCode>();
        foreach (var (path, i) in new[] { "/v1/metrics", "/api/v1/metrics", "/v1/metrics" }.Select((p, i) => (p, (ulong)i)))
        {
            using var keyed = Protobuf(path, Request(Service, Gauge("keyed", Number(T0 + (i * 1_000_000), i))));
            keyed.Headers.Add("x-functions-key", SecurityRequests.IngestKey);
            using var response = await host.Client.SendAsync(keyed);
            statuses.Add(response.StatusCode);
        }

        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.TooManyRequests], statuses);
        var points = (await host.GetJsonAsync($"/api/query/points?metric=keyed&from={T0Ms}&code={SecurityRequests.QueryKey}")).GetProperty("points");
        Assert.Equal(2, points.GetArrayLength());
    }
}
