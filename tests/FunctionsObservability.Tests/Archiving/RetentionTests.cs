using FunctionsObservability.Functions.Timers;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using FunctionsObservability.Pipeline.Archive;
using FunctionsObservability.Pipeline.PromQL;
using FunctionsObservability.Tests.Archive;
using FunctionsObservability.Tests.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;

namespace FunctionsObservability.Tests.Archiving;

/// <summary>
/// Retention on a clock the test moves: archived files whose hour ended before now - RetentionDays
/// go, from the store and the manifest, and nothing else does; hot rows go for age only when
/// archiving is off. "Nothing else" is checked against a second host that was only ever given
/// the points that should be left.
/// </summary>
public sealed class RetentionTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>
{
    /// <summary>The first two old hours: what the retention runs below are set up to delete.</summary>
    private static readonly long ExpiredBefore = ArchiveTestKit.OldHour + (2 * 3600);

    /// <summary>cpu_usage's first two hours and both hours of mem_used.</summary>
    private static readonly long ExpiredRows = (2 * ArchiveTestKit.CpuRowsPerHour) + (2 * ArchiveTestKit.MemRowsPerHour);

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task ArchivedFilesPastRetention_AreDeletedFromStoreAndManifest_QueriesLoseExactlyThosePoints(bool blob)
    {
        var clock = new ManualClock(DateTimeOffset.UtcNow);
        var settings = ArchiveTestKit.Settings(blob ? azurite.Server : null);
        settings["Archive:RetentionDays"] = "3";
        await using var host = await ServiceHost.StartAsync(settings, configure: clock.Register);
        await ArchiveTestKit.IngestAsync(host);
        Assert.Equal(ArchiveTestKit.ArchivedFiles, (await ArchiveTestKit.ArchiveNowAsync(host)).GetProperty("filesArchived").GetInt32());
        var metricsBefore = await host.GetJsonAsync("/api/metrics");
        var expected = await ReferenceAnswersAsync();

        // Exactly when the second old hour has been over for three days: it is due (its end is the
        // horizon), the third is not (it ends an hour after it). Both mem_used hours are due too.
        clock.Now = DateTimeOffset.FromUnixTimeSeconds(ExpiredBefore) + TimeSpan.FromDays(3);
        var log = await RunRetentionTimerAsync(host);

        Assert.Contains($"deleted 4 archived files ({ExpiredRows} rows) and 0 hot rows", log, StringComparison.Ordinal);
        Assert.DoesNotContain("stopped", log, StringComparison.Ordinal);

        var kept = ArchiveFailureTests.Partitions().Where(p => p.HourStart >= ExpiredBefore).ToList();
        Assert.Equal(["cpu_usage", "cpu_usage"], kept.Select(p => p.Metric));
        var keptPaths = kept.Select(p => ArchiveFailureTests.PathOf(p.Metric, p.HourStart, 0)).Order(StringComparer.Ordinal).ToList();
        var manifest = await host.GetJsonAsync("/api/admin/archive");
        Assert.Equal(2, manifest.GetProperty("files").GetInt32());
        Assert.Equal(2 * ArchiveTestKit.CpuRowsPerHour, manifest.GetProperty("rows").GetInt64());
        Assert.Equal(keptPaths, ArchiveFailureTests.Paths(manifest));
        Assert.Equal(keptPaths, await host.Service<IArchiveStore>().ListPathsAsync());
        if (!blob)
        {
            Assert.Equal(keptPaths, ArchiveFailureTests.LocalArchiveFiles(host));
        }

        // The points that were kept answer exactly as on a host that never had the expired ones.
        ArchiveTestKit.AssertSameAnswers(expected, await ArchiveTestKit.CaptureAsync(host));
        var metricsAfter = await host.GetJsonAsync("/api/metrics");
        Assert.Equal(Points(metricsBefore, "cpu_usage") - (2 * ArchiveTestKit.CpuRowsPerHour), Points(metricsAfter, "cpu_usage"));
        Assert.Equal(2 * ArchiveTestKit.MemRowsPerHour, Points(metricsBefore, "mem_used"));
        Assert.Null(Points(metricsAfter, "mem_used"));
        Assert.Equal(
            metricsBefore.GetProperty("metrics").EnumerateArray().Sum(m => m.GetProperty("points").GetInt64()) - ExpiredRows,
            metricsAfter.GetProperty("metrics").EnumerateArray().Sum(m => m.GetProperty("points").GetInt64()));

        // Nothing hot was touched, and a second run finds nothing more to delete.
        Assert.Equal(ArchiveTestKit.CpuRowsPerHour, ArchiveFailureTests.HotRowsInHour(host, "cpu_usage", ArchiveTestKit.RecentHour));
        var again = await host.Service<RetentionRunner>().RunAsync(CancellationToken.None);
        Assert.True(again.Succeeded, again.Describe());
        Assert.Equal(0, again.FilesDeleted);
        Assert.Equal(0, again.ArchivedRowsDeleted);
        Assert.Equal(keptPaths, await host.Service<IArchiveStore>().ListPathsAsync());
    }

