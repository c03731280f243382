using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using FunctionsObservability.Tests.Infrastructure;

namespace FunctionsObservability.Tests.Http;

public sealed class QueryHttpTests
{
    // An hour boundary a day ago, so buckets line up with whole minutes and hours.
    private static readonly long Hour = (MeshFixture.BaseSeconds / 3600) * 3600;

    private static string Iso(long seconds) => DateTimeOffset.FromUnixTimeSeconds(seconds).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    /// <summary>3 hosts in 2 regions, one point a second for 10 minutes; host hN has value N*1000 + second.</summary>
    private static async Task<ServiceHost> StartWithDataAsync(IDictionary<string, string>? settings = null)
    {
        var host = await ServiceHost.StartAsync(settings);
        var body = new StringBuilder();
        for (var second = 0; second < 600; second++)
        {
            for (var h = 0; h < 3; h++)
            {
                body.Append(CultureInfo.InvariantCulture, $"cpu,host=h{h},region=r{h % 2} usage={(h * 1000) + second} {Hour + second}\n");
            }
        }

        using var response = await host.PostAsync("/api/v2/write?precision=s", body.ToString());
        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        return host;
    }

    [Fact]
    public async Task Aggregate_OneHostPerMinute_ReturnsTheMeans()
    {
        await using var host = await StartWithDataAsync();

        var result = await host.GetJsonAsync($"/api/query/aggregate?metric=cpu_usage&from={Iso(Hour)}&to={Iso(Hour + 600)}&step=1m&fn=avg&tag=host:h1");

        var series = Assert.Single(result.GetProperty("series").EnumerateArray());
        Assert.Equal("h1", series.GetProperty("tags").GetProperty("host").GetString());
        var points = series.GetProperty("points").EnumerateArray().ToList();
        Assert.Equal(10, points.Count);
        Assert.Equal(Iso(Hour + 120), points[2].GetProperty("timestamp").GetString());
        Assert.Equal(1000 + 120 + 29.5, points[2].GetProperty("value").GetDouble());
    }

    [Theory]
    [InlineData("count", 60, 60, 60)]
    [InlineData("max", 59, 1059, 2059)]
    [InlineData("sum", 1770, 61770, 121770)]
    public async Task Aggregate_GroupByHost_GivesOneSeriesPerHost(string fn, double h0, double h1, double h2)
    {
        await using var host = await StartWithDataAsync();

        var result = await host.GetJsonAsync($"/api/query/aggregate?metric=cpu_usage&from={Iso(Hour)}&to={Iso(Hour + 60)}&step=1h&fn={fn}&groupBy=host");

        var firstValues = result.GetProperty("series").EnumerateArray()
            .Select(s => (s.GetProperty("tags").GetProperty("host").GetString(), s.GetProperty("points")[0].GetProperty("value").GetDouble()))
            .ToList();
        Assert.Equal([("h0", h0), ("h1", h1), ("h2", h2)], firstValues);
    }

    [Theory]
    [InlineData("avg", 1299.5, 1299.5)]
    [InlineData("min", 0, 1000)]
    [InlineData("count", 1200, 600)]
    [InlineData("sum", 1559400, 779700)]
    public async Task Aggregate_GroupByRegion_FoldsTheHostsOfEachRegion(string fn, double r0, double r1)
    {
        await using var host = await StartWithDataAsync();

        var result = await host.GetJsonAsync($"/api/query/aggregate?metric=cpu_usage&from={Iso(Hour)}&to={Iso(Hour + 600)}&step=10m&fn={fn}&groupBy=region");

        var regions = result.GetProperty("series").EnumerateArray().Select(s => (
            s.GetProperty("tags").GetProperty("region").GetString(),
            Assert.Single(s.GetProperty("points").EnumerateArray()).GetProperty("value").GetDouble())).ToList();
        Assert.Equal([("r0", r0), ("r1", r1)], regions);
    }

    [Fact]
    public async Task Aggregate_GroupByRegionWithPercentile_MergesHosts()
    {
        await using var host = await StartWithDataAsync();

        var result = await host.GetJsonAsync($"/api/query/aggregate?metric=cpu_usage&from={Iso(Hour)}&to={Iso(Hour + 600)}&step=10m&fn=p90&groupBy=region");

        var regions = result.GetProperty("series").EnumerateArray().ToDictionary(
            s => s.GetProperty("tags").GetProperty("region").GetString()!,
            s => Assert.Single(s.GetProperty("points").EnumerateArray()).GetProperty("value").GetDouble());
        // r0 holds h0 (0..599) and h2 (2000..2599); r1 holds h1 (1000..1599). Interpolated p90:
        Assert.Equal(2479.1, regions["r0"], 6);
        Assert.Equal(1539.1, regions["r1"], 6);
    }

