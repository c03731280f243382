using System.Globalization;
using System.Net;
using System.Text.Json;
using FunctionsObservability.Tests.Infrastructure;

namespace FunctionsObservability.Tests.PromApi;

/// <summary>
/// Grafana cannot run here, so this replays, in order, the requests its Prometheus data source
/// sends (as its backend and query editor build them: form POSTs for queries, Unix seconds for
/// times, seconds for the step) and checks each answer's shape as Grafana parses it.
/// </summary>
public sealed class GrafanaReplayTests
{
    private static string Seconds(long milliseconds) => (milliseconds / 1000.0).ToString(CultureInfo.InvariantCulture);

    private static async Task<JsonElement> SuccessAsync(HttpResponseMessage response)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{response.RequestMessage!.RequestUri}: {(int)response.StatusCode} {body}");
        Assert.StartsWith("application/json", response.Content.Headers.ContentType!.ToString(), StringComparison.Ordinal);
        var root = JsonDocument.Parse(body).RootElement;
        Assert.Equal("success", root.GetProperty("status").GetString());
        return root.GetProperty("data").Clone();
    }

    private static Task<HttpResponseMessage> PostFormAsync(HttpClient client, string path, params (string Name, string Value)[] fields) =>
        client.PostAsync(path, new FormUrlEncodedContent(fields.Select(f => KeyValuePair.Create(f.Name, f.Value))));

    [Fact]
    public async Task Save_and_test_then_metric_browser_then_a_panel()
    {
        await using var host = await ServiceHost.StartAsync();
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds() * 1000;
        var t0 = now - 600_000;
        await RemoteWriteBody.SendAsync(host.Client,
        [
            RemoteWriteBody.Series("http_requests_total", ["job=api", "instance=h1:9100"], Enumerable.Range(0, 41).Select(i => (t0 + i * 15_000L, i * 10.0)).ToArray()),
            RemoteWriteBody.Series("http_requests_total", ["job=api", "instance=h2:9100"], Enumerable.Range(0, 41).Select(i => (t0 + i * 15_000L, i * 20.0)).ToArray()),
        ]);

        // "Save & test": an instant query of 1+1 at now, then the build information.
        var test = await SuccessAsync(await PostFormAsync(host.Client, "/api/v1/query", ("query", "1+1"), ("time", Seconds(now))));
        Assert.Equal("scalar", test.GetProperty("resultType").GetString());
        Assert.Equal(JsonValueKind.Number, test.GetProperty("result")[0].ValueKind);
        Assert.Equal("2", test.GetProperty("result")[1].GetString());
        var build = await SuccessAsync(await host.Client.GetAsync("/api/v1/status/buildinfo"));
        Assert.Matches(@"^\d+\.\d+\.\d+$", build.GetProperty("version").GetString()!);

        // The metric browser: label names, metric names, then the chosen metric's series.
        var range = $"start={Seconds(now - 3_600_000)}&end={Seconds(now)}";
        var labels = await SuccessAsync(await host.Client.GetAsync($"/api/v1/labels?{range}"));
        Assert.Contains("instance", labels.EnumerateArray().Select(l => l.GetString()));
        var names = await SuccessAsync(await host.Client.GetAsync($"/api/v1/label/__name__/values?match[]={Uri.EscapeDataString("{__name__=~\".+\"}")}&{range}"));
        Assert.Equal(["http_requests_total"], names.EnumerateArray().Select(n => n.GetString()));
        var series = await SuccessAsync(await host.Client.GetAsync($"/api/v1/series?match[]={Uri.EscapeDataString("http_requests_total")}&{range}"));
        Assert.All(series.EnumerateArray(), s => Assert.Equal("http_requests_total", s.GetProperty("__name__").GetString()));
        Assert.Equal(2, series.GetArrayLength());
        var metadata = await SuccessAsync(await host.Client.GetAsync("/api/v1/metadata"));
        Assert.Equal(JsonValueKind.Array, metadata.GetProperty("http_requests_total").ValueKind);

        // A panel: a range query, start and end aligned to the step as Grafana aligns them.
        const long step = 60_000;
        var start = (t0 / step) * step;
        var end = (now / step) * step;
        var panel = await SuccessAsync(await PostFormAsync(host.Client, "/api/v1/query_range",
            ("query", "sum by (job) (rate(http_requests_total[2m]))"), ("start", Seconds(start)), ("end", Seconds(end)), ("step", "60")));
        Assert.Equal("matrix", panel.GetProperty("resultType").GetString());
        var line = Assert.Single(panel.GetProperty("result").EnumerateArray());
        Assert.Equal("api", line.GetProperty("metric").GetProperty("job").GetString());
        var values = line.GetProperty("values").EnumerateArray().ToArray();
        Assert.NotEmpty(values);
        foreach (var value in values)
        {
            var at = (long)Math.Round(value[0].GetDouble() * 1000);
            Assert.Equal(0, (at - start) % step);

            // Where the whole 2m window lies inside the data, rate is exact: 10/15 + 20/15 per second.
            if (at >= t0 + 120_000 && at <= t0 + 600_000)
            {
                Assert.Equal(2.0, double.Parse(value[1].GetString()!, CultureInfo.InvariantCulture), 9);
            }
        }
    }
}
