using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using FunctionsObservability.Pipeline.Archive;
using FunctionsObservability.Tests.Archive;
using FunctionsObservability.Tests.Infrastructure;

namespace FunctionsObservability.Tests.Archiving;

/// <summary>
/// Blob Storage that hangs or is down during an archive run: the run fails within the configured
/// network timeouts, deletes nothing, the service keeps answering, and once storage is back the
/// next run catches up.
/// </summary>
public sealed partial class ArchiveOutageTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>
{
    /// <summary>Far above what 2 s network timeouts with one retry take; a hang would blow through it.</summary>
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);

    /// <summary>
    /// With no retry left, the Blob SDK throws its network timeout as a bare TaskCanceledException;
    /// that is a storage failure (503 with the reason), not an unhandled error (500).
    /// </summary>
    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    public async Task BlobEndpointHangs_RunFailsWithinTheTimeouts_NothingDeleted_QueriesAnswer_NextRunCatchesUpOnceItAnswers(int maxRetries)
    {
        await using var proxy = new StallingTcpProxy(new IPEndPoint(IPAddress.Loopback, BlobPort(azurite.Server)));
        var settings = ArchiveTestKit.Settings(azurite.Server);
        settings["Archive:ConnectionString"] = proxy.BlobConnectionString(azurite.Server.ConnectionString);
        settings["Archive:NetworkTimeoutSeconds"] = "2";
        settings["Archive:MaxRetries"] = maxRetries.ToString(CultureInfo.InvariantCulture);
        await using var host = await ServiceHost.StartAsync(settings);
        await ArchiveTestKit.IngestAsync(host);
        var before = await ArchiveTestKit.CaptureAsync(host);

        var watch = Stopwatch.StartNew();
        var running = ArchiveTestKit.ArchiveNowAsync(host, HttpStatusCode.ServiceUnavailable);

        // While the run waits on storage that never answers, queries are answered, and the same.
        await proxy.FirstStalled.WaitAsync(Bound);
        ArchiveTestKit.AssertSameAnswers(before, await ArchiveTestKit.CaptureAsync(host));
        var failed = await running.WaitAsync(Bound);
        watch.Stop();

        Assert.True(watch.Elapsed < Bound, $"the run took {watch.Elapsed}");
        Assert.True(proxy.StalledConnections > 0);
        Assert.Equal("failed", failed.GetProperty("status").GetString());
        Assert.Equal(0, failed.GetProperty("filesArchived").GetInt32());
        Assert.Contains("configured timeout of 0:00:02", failed.GetProperty("error").GetString(), StringComparison.Ordinal);
        ArchiveFailureTests.AssertEverythingHot(host);
        Assert.Equal(0, (await host.GetJsonAsync("/api/admin/archive")).GetProperty("files").GetInt32());
        ArchiveTestKit.AssertSameAnswers(before, await ArchiveTestKit.CaptureAsync(host));

        // Storage answers again (the proxy now forwards to Azurite): the next run archives everything.
        proxy.Stalling = false;
        var run = await ArchiveTestKit.ArchiveNowAsync(host);

        Assert.True(proxy.ForwardedConnections > 0);
        Assert.Equal("completed", run.GetProperty("status").GetString());
        Assert.Equal(ArchiveTestKit.ArchivedFiles, run.GetProperty("filesArchived").GetInt32());
        await ArchiveFailureTests.AssertEverythingArchivedOnceAsync(host, host.Service<IArchiveStore>());
        ArchiveTestKit.AssertSameAnswers(before, await ArchiveTestKit.CaptureAsync(host));
    }

    [Fact]
    public async Task AzuriteStopped_RunFailsWithinTheTimeouts_NothingDeleted_AfterRestartTheNextRunCatchesUp()
    {
        // Its own Azurite, so stopping it does not disturb the other tests.
        await using var server = await AzuriteServer.StartAsync();
        await BlobArchiveStoreTests.WaitForBlobEndpointAsync(server);
        var settings = ArchiveTestKit.Settings(server);
        settings["Archive:NetworkTimeoutSeconds"] = "2";
        settings["Archive:MaxRetries"] = "1";
        await using var host = await ServiceHost.StartAsync(settings);
        await ArchiveTestKit.IngestAsync(host);
        var before = await ArchiveTestKit.CaptureAsync(host);
        await server.StopAsync();

        var watch = Stopwatch.StartNew();
        var failed = await ArchiveTestKit.ArchiveNowAsync(host, HttpStatusCode.ServiceUnavailable).WaitAsync(Bound);
        watch.Stop();

        Assert.True(watch.Elapsed < Bound, $"the run took {watch.Elapsed}");
        Assert.Equal("failed", failed.GetProperty("status").GetString());
        Assert.Equal(0, failed.GetProperty("filesArchived").GetInt32());
        Assert.False(string.IsNullOrWhiteSpace(failed.GetProperty("error").GetString()), failed.GetRawText());
        ArchiveFailureTests.AssertEverythingHot(host);
        Assert.Equal(0, (await host.GetJsonAsync("/api/admin/archive")).GetProperty("files").GetInt32());
        ArchiveTestKit.AssertSameAnswers(before, await ArchiveTestKit.CaptureAsync(host));

        await server.RestartAsync();
        await BlobArchiveStoreTests.WaitForBlobEndpointAsync(server);
        var run = await ArchiveTestKit.ArchiveNowAsync(host);

        Assert.Equal("completed", run.GetProperty("status").GetString());
        Assert.Equal(ArchiveTestKit.ArchivedFiles, run.GetProperty("filesArchived").GetInt32());
        await ArchiveFailureTests.AssertEverythingArchivedOnceAsync(host, host.Service<IArchiveStore>());
        ArchiveTestKit.AssertSameAnswers(before, await ArchiveTestKit.CaptureAsync(host));
    }

    private static int BlobPort(AzuriteServer server) =>
        int.Parse(BlobEndpoint().Match(server.ConnectionString).Groups[1].Value, CultureInfo.InvariantCulture);

    [GeneratedRegex(@"BlobEndpoint=http://127\.0\.0\.1:(\d+)/")]
    private static partial Regex BlobEndpoint();
}
