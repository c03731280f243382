using System.Net.Http.Headers;
using FunctionsObservability.Pipeline.Formats.Prometheus;
using Google.Protobuf;
using Snappier;

namespace FunctionsObservability.Tests.Infrastructure;

/// <summary>remote_write requests as Prometheus sends them: a snappy block around a WriteRequest, with its headers.</summary>
internal static class RemoteWriteBody
{
    public static TimeSeries Series(IEnumerable<KeyValuePair<string, string>> labels, params (long TimestampMs, double Value)[] samples)
    {
        var series = new TimeSeries();
        foreach (var (name, value) in labels.OrderBy(l => l.Key, StringComparer.Ordinal))
        {
            series.Labels.Add(new Label { Name = name, Value = value });
        }

        series.Samples.AddRange(samples.Select(s => new Sample { Timestamp = s.TimestampMs, Value = s.Value }));
        return series;
    }

    /// <summary>A series from <c>name</c> and <c>label=value</c> pairs.</summary>
    public static TimeSeries Series(string name, string[] labels, params (long TimestampMs, double Value)[] samples) =>
        Series(labels.Select(l => l.Split('=', 2)).Select(p => KeyValuePair.Create(p[0], p[1])).Append(KeyValuePair.Create("__name__", name)), samples);

    public static HttpRequestMessage Request(string path, IEnumerable<TimeSeries> series)
    {
        var write = new WriteRequest();
        write.Timeseries.AddRange(series);
        var content = new ByteArrayContent(Snappy.CompressToArray(write.ToByteArray()));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/x-protobuf");
        content.Headers.ContentEncoding.Add("snappy");
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = content };
        request.Headers.Add("X-Prometheus-Remote-Write-Version", "0.1.0");
        return request;
    }

    /// <summary>Sends <paramref name="series"/> to <c>/api/v1/write</c> of <paramref name="client"/> and expects 204.</summary>
    public static async Task SendAsync(HttpClient client, IEnumerable<TimeSeries> series, string path = "/api/v1/write")
    {
        using var request = Request(path, series);
        using var response = await client.SendAsync(request);
        Assert.True(response.StatusCode == System.Net.HttpStatusCode.NoContent,
            $"remote_write to {client.BaseAddress}{path.TrimStart('/')} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
    }
}
