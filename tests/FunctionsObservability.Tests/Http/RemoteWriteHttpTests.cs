using System.Net;
using System.Net.Http.Headers;
using FunctionsObservability.Pipeline.Formats;
using FunctionsObservability.Pipeline.Formats.Prometheus;
using FunctionsObservability.Tests.Infrastructure;
using Google.Protobuf;
using Snappier;

namespace FunctionsObservability.Tests.Http;

/// <summary>POST /api/v1/write with the headers and body Prometheus' remote_write sends, against the real app.</summary>
public sealed class RemoteWriteHttpTests
{
    private static readonly long T0 = (DateTimeOffset.UtcNow.ToUnixTimeSeconds() - 600) * 1000;

    private static HttpRequestMessage Request(params TimeSeries[] series)
    {
        var write = new WriteRequest();
        write.Timeseries.AddRange(series);
        var content = new ByteArrayContent(Snappy.CompressToArray(write.ToByteArray()));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/x-protobuf");
        content.Headers.ContentEncoding.Add("snappy");
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/write") { Content = content };
        request.Headers.Add("X-Prometheus-Remote-Write-Version", "0.1.0");
        return request;
    }

    private static TimeSeries Series(string name, string instance, params (double Value, long Timestamp)[] samples)
    {
        var series = new TimeSeries();
        series.Labels.Add(new Label { Name = "__name__", Value = name });
        series.Labels.Add(new Label { Name = "instance", Value = instance });
        series.Labels.Add(new Label { Name = "job", Value = "api" });
        series.Samples.AddRange(samples.Select(s => new Sample { Value = s.Value, Timestamp = s.Timestamp }));
        return series;
    }

    [Fact]
    public async Task RemoteWrite_Answers204_AndTheSamplesAreQueryable_WithStaleMarkersSkipped()
    {
        await using var host = await ServiceHost.StartAsync();
        var stale = BitConverter.UInt64BitsToDouble(RemoteWriteParser.StaleMarkerBits);
        using var request = Request(Series("http_requests_total", "h1:9100", (10, T0), (12, T0 + 15_000), (stale, T0 + 30_000)));

        using var response = await host.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        var points = (await host.GetJsonAsync($"/api/query/points?metric=http_requests_total&from={T0}")).GetProperty("points").EnumerateArray().ToArray();
        Assert.Equal([10.0, 12.0], points.Select(p => p.GetProperty("value").GetDouble()));
        Assert.Equal("h1:9100", points[0].GetProperty("tags").GetProperty("instance").GetString());
        Assert.Equal("api", points[0].GetProperty("tags").GetProperty("job").GetString());
    }

    [Fact]
    public async Task SamplesThatCanNeverBeAccepted_Answer400NamingTheSeries_AndTheGoodOnesAreWritten()
    {
        await using var host = await ServiceHost.StartAsync();
        using var request = Request(Series("up", "h1:9100", (1, T0)), Series("up", "h2:9100", (double.PositiveInfinity, T0)));

        using var response = await host.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("2", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var points = (await host.GetJsonAsync($"/api/query/points?metric=up&from={T0}")).GetProperty("points").EnumerateArray().ToArray();
        Assert.Equal("h1:9100", Assert.Single(points).GetProperty("tags").GetProperty("instance").GetString());
    }

    [Fact]
    public async Task ABodyThatIsNotSnappyProtobuf_Answers400_AndAnotherEncoding415()
    {
        await using var host = await ServiceHost.StartAsync();
        using var garbage = new ByteArrayContent("up 1"u8.ToArray());
        garbage.Headers.ContentEncoding.Add("snappy");
        using (var response = await host.Client.PostAsync("/api/v1/write", garbage))
        {
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Contains("snappy", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        using var zstd = new ByteArrayContent([1, 2, 3]);
        zstd.Headers.ContentEncoding.Add("zstd");
        using (var response = await host.Client.PostAsync("/api/v1/write", zstd))
        {
            Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
        }
    }
}
