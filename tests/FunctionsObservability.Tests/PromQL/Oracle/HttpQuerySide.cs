using System.Globalization;
using System.Net.Http.Headers;
using FunctionsObservability.Pipeline.Formats.Prometheus;
using FunctionsObservability.Pipeline.PromQL;
using Google.Protobuf;
using Snappier;

namespace FunctionsObservability.Tests.PromQL.Oracle;

/// <summary>
/// A server speaking Prometheus's HTTP API: samples go in by remote_write (<c>POST /api/v1/write</c>,
/// snappy protobuf), queries by <c>/api/v1/query</c> and <c>/api/v1/query_range</c>. Prometheus is
/// one; the service, once it serves these routes, is another.
/// </summary>
public sealed class HttpQuerySide(string name, HttpClient client, Func<ValueTask>? dispose = null) : IPromQuerySide
{
    public string Name { get; } = name;

    public async Task LoadAsync(IReadOnlyList<OracleSeries> series, CancellationToken cancellationToken)
    {
        // One request with every series' samples in time order, so the TSDB never sees one out of order.
        var request = new WriteRequest();
        foreach (var s in series)
        {
            var timeSeries = new TimeSeries();
            timeSeries.Labels.AddRange(s.Labels.AsEnumerable().Select(l => new Label { Name = l.Key, Value = l.Value }));
            for (var i = 0; i < s.TimestampsMs.Length; i++)
            {
                timeSeries.Samples.Add(new Sample { Timestamp = s.TimestampsMs[i], Value = s.Values[i] });
            }

            request.Timeseries.Add(timeSeries);
        }

        using var content = new ByteArrayContent(Snappy.CompressToArray(request.ToByteArray()));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/x-protobuf");
        content.Headers.ContentEncoding.Add("snappy");
        using var message = new HttpRequestMessage(HttpMethod.Post, "/api/v1/write") { Content = content };
        message.Headers.Add("X-Prometheus-Remote-Write-Version", "0.1.0");
        using var response = await client.SendAsync(message, cancellationToken);
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        Assert.True(response.IsSuccessStatusCode, $"{Name} refused the remote write: {(int)response.StatusCode} {body}");
    }

    public Task<PromAnswer> InstantAsync(string query, long timeMs, CancellationToken cancellationToken) =>
        GetAsync($"/api/v1/query?query={Uri.EscapeDataString(query)}&time={Seconds(timeMs)}", cancellationToken);

    public Task<PromAnswer> RangeAsync(string query, long startMs, long endMs, long stepMs, CancellationToken cancellationToken) =>
        GetAsync($"/api/v1/query_range?query={Uri.EscapeDataString(query)}&start={Seconds(startMs)}&end={Seconds(endMs)}&step={Seconds(stepMs)}",
            cancellationToken);

    public ValueTask DisposeAsync() => dispose?.Invoke() ?? ValueTask.CompletedTask;

    private static string Seconds(long ms) => (ms / 1000m).ToString(CultureInfo.InvariantCulture);

    private async Task<PromAnswer> GetAsync(string path, CancellationToken cancellationToken)
    {
        using var response = await client.GetAsync(path, cancellationToken);
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        try
        {
            return PromAnswer.FromResponse(body);
        }
        catch (System.Text.Json.JsonException)
        {
            Assert.Fail($"{Name} answered {path} with {(int)response.StatusCode}: {body}");
            throw;
        }
    }
}
