using System.Globalization;
using System.Net;
using System.Text;
using FunctionsObservability.Pipeline.Storage;
using FunctionsObservability.Tests.Infrastructure;

namespace FunctionsObservability.Tests.Http;

public sealed class ConcurrencyHttpTests
{
    private static readonly long Base = MeshFixture.BaseSeconds;

    [Fact]
    public async Task Ingest_64ConcurrentWriters_AllSucceedAndEveryPointIsStored()
    {
        await using var host = await ServiceHost.StartAsync();
        const int writers = 64;
        const int requestsEach = 20;
        const int linesEach = 10;

        var statuses = await Task.WhenAll(Enumerable.Range(0, writers).Select(async w =>
        {
            var codes = new List<HttpStatusCode>();
            for (var r = 0; r < requestsEach; r++)
            {
                var body = new StringBuilder();
                for (var l = 0; l < linesEach; l++)
                {
                    body.Append(CultureInfo.InvariantCulture, $"load,writer=w{w} v={(r * linesEach) + l} {Base + (r * linesEach) + l}\n");
                }

                using var response = await host.PostAsync("/api/v2/write?precision=s", body.ToString());
                codes.Add(response.StatusCode);
            }

            return codes;
        }));

        Assert.All(statuses.SelectMany(s => s), s => Assert.Equal(HttpStatusCode.NoContent, s));
        Assert.Equal(writers * requestsEach * linesEach, host.Service<SeriesCatalog>().ForMetric("load_v").Sum(s => s.PointCount));
        var page = await host.GetJsonAsync("/api/query/aggregate?metric=load_v&from=2000-01-01T00:00:00Z&step=1d&fn=count");
        Assert.Equal(writers * requestsEach * linesEach, page.GetProperty("series")[0].GetProperty("points").EnumerateArray().Sum(p => p.GetProperty("value").GetDouble()));
    }

    [Fact]
    public async Task Points_WalkingPagesWhileWritersRunAndRowsAreClustered_ReturnsEveryPointOnce()
    {
        await using var host = await ServiceHost.StartAsync(new Dictionary<string, string> { ["Storage:CompactionRowThreshold"] = "700" });
        var existing = new StringBuilder();
        for (var s = 0; s < 500; s++)
        {
            for (var h = 0; h < 4; h++)
            {
                existing.Append(CultureInfo.InvariantCulture, $"walk,host=h{h} v={(s * 10) + h} {Base + (s * 2)}\n");
            }
        }

        using (var response = await host.PostAsync("/api/v2/write?precision=s", existing.ToString()))
        {
            Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        }

        // New points keep arriving between the existing ones (odd seconds) while the walk runs,
        // and the low clustering threshold moves rows between tables under the walk.
        using var stop = new CancellationTokenSource();
        var writer = Task.Run(async () =>
        {
            var i = 0;
            while (!stop.IsCancellationRequested)
            {
                var body = new StringBuilder();
                for (var k = 0; k < 50; k++, i++)
                {
                    body.Append(CultureInfo.InvariantCulture, $"walk,host=late v={i} {Base + (((i * 2) + 1) % 1000)}\n");
                }

                using var response = await host.PostAsync("/api/v2/write?precision=s", body.ToString());
                Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
            }
        });

        var seen = new List<(string Time, string Host, double Value)>();
        string? cursor = null;
        do
        {
            var page = await host.GetJsonAsync("/api/query/points?metric=walk_v&limit=50" + (cursor is null ? "" : $"&cursor={cursor}"));
            seen.AddRange(page.GetProperty("points").EnumerateArray().Select(p => (
                p.GetProperty("timestamp").GetString()!,
                p.GetProperty("tags").GetProperty("host").GetString()!,
                p.GetProperty("value").GetDouble())));
            cursor = page.GetProperty("nextCursor").GetString();
        }
        while (cursor is not null);

        await stop.CancelAsync();
        await writer;

        var original = seen.Where(p => p.Host != "late").ToList();
        Assert.Equal(2000, original.Count);
        Assert.Equal(2000, original.Distinct().Count());
        Assert.Equal(seen.Count, seen.Distinct().Count());
        Assert.True(host.Service<PointWriter>().RecentRows < host.Service<SeriesCatalog>().ForMetric("walk_v").Sum(s => s.PointCount), "clustering never ran during the walk");
    }
}
