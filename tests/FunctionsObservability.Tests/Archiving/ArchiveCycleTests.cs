using System.Text.Json;
using FunctionsObservability.Tests.Archive;
using FunctionsObservability.Tests.Infrastructure;

namespace FunctionsObservability.Tests.Archiving;

/// <summary>Ingest, archive, query: the answers do not depend on which tier holds a point. Run on the local store and on Blob (Azurite).</summary>
public sealed class ArchiveCycleTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>
{
    private AzuriteServer? Store(bool blob) => blob ? azurite.Server : null;

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Archive_ThenQuery_GivesTheSameAnswersAsBefore(bool blob)
    {
        await using var host = await ServiceHost.StartAsync(ArchiveTestKit.Settings(Store(blob)));
        await ArchiveTestKit.IngestAsync(host);
        var before = await ArchiveTestKit.CaptureAsync(host);

        var run = await ArchiveTestKit.ArchiveNowAsync(host);

        // Four old hours of cpu_usage and two of mem_used; the recent hour stays hot.
        Assert.Equal("completed", run.GetProperty("status").GetString());
        Assert.Equal(6, run.GetProperty("filesArchived").GetInt32());
        Assert.Equal(0, ArchiveTestKit.HotRows(host, "cpu_usage", ArchiveTestKit.RecentHour));
        Assert.Equal(0, ArchiveTestKit.HotRows(host, "mem_used", ArchiveTestKit.RecentHour));
        Assert.Equal(3 * 180 + 6, ArchiveTestKit.HotRows(host, "cpu_usage", ArchiveTestKit.RecentHour + 3600));
        ArchiveTestKit.AssertSameAnswers(before, await ArchiveTestKit.CaptureAsync(host));

        // A second run finds nothing left to archive.
        var again = await ArchiveTestKit.ArchiveNowAsync(host);
        Assert.Equal(0, again.GetProperty("filesArchived").GetInt32());
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Archive_ManifestEndpoint_ListsPartitionsFilesRowsAndBytes(bool blob)
    {
        await using var host = await ServiceHost.StartAsync(ArchiveTestKit.Settings(Store(blob)));
        await ArchiveTestKit.IngestAsync(host);
        await ArchiveTestKit.ArchiveNowAsync(host);

        var manifest = await host.GetJsonAsync("/api/admin/archive");

        Assert.Equal(6, manifest.GetProperty("files").GetInt32());
        Assert.Equal(6, manifest.GetProperty("partitions").GetInt32());
        Assert.Equal((4 * 3 * 180) + (4 * 6) + 120, manifest.GetProperty("rows").GetInt64());
        var partitions = manifest.GetProperty("partitionList").EnumerateArray().ToList();
        var first = partitions.First(p => p.GetProperty("metric").GetString() == "cpu_usage");
        Assert.Equal(ArchiveTestKit.Iso(ArchiveTestKit.OldHour), first.GetProperty("hour").GetString());
        Assert.Equal((3 * 180) + 6, first.GetProperty("rows").GetInt64());
        var file = Assert.Single(first.GetProperty("files").EnumerateArray());
        var date = DateTimeOffset.FromUnixTimeSeconds(ArchiveTestKit.OldHour).UtcDateTime;
        Assert.Equal($"metric=cpu_usage/date={date:yyyy-MM-dd}/hour={date:HH}/part-00000.parquet", file.GetProperty("path").GetString());
        Assert.True(file.GetProperty("bytes").GetInt64() > 0);
        Assert.Equal(manifest.GetProperty("bytes").GetInt64(), partitions.Sum(p => p.GetProperty("bytes").GetInt64()));
    }

    [Fact]
    public async Task Archive_LocalStore_WritesHiveLayoutParquetFiles()
    {
        await using var host = await ServiceHost.StartAsync(ArchiveTestKit.Settings(null));
        await ArchiveTestKit.IngestAsync(host);
        await ArchiveTestKit.ArchiveNowAsync(host);

        var root = Path.Combine(host.DataDirectory, "archive");
        var files = Directory.GetFiles(root, "*.parquet", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(root, f).Replace('\\', '/')).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(6, files.Count);
        Assert.All(files, f => Assert.Matches(@"^metric=(cpu_usage|mem_used)/date=\d{4}-\d{2}-\d{2}/hour=\d{2}/part-00000\.parquet$", f));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task CursorTakenBeforeArchiving_StillContinuesTheWalkAfterIt(bool blob)
    {
        await using var host = await ServiceHost.StartAsync(ArchiveTestKit.Settings(Store(blob)));
        await ArchiveTestKit.IngestAsync(host);
        var query = "metric=cpu_usage&tag=host:h0&limit=50";
        var first = await host.GetJsonAsync($"/api/query/points?{query}");
        var cursor = first.GetProperty("nextCursor").GetString()!;
        var expected = (await host.GetJsonAsync($"/api/query/points?{query}&cursor={Uri.EscapeDataString(cursor)}")).GetRawText();

        await ArchiveTestKit.ArchiveNowAsync(host);

        var after = (await host.GetJsonAsync($"/api/query/points?{query}&cursor={Uri.EscapeDataString(cursor)}")).GetRawText();
        Assert.Equal(expected, after);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task LatePoints_ForAnArchivedHour_AreQueriedHotThenArchivedAsASecondFile(bool blob)
    {
        await using var host = await ServiceHost.StartAsync(ArchiveTestKit.Settings(Store(blob)));
        await ArchiveTestKit.IngestAsync(host);
        await ArchiveTestKit.ArchiveNowAsync(host);

        // Late points, one on an instant already archived for the same series.
        await ArchiveTestKit.WriteAsync(host, $"cpu,host=h1,region=r1 usage=5 {ArchiveTestKit.OldHour + 5}\ncpu,host=h1,region=r1 usage=9 {ArchiveTestKit.OldHour + 20}\n");
        var withLate = await ArchiveTestKit.CaptureAsync(host);
        var count = await host.GetJsonAsync($"/api/query/aggregate?metric=cpu_usage&tag=host:h1&from={ArchiveTestKit.Iso(ArchiveTestKit.OldHour)}&to={ArchiveTestKit.Iso(ArchiveTestKit.OldHour + 3600)}&fn=count&step=1h");
        Assert.Equal(182, count.GetProperty("series")[0].GetProperty("points")[0].GetProperty("value").GetDouble());

        var run = await ArchiveTestKit.ArchiveNowAsync(host);

        Assert.Equal(1, run.GetProperty("filesArchived").GetInt32());
        Assert.Equal(2, run.GetProperty("rowsArchived").GetInt64());
        var manifest = await host.GetJsonAsync("/api/admin/archive?metric=cpu_usage");
        var hour = manifest.GetProperty("partitionList").EnumerateArray().First();
        Assert.Equal(["part-00000.parquet", "part-00001.parquet"], hour.GetProperty("files").EnumerateArray().Select(f => f.GetProperty("path").GetString()!.Split('/')[^1]).ToArray());
        ArchiveTestKit.AssertSameAnswers(withLate, await ArchiveTestKit.CaptureAsync(host));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Restart_AfterArchiving_AnswersTheSameFromAColdCache(bool blob)
    {
        using var data = new TempDirectory();
        var settings = ArchiveTestKit.Settings(Store(blob));
        List<string> before;
        await using (var host = await ServiceHost.StartAsync(settings, data.Path))
        {
            await ArchiveTestKit.IngestAsync(host);
            before = await ArchiveTestKit.CaptureAsync(host);
            await ArchiveTestKit.ArchiveNowAsync(host);
        }

        await using var restarted = await ServiceHost.StartAsync(settings, data.Path);
        ArchiveTestKit.AssertSameAnswers(before, await ArchiveTestKit.CaptureAsync(restarted));
        Assert.Equal(6, (await restarted.GetJsonAsync("/api/admin/archive")).GetProperty("files").GetInt32());
    }

    [Fact]
    public async Task ArchiveEndpoints_AreServedAtTheFunctionsRouteToo()
    {
        await using var host = await ServiceHost.StartAsync(ArchiveTestKit.Settings(null));
        await ArchiveTestKit.IngestAsync(host);

        using var response = await host.Client.PostAsync("/api/ops/archive", null);
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        var manifest = await host.GetJsonAsync("/api/ops/archive");
        Assert.Equal(6, manifest.GetProperty("files").GetInt32());
        Assert.Equal(JsonValueKind.Array, manifest.GetProperty("partitionList").ValueKind);
    }
}