    [Fact]
    public async Task ArchivingOn_HotRowsPastHotRetentionNotYetArchived_AreKeptAndReportedAsWaiting()
    {
        var clock = new ManualClock(DateTimeOffset.UtcNow);
        var settings = ArchiveTestKit.Settings(null);
        settings["Archive:HotRetentionDays"] = "7";
        await using var host = await ServiceHost.StartAsync(settings, configure: clock.Register);
        await ArchiveTestKit.IngestAsync(host);
        var before = await ArchiveTestKit.CaptureAsync(host);

        // Every row is far past hot retention, and none is archived (archiving is on but has not run, as when it keeps failing).
        clock.Now = DateTimeOffset.UtcNow + TimeSpan.FromDays(60);
        var result = await host.Service<RetentionRunner>().RunAsync(CancellationToken.None);

        var everyRow = ArchiveFailureTests.AllArchivableRows + ArchiveTestKit.CpuRowsPerHour;
        Assert.True(result.Succeeded, result.Describe());
        Assert.Equal(0, result.HotRowsDeleted);
        Assert.Equal(everyRow, result.HotRowsWaitingForArchive);
        Assert.Equal(0, result.FilesDeleted);
        Assert.Contains($"{everyRow} hot rows past hot retention are kept until archived", result.Describe(), StringComparison.Ordinal);
        ArchiveFailureTests.AssertEverythingHot(host);
        ArchiveTestKit.AssertSameAnswers(before, await ArchiveTestKit.CaptureAsync(host));

        // The timer function says the same.
        Assert.Contains($"{everyRow} hot rows past hot retention are kept until archived", await RunRetentionTimerAsync(host), StringComparison.Ordinal);
        ArchiveFailureTests.AssertEverythingHot(host);
    }

    /// <summary>Rows still in arrival order, and rows clustered with their minute rollup, are both deleted.</summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task ArchivingOff_RetentionDeletesHotRowsOlderThanHotRetention_AndNothingElse(bool compacted)
    {
        var clock = new ManualClock(DateTimeOffset.UtcNow);
        var settings = ArchiveTestKit.Settings(null).KeepRowsInArrivalOrder();
        settings["Archive:Enabled"] = "false";
        settings["Archive:HotRetentionDays"] = "3";
        await using var host = await ServiceHost.StartAsync(settings, configure: clock.Register);
        await ArchiveTestKit.IngestAsync(host);
        if (compacted)
        {
            await ArchiveTestKit.CompactAsync(host);
        }

        var expected = await ReferenceAnswersAsync();

        // Answered before retention, the PromQL queries fill the sample cache: the answers after
        // it must not come from there.
        Assert.NotEqual(expected, await ArchiveTestKit.CaptureAsync(host));
        Assert.True(host.Service<SeriesSampleCache>().Count > 0);

        // The hot horizon falls exactly on the start of the third old hour.
        clock.Now = DateTimeOffset.FromUnixTimeSeconds(ExpiredBefore) + TimeSpan.FromDays(3);
        var result = await host.Service<RetentionRunner>().RunAsync(CancellationToken.None);

        Assert.True(result.Succeeded, result.Describe());
        Assert.Equal(ExpiredRows, result.HotRowsDeleted);
        Assert.Equal(0, result.HotRowsWaitingForArchive);
        Assert.Equal(0, result.FilesDeleted);
        Assert.Contains($"and {ExpiredRows} hot rows", result.Describe(), StringComparison.Ordinal);
        Assert.Equal(0, ArchiveTestKit.HotRows(host, "cpu_usage", ExpiredBefore));
        Assert.Equal(0, ArchiveTestKit.HotRows(host, "mem_used", ArchiveTestKit.RecentHour + 3600));
        foreach (var hour in new[] { ExpiredBefore, ExpiredBefore + 3600, ArchiveTestKit.RecentHour })
        {
            Assert.Equal(ArchiveTestKit.CpuRowsPerHour, ArchiveFailureTests.HotRowsInHour(host, "cpu_usage", hour));
        }

        ArchiveTestKit.AssertSameAnswers(expected, await ArchiveTestKit.CaptureAsync(host));
        Assert.Empty(ArchiveFailureTests.LocalArchiveFiles(host));
        Assert.Equal(0, (await host.GetJsonAsync("/api/admin/archive")).GetProperty("files").GetInt32());

        // Run again at the same instant: nothing more is old enough.
        var again = await host.Service<RetentionRunner>().RunAsync(CancellationToken.None);
        Assert.Equal(0, again.HotRowsDeleted);
        ArchiveTestKit.AssertSameAnswers(expected, await ArchiveTestKit.CaptureAsync(host));
    }