    [Theory]
    [InlineData("/api/query/aggregate?metric=cpu_usage&from=2020-01-01T00:00:00Z&step=1s", "step")]
    [InlineData("/api/query/aggregate?metric=cpu_usage&from=2020-01-01T00:00:00Z&step=5x", "step")]
    [InlineData("/api/query/aggregate?metric=cpu_usage&step=1m", "from")]
    [InlineData("/api/query/aggregate?metric=cpu_usage&from=yesterday&step=1m", "from")]
    [InlineData("/api/query/aggregate?metric=cpu_usage&from=2020-01-01T00:00:00Z&step=1m&fn=median", "fn")]
    [InlineData("/api/query/aggregate?metric=cpu_usage&from=2020-01-01T00:00:00Z&to=2019-01-01T00:00:00Z&step=1m", "to")]
    [InlineData("/api/query/points?metric=cpu_usage&limit=10001", "limit")]
    [InlineData("/api/query/points?metric=cpu_usage&limit=0", "limit")]
    [InlineData("/api/query/points?metric=cpu_usage&cursor=nonsense", "cursor")]
    [InlineData("/api/query/points?metric=cpu_usage&tag=hostonly", "tag")]
    [InlineData("/api/query/points", "metric")]
    public async Task Query_BadParameter_Gets400NamingIt(string path, string parameter)
    {
        await using var host = await StartWithDataAsync();

        using var response = await host.Client.GetAsync(path);
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(parameter, body.GetProperty("parameter").GetString());
        Assert.Contains(parameter, body.GetProperty("error").GetString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("0")]
    public async Task Aggregate_BeforeAndAfterClustering_GivesTheSameAnswers(string? maxFoldedPartials)
    {
        // Folding minute partials here (the default for answers this small) and grouping in
        // DuckDB (MaxFoldedPartials 0) must each agree with the raw points. Clustering does not
        // change the data's version, so with the answer cache on, the second look would only
        // repeat the first: it is off here.
        // The explicit Compact below must be the only apply: the idle apply would race it on a busy machine.
        var settings = new Dictionary<string, string> { ["Query:AnswerCacheBytes"] = "0", ["Storage:CompactionIdleSeconds"] = "3600" };
        if (maxFoldedPartials is not null)
        {
            settings["Query:MaxFoldedPartials"] = maxFoldedPartials;
        }

        await using var host = await StartWithDataAsync(settings);
        string[] queries =
        [
            .. new[] { "avg", "min", "max", "sum", "count", "p90" }.SelectMany(fn => new[]
            {
                $"fn={fn}&step=1m&groupBy=host",
                $"fn={fn}&step=2m&groupBy=region",
                $"fn={fn}&step=5m",
                $"fn={fn}&step=1m&tag=region:r0",
                $"fn={fn}&step=30s&groupBy=host",
            }),
        ];
        // Whole minutes; whole minutes with ragged edges, read from the rollup and the points
        // around it; and less than a whole minute, read as points.
        (int First, int End)[] ranges = [(0, 600), (15, 590), (59, 61)];
        async Task<string[]> AnswersAsync() => await Task.WhenAll(ranges.SelectMany(r => queries.Select(async q =>
            (await host.GetJsonAsync($"/api/query/aggregate?metric=cpu_usage&from={Iso(Hour + r.First)}&to={Iso(Hour + r.End)}&{q}")).GetRawText())));

        var before = await AnswersAsync();
        var moved = host.Service<FunctionsObservability.Pipeline.Storage.PointWriter>().Compact();
        var after = await AnswersAsync();

        Assert.Equal(1800, moved);
        Assert.Equal(before, after);

        // Late points for minutes that are already rolled up: read from both tables, still equal.
        var late = new StringBuilder();
        for (var h = 0; h < 3; h++)
        {
            late.Append(CultureInfo.InvariantCulture, $"cpu,host=h{h},region=r{h % 2} usage=5000 {Hour + 30}\n");
        }

        using (var response = await host.PostAsync("/api/v2/write?precision=s", late.ToString()))
        {
            Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        }

        var mixed = await AnswersAsync();
        host.Service<FunctionsObservability.Pipeline.Storage.PointWriter>().Compact();
        Assert.Equal(mixed, await AnswersAsync());
        Assert.NotEqual(before, mixed);
    }

    [Fact]
    public async Task Aggregate_TooManyValuesInAll_Gets400()
    {
        await using var host = await StartWithDataAsync(new Dictionary<string, string> { ["Query:MaxPoints"] = "20" });

        using var response = await host.Client.GetAsync($"/api/query/aggregate?metric=cpu_usage&from={Iso(Hour)}&to={Iso(Hour + 600)}&step=1m&groupBy=host");
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("step", body.GetProperty("parameter").GetString());
        Assert.Contains("10 buckets × 3 series", body.GetProperty("error").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Aggregate_TooManyGroups_Gets400()
    {
        await using var host = await StartWithDataAsync(new Dictionary<string, string> { ["Query:MaxSeries"] = "2" });

        using var response = await host.Client.GetAsync($"/api/query/aggregate?metric=cpu_usage&from={Iso(Hour)}&step=1h&groupBy=host");
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("groupBy", body.GetProperty("parameter").GetString());
    }

    [Fact]
    public async Task Points_WalkingAllPages_ReturnsEachPointOnceInOrder()
    {
        await using var host = await StartWithDataAsync();
        var seen = new List<(string Time, string Host)>();
        string? cursor = null;
        do
        {
            var page = await host.GetJsonAsync($"/api/query/points?metric=cpu_usage&tag=region:r0&limit=7" + (cursor is null ? "" : $"&cursor={cursor}"));
            foreach (var point in page.GetProperty("points").EnumerateArray())
            {
                seen.Add((point.GetProperty("timestamp").GetString()!, point.GetProperty("tags").GetProperty("host").GetString()!));
            }

            cursor = page.GetProperty("nextCursor").GetString();
        }
        while (cursor is not null);

        Assert.Equal(1200, seen.Count);
        Assert.Equal(1200, seen.Distinct().Count());
        Assert.Equal(seen.OrderBy(p => p.Time, StringComparer.Ordinal).ThenBy(p => p.Host, StringComparer.Ordinal), seen);
        Assert.All(seen, p => Assert.NotEqual("h1", p.Host));
    }

    [Fact]
    public async Task Points_DuplicateTimestampsInOneSeries_AreEachReturnedOnce()
    {
        await using var host = await ServiceHost.StartAsync();
        var t = Hour;
        using (var response = await host.PostAsync("/api/v2/write?precision=s", $"d v=3 {t}\nd v=1 {t}\nd v=2 {t}\nd v=1 {t}\nd v=5 {t + 1}\n"))
        {
            Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        }

        var values = new List<double>();
        string? cursor = null;
        do
        {
            var page = await host.GetJsonAsync("/api/query/points?metric=d_v&limit=1" + (cursor is null ? "" : $"&cursor={cursor}"));
            values.AddRange(page.GetProperty("points").EnumerateArray().Select(p => p.GetProperty("value").GetDouble()));
            cursor = page.GetProperty("nextCursor").GetString();
        }
        while (cursor is not null);

        Assert.Equal([1, 1, 2, 3, 5], values);
    }

    [Fact]
    public async Task Metrics_ListsNamesSeriesAndCounts_AndTags()
    {
        await using var host = await StartWithDataAsync();

        var metrics = await host.GetJsonAsync("/api/metrics");
        var tags = await host.GetJsonAsync("/api/metrics/cpu_usage/tags");
        using var missing = await host.Client.GetAsync("/api/metrics/nope/tags");

        var metric = Assert.Single(metrics.GetProperty("metrics").EnumerateArray());
        Assert.Equal("cpu_usage", metric.GetProperty("metric").GetString());
        Assert.Equal(3, metric.GetProperty("series").GetInt32());
        Assert.Equal(1800, metric.GetProperty("points").GetInt64());
        Assert.Equal(["h0", "h1", "h2"], tags.GetProperty("tags").GetProperty("host").EnumerateArray().Select(v => v.GetString()));
        Assert.Equal(["r0", "r1"], tags.GetProperty("tags").GetProperty("region").EnumerateArray().Select(v => v.GetString()));
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
    }

    [Fact]
    public async Task Ingest_NewSeriesAfterRestart_GetTheirOwnIds()
    {
        var host = await ServiceHost.StartAsync();
        using (var response = await host.PostAsync("/api/v2/write?precision=s", $"r,host=a v=1 {Hour}\nr,host=b v=2 {Hour}\nother v=9 {Hour}\n"))
        {
            Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        }

        await host.StopAsync();
        await using var reopened = await ServiceHost.StartAsync(dataDirectory: host.DataDirectory);
        using (var response = await reopened.PostAsync("/api/v2/write?precision=s", $"r,host=c v=3 {Hour}\nr,host=a v=4 {Hour + 1}\nother2 v=8 {Hour}\n"))
        {
            Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        }

        var page = await reopened.GetJsonAsync("/api/query/points?metric=r_v");
        var points = page.GetProperty("points").EnumerateArray()
            .Select(p => (p.GetProperty("tags").GetProperty("host").GetString(), p.GetProperty("value").GetDouble()))
            .Order()
            .ToList();
        Assert.Equal([("a", 1), ("a", 4), ("b", 2), ("c", 3)], points);
        Assert.Equal(3, reopened.Service<FunctionsObservability.Pipeline.Storage.SeriesCatalog>().ForMetric("r_v").Select(s => s.Id).Distinct().Count());
        await host.DisposeAsync();
    }

    [Fact]
    public async Task Points_AfterRestart_AreStillThere()
    {
        var host = await StartWithDataAsync();
        var directory = host.DataDirectory;
        await host.StopAsync();

        await using var reopened = await ServiceHost.StartAsync(dataDirectory: directory);
        var page = await reopened.GetJsonAsync("/api/query/points?metric=cpu_usage&tag=host:h2&limit=1");

        Assert.Equal(2000, page.GetProperty("points")[0].GetProperty("value").GetDouble());
        await host.DisposeAsync();
    }
}
