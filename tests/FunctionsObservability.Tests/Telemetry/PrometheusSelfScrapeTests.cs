using System.Diagnostics;
using System.Net;
using System.Text.Json;
using FunctionsObservability.Functions.Standalone.Security;
using FunctionsObservability.Tests.Infrastructure;

namespace FunctionsObservability.Tests.Telemetry;

/// <summary>
/// A real Prometheus scrapes the service's own <c>/metrics</c> every two seconds (a second more would
/// time scrapes out on a loaded machine), with a metrics key as
/// its scrape job's bearer credentials, and remote_writes what it scraped back into the service
/// with an ingest key as remote_write's bearer credentials: the README's configuration, end to end.
/// (Debian's Prometheus 2.42 drops remote_write's custom headers, so x-functions-key cannot be used there.)
/// </summary>
public sealed class PrometheusSelfScrapeTests
{
    private const string MetricsKey = "scrape-key";
    private const string IngestKey = "ingest-key";
    private const string QueryKey = "query-key";
    private const string Job = "functionsobservability";
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task Prometheus_ScrapesMetrics_AndItsRemoteWriteMakesUpAndTheProductsMetersQueryable()
    {
        await using var host = await ServiceHost.StartAsync(new Dictionary<string, string>
        {
            ["Auth:MetricsKeys"] = MetricsKey,
            ["Auth:IngestKeys"] = IngestKey,
            ["Auth:QueryKeys"] = QueryKey,
        });
        var target = host.Client.BaseAddress!.Authority;
        await using var prometheus = await PrometheusServer.StartAsync($$"""
            global:
              scrape_interval: 2s
              scrape_timeout: 2s
            scrape_configs:
              - job_name: {{Job}}
                metrics_path: /metrics
                authorization:
                  credentials: {{MetricsKey}}
                static_configs:
                  - targets: ['{{target}}']
            remote_write:
              - url: http://{{target}}/api/v1/write
                remote_timeout: 5s
                authorization:
                  credentials: {{IngestKey}}
                queue_config:
                  batch_send_deadline: 1s
                  min_backoff: 100ms
                  max_backoff: 1s
            """);

        var up = await PollPointsAsync(host, prometheus, "up", p => FromJob(p) && p.GetProperty("value").GetDouble() == 1);
        Assert.Equal(target, up.GetProperty("tags").GetProperty("instance").GetString());

        // One of the service's own gauges, scraped from itself and written back into itself. Its value
        // is not checked: every host in this test process has a storage meter of that name, and
        // OpenTelemetry listens to meters by name, so the gauge may read another test's store.
        var series = await PollPointsAsync(host, prometheus, "fo_storage_series", FromJob);
        Assert.Equal("FunctionsObservability.Storage", series.GetProperty("tags").GetProperty("otel_scope_name").GetString());

        // And through the service's Prometheus API, as Grafana would ask (the latest scrape may have
        // timed out on a loaded machine, so: was the target up at all in the last five minutes).
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/v1/query?query={Uri.EscapeDataString($"max_over_time(up{{job=\"{Job}\"}}[5m])")}");
        request.Headers.Add(FunctionKeyMiddleware.KeyHeader, QueryKey);
        using var response = await host.Client.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"/api/v1/query answered {(int)response.StatusCode}: {body}");
        var result = JsonDocument.Parse(body).RootElement.GetProperty("data").GetProperty("result");
        Assert.Equal("1", Assert.Single(result.EnumerateArray()).GetProperty("value")[1].GetString());
    }

    private static bool FromJob(JsonElement point) => point.GetProperty("tags").GetProperty("job").GetString() == Job;

    /// <summary>Polls <c>/api/query/points</c> until a point of <paramref name="metric"/> matches, within <see cref="Deadline"/>.</summary>
    private static async Task<JsonElement> PollPointsAsync(ServiceHost host, PrometheusServer prometheus, string metric, Func<JsonElement, bool> match)
    {
        var started = Stopwatch.StartNew();
        var last = "";
        while (started.Elapsed < Deadline)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/query/points?metric={metric}&limit=10000");
            request.Headers.Add(FunctionKeyMiddleware.KeyHeader, QueryKey);
            using var response = await host.Client.SendAsync(request);
            last = $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}";
            if (response.StatusCode == HttpStatusCode.OK)
            {
                var points = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("points");
                foreach (var point in points.EnumerateArray())
                {
                    if (match(point))
                    {
                        return point.Clone();
                    }
                }
            }

            await Task.Delay(200);
        }

        Assert.Fail($"no matching {metric} point within {Deadline.TotalSeconds} s; last answer: {last}\nprometheus:\n{prometheus.Output}");
        return default;
    }
}