    /// <summary>
    /// Blob Storage hangs while retention deletes: the run reports the failure within the network
    /// timeouts instead of hanging or throwing; the due files are already out of the manifest
    /// (marked expiring) and still in the store; the next run, with storage back, finishes the delete and
    /// counts those files' rows.
    /// </summary>
    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    public async Task StoreHangsDuringRetention_RunFailsCleanly_ExpiredFilesStayOutOfQueries_NextRunFinishesTheDelete(int maxRetries)
    {
        var clock = new ManualClock(DateTimeOffset.UtcNow);
        await using var proxy = new StallingTcpProxy(new IPEndPoint(IPAddress.Loopback, BlobPort(azurite.Server))) { Stalling = false };
        var settings = ArchiveTestKit.Settings(azurite.Server);
        settings["Archive:ConnectionString"] = proxy.BlobConnectionString(azurite.Server.ConnectionString);
        settings["Archive:NetworkTimeoutSeconds"] = "2";
        settings["Archive:MaxRetries"] = maxRetries.ToString(CultureInfo.InvariantCulture);
        settings["Archive:RetentionDays"] = "3";
        await using var host = await ServiceHost.StartAsync(settings, configure: clock.Register);
        await ArchiveTestKit.IngestAsync(host);
        Assert.Equal(ArchiveTestKit.ArchivedFiles, (await ArchiveTestKit.ArchiveNowAsync(host)).GetProperty("filesArchived").GetInt32());
        var expected = await ReferenceAnswersAsync();
        using var direct = new BlobArchiveStore(
            new ArchiveStoreOptions { Kind = ArchiveStoreKind.Blob, ConnectionString = azurite.Server.ConnectionString, ContainerName = settings["Archive:ContainerName"] },
            NullLogger<BlobArchiveStore>.Instance);
        var allPaths = await direct.ListPathsAsync();
        Assert.Equal(ArchiveTestKit.ArchivedFiles, allPaths.Count);

        proxy.Stalling = true;
        clock.Now = DateTimeOffset.FromUnixTimeSeconds(ExpiredBefore) + TimeSpan.FromDays(3);
        var failed = await host.Service<RetentionRunner>().RunAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(60));

        Assert.True(proxy.StalledConnections > 0);
        Assert.False(failed.Succeeded, failed.Describe());
        Assert.Contains("configured timeout of 0:00:02", failed.Error, StringComparison.Ordinal);
        Assert.Equal(0, failed.FilesDeleted);
        Assert.Equal(allPaths, await direct.ListPathsAsync());

        // Marked expiring: the manifest that plans queries no longer has them. (Queries over the kept
        // archived hours need the store, which still hangs, so the answers are compared after it is back.)
        Assert.Equal(2, (await host.GetJsonAsync("/api/admin/archive")).GetProperty("files").GetInt32());

        proxy.Stalling = false;
        var again = await host.Service<RetentionRunner>().RunAsync(CancellationToken.None);

        Assert.True(again.Succeeded, again.Describe());
        Assert.Equal(4, again.FilesDeleted);
        Assert.Equal(ExpiredRows, again.ArchivedRowsDeleted);
        var keptPaths = ArchiveFailureTests.Partitions().Where(p => p.HourStart >= ExpiredBefore)
            .Select(p => ArchiveFailureTests.PathOf(p.Metric, p.HourStart, 0)).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(keptPaths, await direct.ListPathsAsync());
        Assert.Equal(keptPaths, ArchiveFailureTests.Paths(await host.GetJsonAsync("/api/admin/archive")));
        ArchiveTestKit.AssertSameAnswers(expected, await ArchiveTestKit.CaptureAsync(host));
    }

    /// <summary>The answers of a host that was only given the points from the third old hour on.</summary>
    private static async Task<List<string>> ReferenceAnswersAsync()
    {
        await using var reference = await ServiceHost.StartAsync(ArchiveTestKit.Settings(null));
        await ArchiveTestKit.IngestAsync(reference.Client, keep: seconds => seconds >= ExpiredBefore);
        return await ArchiveTestKit.CaptureAsync(reference);
    }

    /// <summary>What the Retention timer runs when it fires (under the host or the scheduler): the job, through the runner's gate.</summary>
    private static async Task<string> RunRetentionTimerAsync(ServiceHost host)
    {
        var result = await host.Service<TimerJobRunner>().TryRunAsync(RetentionTimerJob.Name, "host", CancellationToken.None);
        Assert.Equal(TimerRunStatus.Ran, result.Status);
        return result.Describe();
    }

    private static int BlobPort(AzuriteServer server) =>
        new Uri(server.ConnectionString.Split(';').Single(p => p.StartsWith("BlobEndpoint=", StringComparison.Ordinal))["BlobEndpoint=".Length..]).Port;

    private static long? Points(JsonElement metrics, string metric) =>
        metrics.GetProperty("metrics").EnumerateArray()
            .Where(m => m.GetProperty("metric").GetString() == metric)
            .Select(m => (long?)m.GetProperty("points").GetInt64())
            .SingleOrDefault();
}
