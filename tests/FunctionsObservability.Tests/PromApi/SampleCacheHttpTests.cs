using System.Diagnostics.Metrics;
using System.Globalization;
using System.Text;
using FunctionsObservability.Pipeline.PromQL;
using FunctionsObservability.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace FunctionsObservability.Tests.PromApi;

/// <summary>
/// The PromQL sample cache through the HTTP API: answers from cached samples are the answers the
/// store gives, and a point acknowledged after a query is in the next answer.
/// </summary>
public sealed class SampleCacheHttpTests
{
    /// <summary>
    /// Two hours of three counters with resets (<c>requests_total</c>) and three gauges
    /// (<c>node_load</c>), every 10 s, ending an hour ago.
    /// </summary>
    private static readonly long Start = ((DateTimeOffset.UtcNow.ToUnixTimeSeconds() / 3600) - 3) * 3600;

    private static readonly long End = Start + 7200;

    [Fact]
    public async Task Queries_answered_from_cached_samples_equal_the_answers_of_a_service_without_the_cache()
    {
        await using var cached = await ServiceHost.StartAsync();
        await using var uncached = await ServiceHost.StartAsync(new Dictionary<string, string> { ["PromQL:SampleCacheBytes"] = "0" });
        foreach (var host in new[] { cached, uncached })
        {
            await WriteAsync(host, DataSet());
        }

        using var hits = new SampleCacheHits(cached);
        foreach (var path in Queries())
        {
            var expected = await GetTextAsync(uncached, path);
            var actual = await GetTextAsync(cached, path);
            Assert.True(expected == actual, $"{path}\nwithout the cache: {expected}\nwith it: {actual}");
            Assert.True(actual.Contains("\"metric\"", StringComparison.Ordinal), $"{path} answered no series: {actual}");
        }

        Assert.True(hits.Count > 50, $"only {hits.Count} series came from the cache");
        Assert.True(cached.Service<SeriesSampleCache>().Count > 0);
        Assert.Equal(0, uncached.Service<SeriesSampleCache>().Count);
    }

    [Fact]
    public async Task A_point_written_after_a_query_is_in_the_next_answer_over_the_same_range()
    {
        await using var host = await ServiceHost.StartAsync();
        await WriteAsync(host, DataSet());
        var count = $"/api/v1/query?query={Uri.EscapeDataString("count_over_time(node_load{host=\"h1\"}[3h])")}&time={End}";
        var max = $"/api/v1/query_range?query={Uri.EscapeDataString("max_over_time(node_load{host=\"h1\"}[1h])")}&start={Start + 3600}&end={End}&step=600";
        Assert.Contains("\"720\"", await GetTextAsync(host, count), StringComparison.Ordinal);
        var before = await GetTextAsync(host, max);
        Assert.Equal(before, await GetTextAsync(host, max));
        Assert.DoesNotContain("\"1000\"", before, StringComparison.Ordinal);

        // Between two stored samples, inside the range both queries read.
        await WriteAsync(host, $"node,host=h1,region=eu load=1000 {(Start + 3605) * 1_000_000_000L}\n");

        Assert.Contains("\"721\"", await GetTextAsync(host, count), StringComparison.Ordinal);
        var after = await GetTextAsync(host, max);
        Assert.Contains("\"1000\"", after, StringComparison.Ordinal);
        Assert.NotEqual(before, after);
    }

    [Fact]
    public async Task A_point_written_after_the_newest_sample_extends_the_cached_series_and_the_next_answer_holds_it()
    {
        await using var host = await ServiceHost.StartAsync();
        await WriteAsync(host, DataSet());
        using var hits = new SampleCacheHits(host);
        var count = $"/api/v1/query?query={Uri.EscapeDataString("count_over_time(node_load{host=\"h1\"}[3h])")}&time={End + 60}";
        var max = $"/api/v1/query?query={Uri.EscapeDataString("max_over_time(node_load{host=\"h1\"}[5m])")}&time={End + 60}";
        Assert.Contains("\"720\"", await GetTextAsync(host, count), StringComparison.Ordinal);
        Assert.Equal(0, hits.Count);

        await WriteAsync(host, $"node,host=h1,region=eu load=1000 {End * 1_000_000_000L}\n");

        Assert.Contains("\"721\"", await GetTextAsync(host, count), StringComparison.Ordinal);
        Assert.Equal(1, hits.Count);
        Assert.Contains("\"1000\"", await GetTextAsync(host, max), StringComparison.Ordinal);
        Assert.Equal(2, hits.Count);
    }

