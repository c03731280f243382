using System.Diagnostics.Metrics;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using FunctionsObservability.Pipeline.Archive;
using FunctionsObservability.Pipeline.Query;
using FunctionsObservability.Tests.Archiving;
using FunctionsObservability.Tests.Infrastructure;

namespace FunctionsObservability.Tests.Http;

/// <summary>
/// The aggregate answer cache through the real app: a repeated query is answered from it, and no
/// acknowledged write, archive run or retention run is ever hidden behind a cached answer.
/// </summary>
public sealed class AggregateAnswerCacheHttpTests
{
    private static readonly long Hour = (MeshFixture.BaseSeconds / 3600) * 3600;

    private static string Iso(long seconds) => DateTimeOffset.FromUnixTimeSeconds(seconds).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    private static string OneHost(long first, long end, string step = "1m") =>
        $"/api/query/aggregate?metric=cpu_usage&from={Iso(first)}&to={Iso(end)}&step={step}&fn=avg&tag=host:h1";

    /// <summary>3 hosts, one point a second for 10 minutes from <paramref name="first"/>; host hN has value N*1000 + second.</summary>
    private static async Task WriteCpuAsync(ServiceHost host, long first)
    {
        var body = new StringBuilder();
        for (var second = 0; second < 600; second++)
        {
            for (var h = 0; h < 3; h++)
            {
                body.Append(CultureInfo.InvariantCulture, $"cpu,host=h{h},region=r{h % 2} usage={(h * 1000) + second} {first + second}\n");
            }
        }

        await WriteAsync(host, body.ToString());
    }

    /// <summary>Writes synchronously: a 204 means committed and acknowledged.</summary>
    private static async Task WriteAsync(ServiceHost host, string lines)
    {
        using var response = await host.PostAsync("/api/v2/write?precision=s", lines);
        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
    }

    private static async Task<string> GetAsync(ServiceHost host, string path) => (await host.GetJsonAsync(path)).GetRawText();

    private static double ValueAt(string answer, int index) =>
        JsonDocument.Parse(answer).RootElement.GetProperty("series")[0].GetProperty("points")[index].GetProperty("value").GetDouble();

    [Fact]
    public async Task Aggregate_RepeatedQuery_IsAnsweredFromTheCache()
    {
        await using var host = await ServiceHost.StartAsync();
        await WriteCpuAsync(host, Hour);
        using var counts = new CacheCounts(host.Service<QueryMetrics>());

        var first = await GetAsync(host, OneHost(Hour, Hour + 590));
        var second = await GetAsync(host, OneHost(Hour, Hour + 590));

        Assert.Equal(first, second);
        Assert.Equal((1, 1), counts.HitsAndMisses);
        Assert.Equal(1, host.Service<AggregateAnswerCache>().Count);
    }

    [Fact]
    public async Task Aggregate_AfterAnAcknowledgedWriteToTheMetric_ShowsTheNewPoint()
    {
        await using var host = await ServiceHost.StartAsync();
        await WriteCpuAsync(host, Hour);
        using var counts = new CacheCounts(host.Service<QueryMetrics>());
        var path = OneHost(Hour, Hour + 600);
        var before = await GetAsync(host, path);
        Assert.Equal(1000 + 120 + 29.5, ValueAt(before, 2));

        // A 61st point in minute 2 of h1; answered only once committed.
        await WriteAsync(host, $"cpu,host=h1,region=r1 usage=1000000 {Hour + 150}\n");
        var after = await GetAsync(host, path);

        Assert.Equal(((1000 + 120 + 29.5) * 60 + 1_000_000) / 61, ValueAt(after, 2), 9);
        Assert.Equal((0, 2), counts.HitsAndMisses);
        Assert.Equal(after, await GetAsync(host, path));
        Assert.Equal((1, 2), counts.HitsAndMisses);
    }

    [Fact]
    public async Task Aggregate_AfterANewSeriesOfTheMetric_ShowsIt()
    {
        await using var host = await ServiceHost.StartAsync();
        await WriteCpuAsync(host, Hour);
        var path = $"/api/query/aggregate?metric=cpu_usage&from={Iso(Hour)}&to={Iso(Hour + 600)}&step=10m&fn=count&groupBy=host";
        Assert.Equal(3, (await host.GetJsonAsync(path)).GetProperty("series").GetArrayLength());

        await WriteAsync(host, $"cpu,host=h9,region=r1 usage=1 {Hour + 10}\n");
        var series = (await host.GetJsonAsync(path)).GetProperty("series");

        Assert.Equal(4, series.GetArrayLength());
        Assert.Equal("h9", series[3].GetProperty("tags").GetProperty("host").GetString());
    }

    [Fact]
    public async Task Aggregate_AfterAWriteToAnotherMetric_IsStillAnsweredFromTheCache()
    {
        await using var host = await ServiceHost.StartAsync();
        await WriteCpuAsync(host, Hour);
        using var counts = new CacheCounts(host.Service<QueryMetrics>());
        var path = OneHost(Hour, Hour + 600);
        var before = await GetAsync(host, path);

        await WriteAsync(host, $"mem,host=h1 used=42 {Hour + 150}\n");

        Assert.Equal(before, await GetAsync(host, path));
        Assert.Equal((1, 1), counts.HitsAndMisses);
    }

