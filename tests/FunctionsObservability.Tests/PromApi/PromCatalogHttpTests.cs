using System.Net;
using System.Text.Json;
using FunctionsObservability.Tests.Infrastructure;

namespace FunctionsObservability.Tests.PromApi;

/// <summary>The Prometheus API's catalog routes against the real app: series, labels, label values, metadata, buildinfo.</summary>
public sealed class PromCatalogHttpTests
{
    private static readonly long T0 = (DateTimeOffset.UtcNow.ToUnixTimeSeconds() - 600) * 1000;

    private static async Task<ServiceHost> StartWithDataAsync()
    {
        var host = await ServiceHost.StartAsync();
        await RemoteWriteBody.SendAsync(host.Client,
        [
            RemoteWriteBody.Series("http_requests_total", ["job=api", "instance=h1:9100"], (T0, 1), (T0 + 15_000, 2)),
            RemoteWriteBody.Series("http_requests_total", ["job=api", "instance=h2:9100"], (T0, 5)),
            RemoteWriteBody.Series("up", ["job=node", "instance=h1:9100"], (T0, 1)),
        ]);

        // Line protocol: a tag key that is not a valid label name is shown sanitised.
        using var line = await host.Client.PostAsync("/api/v2/write?precision=s",
            new StringContent($"cpu,host=a,data.center=west usage_user=3 {T0 / 1000}\n"));
        Assert.Equal(HttpStatusCode.NoContent, line.StatusCode);
        return host;
    }

    private static async Task<JsonElement> DataAsync(ServiceHost host, string path)
    {
        using var response = await host.Client.GetAsync(path);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{path}: {(int)response.StatusCode} {body}");
        var root = JsonDocument.Parse(body).RootElement;
        Assert.Equal("success", root.GetProperty("status").GetString());
        return root.GetProperty("data").Clone();
    }

    private static string[] Strings(JsonElement array) => array.EnumerateArray().Select(e => e.GetString()!).ToArray();

    [Fact]
    public async Task Label_names_and_values_come_from_every_series_or_from_match()
    {
        await using var host = await StartWithDataAsync();

        Assert.Equal(["__name__", "data_center", "host", "instance", "job"], Strings(await DataAsync(host, "/api/v1/labels")));
        Assert.Equal(["cpu_usage_user", "http_requests_total", "up"], Strings(await DataAsync(host, "/api/v1/label/__name__/values")));
        Assert.Equal(["h1:9100", "h2:9100"], Strings(await DataAsync(host, "/api/v1/label/instance/values?match[]=http_requests_total")));
        Assert.Equal(["__name__", "instance", "job"], Strings(await DataAsync(host, "/api/v1/labels?match[]=up")));
        Assert.Equal(["west"], Strings(await DataAsync(host, "/api/v1/label/data_center/values")));
    }

    [Fact]
    public async Task Series_lists_label_sets_matching_any_selector_within_the_time_range()
    {
        await using var host = await StartWithDataAsync();

        var series = await DataAsync(host, "/api/v1/series?match[]=http_requests_total{instance=~\"h1.*\"}&match[]=up");
        var sets = series.EnumerateArray().Select(s => s.GetProperty("__name__").GetString() + "/" + s.GetProperty("instance").GetString()).Order().ToArray();
        Assert.Equal(["http_requests_total/h1:9100", "up/h1:9100"], sets);

        var before = (T0 / 1000) - 3600;
        Assert.Equal(0, (await DataAsync(host, $"/api/v1/series?match[]=up&start={before}&end={before + 60}")).GetArrayLength());
    }

    [Fact]
    public async Task Bad_requests_answer_bad_data_in_Prometheus_shape()
    {
        await using var host = await StartWithDataAsync();

        foreach (var (path, expected) in new[]
                 {
                     ("/api/v1/series", "no match[] parameter provided"),
                     ("/api/v1/series?match[]={job=~\".*\"}", "at least one"),
                     ("/api/v1/series?match[]=up&start=yesterday", "invalid parameter \"start\""),
                     ("/api/v1/label/bad-name/values", "invalid label name"),
                 })
        {
            using var response = await host.Client.GetAsync(path);
            var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
            Assert.True(HttpStatusCode.BadRequest == response.StatusCode, path);
            Assert.Equal("error", body.GetProperty("status").GetString());
            Assert.Equal("bad_data", body.GetProperty("errorType").GetString());
            Assert.Contains(expected, body.GetProperty("error").GetString(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Metadata_and_buildinfo_answer_what_Grafana_reads()
    {
        await using var host = await StartWithDataAsync();

        var metadata = await DataAsync(host, "/api/v1/metadata");
        Assert.Equal("counter", metadata.GetProperty("http_requests_total")[0].GetProperty("type").GetString());
        Assert.Equal("unknown", metadata.GetProperty("up")[0].GetProperty("type").GetString());

        var build = await DataAsync(host, "/api/v1/status/buildinfo");
        Assert.Equal("2.42.0", build.GetProperty("version").GetString());
        Assert.StartsWith("FunctionsObservability", build.GetProperty("revision").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_routes_take_a_query_key_when_keys_are_on()
    {
        await using var host = await ServiceHost.StartAsync(new Dictionary<string, string> { ["Auth:QueryKeys"] = "read-secret" });

        using var anonymous = await host.Client.GetAsync("/api/v1/labels");
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);

        using var keyed = new HttpRequestMessage(HttpMethod.Get, "/api/v1/labels");
        keyed.Headers.Add("x-functions-key", "read-secret");
        using var answer = await host.Client.SendAsync(keyed);
        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
    }
}