    [Fact]
    public async Task Queries_racing_live_writes_end_with_the_answers_of_a_service_without_the_cache()
    {
        // The reader asks as fast as answers come, past the default query rate limit.
        await using var cached = await ServiceHost.StartAsync(new Dictionary<string, string> { ["RateLimits:Query:TokensPerSecond"] = "0" });
        await using var uncached = await ServiceHost.StartAsync(new Dictionary<string, string> { ["PromQL:SampleCacheBytes"] = "0" });
        foreach (var host in new[] { cached, uncached })
        {
            await WriteAsync(host, DataSet());
        }

        var queries = new[]
        {
            $"/api/v1/query?query={Uri.EscapeDataString("count_over_time(node_load[3h])")}&time={End + 600}",
            $"/api/v1/query?query={Uri.EscapeDataString("sum by (region) (increase(requests_total[1h]))")}&time={End + 600}",
            $"/api/v1/query_range?query={Uri.EscapeDataString("max_over_time(node_load[2m])")}&start={End - 600}&end={End + 600}&step=20",
        };
        using var writing = new CancellationTokenSource();
        var reader = Task.Run(async () =>
        {
            var answers = 0;
            while (!writing.IsCancellationRequested)
            {
                foreach (var query in queries)
                {
                    await GetTextAsync(cached, query);
                    answers++;
                }
            }

            return answers;
        });

        // Ten seconds of points after the data set's end, one commit each, with the reader racing them.
        for (var t = End; t < End + 590; t += 10)
        {
            var lines = new StringBuilder();
            for (var h = 0; h < 3; h++)
            {
                var region = h == 2 ? "us" : "eu";
                lines.Append(CultureInfo.InvariantCulture, $"node,host=h{h},region={region} load={(t % 97) + h} {t * 1_000_000_000L}\n");
                lines.Append(CultureInfo.InvariantCulture, $"requests,host=h{h},region={region} total={(t - Start) * (h + 1)} {t * 1_000_000_000L}\n");
            }

            await WriteAsync(cached, lines.ToString());
            await WriteAsync(uncached, lines.ToString());
        }

        await writing.CancelAsync();
        Assert.True(await reader > 0);
        foreach (var query in queries)
        {
            Assert.Equal(await GetTextAsync(uncached, query), await GetTextAsync(cached, query));
        }

        Assert.True(cached.Service<SeriesSampleCache>().Count > 0);
    }

    private static IEnumerable<string> Queries()
    {
        var expressions = new[]
        {
            "rate(requests_total[5m])",
            "sum by (region) (rate(requests_total[5m]))",
            "increase(requests_total{host=\"h2\"}[2m])",
            "avg_over_time(node_load{host=\"h1\"}[1m])",
            "max_over_time(node_load[10m] offset 5m)",
            "node_load",
            "delta(node_load[15m])",
            "quantile_over_time(0.9, node_load[30m])",
        };

        // The widest range first, so the narrower ones after it can be served from what it read.
        var ranges = new (long From, long To, long Step)[]
        {
            (Start, End + 600, 60),
            (Start + 1800, End - 1800, 30),
            (Start + 17, Start + 917, 15),
            (End - 300, End + 300, 10),
        };
        foreach (var (from, to, step) in ranges)
        {
            foreach (var expression in expressions)
            {
                yield return $"/api/v1/query_range?query={Uri.EscapeDataString(expression)}&start={from}&end={to}&step={step}";
            }
        }

        foreach (var at in new[] { Start + 10, Start + 3333, End, End + 30 })
        {
            yield return $"/api/v1/query?query={Uri.EscapeDataString("requests_total[1m]")}&time={at}";
            yield return $"/api/v1/query?query={Uri.EscapeDataString("rate(requests_total[5m])")}&time={at}";
        }
    }

    private static string DataSet()
    {
        var text = new StringBuilder();
        var random = new Random(11);
        var counters = new double[3];
        for (var t = Start; t < End; t += 10)
        {
            for (var h = 0; h < 3; h++)
            {
                // A reset now and then, as a restarted process's counter.
                counters[h] = random.Next(0, 40) == 0 ? random.Next(0, 5) : counters[h] + random.Next(0, 20);
                var region = h == 2 ? "us" : "eu";
                text.Append(CultureInfo.InvariantCulture, $"requests,host=h{h},region={region} total={counters[h]} {t * 1_000_000_000L}\n");
                text.Append(CultureInfo.InvariantCulture, $"node,host=h{h},region={region} load={random.Next(0, 100) / 4.0} {t * 1_000_000_000L}\n");
            }
        }

        return text.ToString();
    }

    private static async Task WriteAsync(ServiceHost host, string lines)
    {
        using var response = await host.PostAsync("/api/v2/write?precision=ns", lines);
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
    }

    private static async Task<string> GetTextAsync(ServiceHost host, string path)
    {
        using var response = await host.Client.GetAsync(path);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"GET {path}: {(int)response.StatusCode} {text}");
        return text;
    }

    /// <summary>The series one host's selectors read from the sample cache, from its own meter.</summary>
    private sealed class SampleCacheHits : IDisposable
    {
        private readonly MeterListener _listener = new();
        private long _count;

        public SampleCacheHits(ServiceHost host)
        {
            var factory = host.App.Services.GetRequiredService<IMeterFactory>();
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Name == "fo.promql.sample_cache.hits" && ReferenceEquals(instrument.Meter.Scope, factory))
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            };
            _listener.SetMeasurementEventCallback<long>((_, value, _, _) => Interlocked.Add(ref _count, value));
            _listener.Start();
        }

        public long Count => Interlocked.Read(ref _count);

        public void Dispose() => _listener.Dispose();
    }
}
