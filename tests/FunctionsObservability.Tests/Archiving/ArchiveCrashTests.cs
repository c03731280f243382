using FunctionsObservability.Pipeline.Archive;
using FunctionsObservability.Tests.Archive;
using FunctionsObservability.Tests.Infrastructure;

namespace FunctionsObservability.Tests.Archiving;

/// <summary>
/// The real executable killed between the upload of a partition and the commit that records it and
/// deletes its rows: the object is in the store but not in the manifest, every row is still hot,
/// and the run after the restart archives everything exactly once.
/// </summary>
public sealed class ArchiveCrashTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task KilledAfterUpload_BeforeCommit_RestartKeepsEveryRowHot_NextRunCommitsAllFilesOnce(bool blob)
    {
        using var data = new TempDirectory();
        var settings = ArchiveTestKit.Settings(blob ? azurite.Server : null);
        var port = ServiceProcess.FreePort();
        using var process = ServiceProcess.Start(
            [$"--urls=http://127.0.0.1:{port}", $"--Storage:DataDirectory={data.Path}", .. settings.Select(s => $"--{s.Key}={s.Value}")],
            new Dictionary<string, string> { [ArchiveRunner.FailpointVariable] = nameof(ArchiveStage.Uploaded) });
        List<string> before;
        try
        {
            using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromMinutes(2) };
            await ServiceProcess.WaitForHealthAsync(client, process);
            await ArchiveTestKit.IngestAsync(client);
            before = await ArchiveTestKit.CaptureAsync(client);

            // The process kills itself once the first partition is uploaded: the request dies with it.
            await Assert.ThrowsAnyAsync<HttpRequestException>(() => client.PostAsync("/api/admin/archive", null));
            using var exit = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            await process.WaitForExitAsync(exit.Token);
            Assert.NotEqual(0, process.ExitCode);
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }

        // Restarted without the failpoint, on the same data folder and store.
        await using var restarted = await ServiceHost.StartAsync(settings, data.Path);
        var store = restarted.Service<IArchiveStore>();
        var orphans = await store.ListPathsAsync();
        var orphan = Assert.Single(orphans);
        Assert.Contains(orphan, ArchiveFailureTests.Partitions().Select(p => ArchiveFailureTests.PathOf(p.Metric, p.HourStart, 0)));
        Assert.True(await store.ExistsAsync(orphan, CancellationToken.None));
        if (!blob)
        {
            Assert.Equal(orphans, ArchiveFailureTests.LocalArchiveFiles(data.Path));
        }

        var manifest = await restarted.GetJsonAsync("/api/admin/archive");
        Assert.Equal(0, manifest.GetProperty("files").GetInt32());
        Assert.Empty(manifest.GetProperty("partitionList").EnumerateArray());
        ArchiveFailureTests.AssertEverythingHot(restarted);
        ArchiveTestKit.AssertSameAnswers(before, await ArchiveTestKit.CaptureAsync(restarted));

        var run = await ArchiveTestKit.ArchiveNowAsync(restarted);

        // The orphan is overwritten under the same name, not kept beside a second copy.
        Assert.Equal("completed", run.GetProperty("status").GetString());
        Assert.Equal(ArchiveTestKit.ArchivedFiles, run.GetProperty("filesArchived").GetInt32());
        Assert.Equal(ArchiveFailureTests.AllArchivableRows, run.GetProperty("rowsArchived").GetInt64());
        await ArchiveFailureTests.AssertEverythingArchivedOnceAsync(restarted, store);
        Assert.Empty(Directory.GetFiles(Path.Combine(data.Path, "archive-work"), "*.parquet"));
        ArchiveTestKit.AssertSameAnswers(before, await ArchiveTestKit.CaptureAsync(restarted));
    }
}
