using FunctionsObservability.Tests.Archive;
using FunctionsObservability.Tests.Archiving;
using FunctionsObservability.Tests.Infrastructure;
using static FunctionsObservability.Tests.Archiving.ArchiveTestKit;

namespace FunctionsObservability.Tests.Storage;

/// <summary>
/// Storage:RecoverDamagedDatabase=true on the real executable: the damaged file is moved aside, the
/// store starts on a new file whose catalog and manifest are rebuilt from the archive, archived data
/// answers exactly as before (same series ids), the hot data lost is logged as a time range, new
/// series ids do not collide with archived ones, and new files never overwrite archived ones.
/// </summary>
public sealed class DamagedDatabaseRecoveryTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task RecoverySetting_MovesTheFileAside_ArchivedDataAnswersAsBefore_LogsTheLostRange(bool blob)
    {
        using var data = new TempDirectory();
        var path = DamagedDatabaseKit.DatabasePath(data.Path);
        var settings = Settings(blob ? azurite.Server : null);
        List<string> before;
        List<string> h1Before;
        await using (var host = await ServiceHost.StartAsync(settings, data.Path))
        {
            await IngestAsync(host.Client, seconds => seconds < RecentHour);
            before = await CaptureAsync(host);
            h1Before = await WalkPagesAsync(host, "metric=cpu_usage&tag=host:h1");
            var run = await ArchiveNowAsync(host);
            Assert.Equal(ArchivedFiles, run.GetProperty("filesArchived").GetInt32());

            // Hot data, lost with the file: the recent hour, and a series that only it has.
            await IngestAsync(host.Client, seconds => seconds >= RecentHour);
            await WriteAsync(host, $"cpu,host=h7,region=r1 usage=1 {RecentHour + 30}\n");
            await host.StopAsync();
        }

        DamagedDatabaseKit.Damage(path, DamagedDatabaseKit.ZeroedMainHeader);
        var damagedBytes = await File.ReadAllBytesAsync(path);

        var output = new ProcessOutput();
        var port = ServiceProcess.FreePort();
        using var process = ServiceProcess.Start(
            [$"--urls=http://127.0.0.1:{port}", $"--Storage:DataDirectory={data.Path}", "--Storage:RecoverDamagedDatabase=true", .. settings.Select(s => $"--{s.Key}={s.Value}")],
            output: output);
        try
        {
            using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromMinutes(2) };
            await ServiceProcess.WaitForHealthAsync(client, process);

            // The file and its WAL are kept aside, untouched; a new file took its place.
            var aside = Assert.Single(Directory.GetFiles(data.Path, "metrics.duckdb.damaged-*"));
            Assert.Matches(@"metrics\.duckdb\.damaged-\d{8}T\d{6}Z$", aside);
            Assert.Equal(damagedBytes, await File.ReadAllBytesAsync(aside));
            Assert.NotEqual(damagedBytes.Length, new FileInfo(path).Length);
            Assert.Empty(Directory.GetFiles(data.Path, "*.rebuilding*"));

            // One line reports the rebuild and the hot data lost: from the end of the newest archived hour.
            var line = await output.WaitForLineAsync(l => l.Contains("Recovered the store from the archive", StringComparison.Ordinal), TimeSpan.FromSeconds(30));
            Assert.Contains($"{ArchivedFiles} files, {ArchiveFailureTests.AllArchivableRows} rows, 4 series of 2 metrics", line, StringComparison.Ordinal);
            Assert.Contains($"hot data from {Iso(OldHour + (ArchivedHours * 3600))} to ", line, StringComparison.Ordinal);
            Assert.Contains("is lost", line, StringComparison.Ordinal);
            Assert.Contains(aside, line, StringComparison.Ordinal);
            Assert.Empty(output.StandardError);

            // Archived data answers as before, with the same series ids (cursors carry them).
            AssertSameAnswers(before, await CaptureAsync(client));

            // A new series of an archived metric gets an id of its own: h1's answer does not take in its point.
            await WriteAsync(client, $"cpu,host=h9,region=r0 usage=5 {RecentHour + 60}\n");
            AssertSameAnswers(h1Before, await WalkPagesAsync(client, "metric=cpu_usage&tag=host:h1"));
            var h9 = await GetJsonAsync(client, "/api/query/points?metric=cpu_usage&tag=host:h9");
            Assert.Equal(5, Assert.Single(h9.GetProperty("points").EnumerateArray()).GetProperty("value").GetDouble());

            // A late point for an archived hour goes to a new file beside the archived one, not over it.
            var archived = ArchiveFailureTests.Paths(await GetJsonAsync(client, "/api/admin/archive"));
            Assert.Equal(ArchivedFiles, archived.Count);
            await WriteAsync(client, $"cpu,host=h0,region=r0 usage=1 {OldHour + 1}\n");
            var run = await ArchiveNowAsync(client);
            Assert.Equal(1, run.GetProperty("filesArchived").GetInt32());
            var manifest = await GetJsonAsync(client, "/api/admin/archive");
            var added = Assert.Single(ArchiveFailureTests.Paths(manifest).Except(archived));
            Assert.EndsWith("/part-00001.parquet", added, StringComparison.Ordinal);
            Assert.Equal(ArchiveFailureTests.AllArchivableRows + 1, manifest.GetProperty("rows").GetInt64());
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }
    }

    /// <summary>
    /// An archived file that cannot be read is left out of the rebuilt manifest (and left in the
    /// store); the next file of its hour still takes a new name, never that of a file in the manifest.
    /// In process, so the store opens through the container, as the in-process hosts open it.
    /// </summary>
    [Fact]
    public async Task RecoverySetting_UnreadableArchivedFile_IsLeftOut_NewFilesDoNotOverwriteTheOnesAfterIt()
    {
        using var data = new TempDirectory();
        var path = DamagedDatabaseKit.DatabasePath(data.Path);
        await using (var host = await ServiceHost.StartAsync(Settings(null), data.Path))
        {
            await IngestAsync(host.Client, seconds => seconds < RecentHour);
            await ArchiveNowAsync(host);
            await WriteAsync(host, $"cpu,host=h0,region=r0 usage=1 {OldHour + 1}\n");
            Assert.Equal(1, (await ArchiveNowAsync(host)).GetProperty("filesArchived").GetInt32());
            await host.StopAsync();
        }

        var hour = DateTimeOffset.FromUnixTimeSeconds(OldHour).UtcDateTime;
        var folder = Path.Combine(data.Path, "archive", "metric=cpu_usage", $"date={hour:yyyy-MM-dd}", $"hour={hour:HH}");
        await File.WriteAllTextAsync(Path.Combine(folder, "part-00000.parquet"), "not a parquet file");
        var second = await File.ReadAllBytesAsync(Path.Combine(folder, "part-00001.parquet"));
        DamagedDatabaseKit.Damage(path, DamagedDatabaseKit.ZeroedMainHeader);

        var settings = Settings(null);
        settings["Storage:RecoverDamagedDatabase"] = "true";
        await using var recovered = await ServiceHost.StartAsync(settings, data.Path);

        var manifest = await recovered.GetJsonAsync("/api/admin/archive");
        Assert.Equal(ArchivedFiles, manifest.GetProperty("files").GetInt32());
        Assert.Equal(ArchiveFailureTests.AllArchivableRows + 1 - CpuRowsPerHour, manifest.GetProperty("rows").GetInt64());
        Assert.Single(Directory.GetFiles(data.Path, "metrics.duckdb.damaged-*"));

        await WriteAsync(recovered, $"cpu,host=h1,region=r1 usage=2 {OldHour + 2}\n");
        Assert.Equal(1, (await ArchiveNowAsync(recovered)).GetProperty("filesArchived").GetInt32());
        Assert.Equal(second, await File.ReadAllBytesAsync(Path.Combine(folder, "part-00001.parquet")));
        Assert.True(File.Exists(Path.Combine(folder, "part-00002.parquet")));
        Assert.Equal("not a parquet file", await File.ReadAllTextAsync(Path.Combine(folder, "part-00000.parquet")));
    }
}