    [Fact]
    public async Task Aggregate_AfterRetentionDeletedPoints_IsComputedAgain()
    {
        // Hot rows older than a week are deleted when archiving is off.
        await using var host = await ServiceHost.StartAsync(new Dictionary<string, string> { ["Archive:Enabled"] = "false" });
        var old = Hour - (8 * 86_400);
        await WriteCpuAsync(host, old);
        await WriteCpuAsync(host, Hour);
        using var counts = new CacheCounts(host.Service<QueryMetrics>());
        var path = $"/api/query/aggregate?metric=cpu_usage&from={Iso(old)}&to={Iso(Hour + 3600)}&step=1h&fn=count";
        var before = (await host.GetJsonAsync(path)).GetProperty("series")[0].GetProperty("points");
        Assert.Equal(2, before.GetArrayLength());

        var result = await host.Service<RetentionRunner>().RunAsync(CancellationToken.None);
        var after = (await host.GetJsonAsync(path)).GetProperty("series")[0].GetProperty("points");

        Assert.Equal(1800, result.HotRowsDeleted);
        var left = Assert.Single(after.EnumerateArray());
        Assert.Equal(Iso(Hour), left.GetProperty("timestamp").GetString());
        Assert.Equal((0, 2), counts.HitsAndMisses);
    }

    [Fact]
    public async Task Aggregate_AfterAnArchiveRun_IsComputedAgainWithTheSameAnswer()
    {
        await using var host = await ServiceHost.StartAsync();
        var old = ((DateTimeOffset.UtcNow.ToUnixTimeSeconds() / 3600) - 72) * 3600;
        await WriteCpuAsync(host, old);
        using var counts = new CacheCounts(host.Service<QueryMetrics>());
        var path = OneHost(old, old + 600);
        var before = await GetAsync(host, path);

        var result = await host.Service<ArchiveRunner>().RunAsync(CancellationToken.None);
        var after = await GetAsync(host, path);

        Assert.True(result.Succeeded, result.Describe());
        Assert.Equal(1, result.FilesArchived);
        Assert.Equal(before, after);
        Assert.Equal((0, 2), counts.HitsAndMisses);
    }

    [Fact]
    public async Task Aggregate_WithoutTo_IsKeyedByTheEndItResolvesTo_SoALaterNowSeesLaterPoints()
    {
        var minute = ((DateTimeOffset.UtcNow.ToUnixTimeSeconds() / 60) * 60) - 3600;
        var clock = new ManualClock(DateTimeOffset.FromUnixTimeSeconds(minute + 10));
        await using var host = await ServiceHost.StartAsync(configure: clock.Register);
        await WriteAsync(host, $"cpu,host=h1 usage=1 {minute + 5}\ncpu,host=h1 usage=2 {minute + 65}\n");
        using var counts = new CacheCounts(host.Service<QueryMetrics>());
        var path = $"/api/query/aggregate?metric=cpu_usage&from={Iso(minute)}&step=1m&fn=sum";

        var now = (await host.GetJsonAsync(path)).GetProperty("series")[0].GetProperty("points");
        clock.Now = DateTimeOffset.FromUnixTimeSeconds(minute + 70);
        var later = (await host.GetJsonAsync(path)).GetProperty("series")[0].GetProperty("points");

        Assert.Equal(1, now.GetArrayLength());
        Assert.Equal(2, later.GetArrayLength());
        Assert.Equal((0, 2), counts.HitsAndMisses);
    }

    [Fact]
    public async Task Aggregate_WithTheCacheOff_AlwaysRunsTheQuery()
    {
        await using var host = await ServiceHost.StartAsync(new Dictionary<string, string> { ["Query:AnswerCacheBytes"] = "0" });
        await WriteCpuAsync(host, Hour);
        using var counts = new CacheCounts(host.Service<QueryMetrics>());

        var first = await GetAsync(host, OneHost(Hour, Hour + 600));
        Assert.Equal(first, await GetAsync(host, OneHost(Hour, Hour + 600)));

        Assert.Equal((0, 0), counts.HitsAndMisses);
        Assert.Equal(0, host.Service<AggregateAnswerCache>().Count);
    }

    /// <summary>Counts the hits and misses of one app's cache (other tests' apps run in parallel).</summary>
    private sealed class CacheCounts : IDisposable
    {
        private readonly MeterListener _listener = new();
        private long _hits;
        private long _misses;

        public CacheCounts(QueryMetrics metrics)
        {
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (ReferenceEquals(instrument, metrics.AnswerCacheHits) || ReferenceEquals(instrument, metrics.AnswerCacheMisses))
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            };
            _listener.SetMeasurementEventCallback<long>((instrument, value, _, _) =>
            {
                if (ReferenceEquals(instrument, metrics.AnswerCacheHits))
                {
                    Interlocked.Add(ref _hits, value);
                }
                else
                {
                    Interlocked.Add(ref _misses, value);
                }
            });
            _listener.Start();
        }

        public (long Hits, long Misses) HitsAndMisses => (Interlocked.Read(ref _hits), Interlocked.Read(ref _misses));

        public void Dispose() => _listener.Dispose();
    }
}
