using System.Globalization;
using System.Net;
using System.Text.Json;
using DuckDB.NET.Data;
using FunctionsObservability.Pipeline.Archive;
using FunctionsObservability.Tests.Archive;
using FunctionsObservability.Tests.Infrastructure;

namespace FunctionsObservability.Tests.Archiving;

/// <summary>
/// Failures injected into a real archive run (real DuckDB, real local store or Azurite): an upload
/// that fails, a file that fails verification. Nothing is lost, nothing is duplicated, the answers
/// never change, and the next run catches up.
/// </summary>
public sealed class ArchiveFailureTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>
{
    private AzuriteServer? Store(bool blob) => blob ? azurite.Server : null;

    /// <summary>With the rows still in arrival order, and clustered with their minute rollup.</summary>
    [Theory]
    [InlineData(false, false)]
    [InlineData(false, true)]
    [InlineData(true, true)]
    public async Task UploadFails_RunAnswers503_EveryRowStaysHot_NextRunArchivesEverythingOnce(bool blob, bool compacted)
    {
        await using var host = await ServiceHost.StartAsync(ArchiveTestKit.Settings(Store(blob)).KeepRowsInArrivalOrder(), configure: FaultInjectingArchiveStore.Register);
        await ArchiveTestKit.IngestAsync(host);
        if (compacted)
        {
            await ArchiveTestKit.CompactAsync(host);
        }

        var before = await ArchiveTestKit.CaptureAsync(host);
        var store = host.Service<FaultInjectingArchiveStore>();
        store.PutFault = (_, path) => new IOException($"injected upload failure for {path}");

        var failed = await ArchiveTestKit.ArchiveNowAsync(host, HttpStatusCode.ServiceUnavailable);

        Assert.Equal("failed", failed.GetProperty("status").GetString());
        Assert.Equal(0, failed.GetProperty("filesArchived").GetInt32());
        Assert.Equal(0, failed.GetProperty("rowsArchived").GetInt64());
        Assert.True(failed.GetProperty("partitionsFailed").GetInt32() > 0, failed.GetRawText());
        Assert.Contains("injected upload failure", failed.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Contains("stopped:", failed.GetProperty("summary").GetString(), StringComparison.Ordinal);

        // The run stops at the failing upload: storage that is down fails every partition alike.
        Assert.Single(store.PutsAttempted);
        AssertEverythingHot(host);
        Assert.Equal(0, (await host.GetJsonAsync("/api/admin/archive")).GetProperty("files").GetInt32());
        Assert.Empty(await store.Inner.ListPathsAsync());
        ArchiveTestKit.AssertSameAnswers(before, await ArchiveTestKit.CaptureAsync(host));

        store.PutFault = null;
        var run = await ArchiveTestKit.ArchiveNowAsync(host);

        Assert.Equal("completed", run.GetProperty("status").GetString());
        Assert.Equal(ArchiveTestKit.ArchivedFiles, run.GetProperty("filesArchived").GetInt32());
        Assert.Equal(AllArchivableRows, run.GetProperty("rowsArchived").GetInt64());
        await AssertEverythingArchivedOnceAsync(host, store.Inner);
        ArchiveTestKit.AssertSameAnswers(before, await ArchiveTestKit.CaptureAsync(host));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task UploadFailsPartWay_KeepsWhatWasCommitted_NextRunArchivesOnlyTheRest(bool blob)
    {
        await using var host = await ServiceHost.StartAsync(ArchiveTestKit.Settings(Store(blob)), configure: FaultInjectingArchiveStore.Register);
        await ArchiveTestKit.IngestAsync(host);
        var before = await ArchiveTestKit.CaptureAsync(host);
        var store = host.Service<FaultInjectingArchiveStore>();
        store.PutFault = (number, path) => number >= 2 ? new IOException($"injected upload failure for {path}") : null;

        var failed = await ArchiveTestKit.ArchiveNowAsync(host, HttpStatusCode.ServiceUnavailable);

        Assert.Equal("failed", failed.GetProperty("status").GetString());
        Assert.Equal(2, failed.GetProperty("filesArchived").GetInt32());
        Assert.Contains("injected upload failure", failed.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Equal(3, store.PutsAttempted.Count);
        var manifest = await host.GetJsonAsync("/api/admin/archive");
        Assert.Equal(2, manifest.GetProperty("files").GetInt32());
        var committedRows = manifest.GetProperty("rows").GetInt64();
        Assert.Equal(failed.GetProperty("rowsArchived").GetInt64(), committedRows);

        // What was committed left DuckDB; the rest, the failed partition's rows included, is hot.
        Assert.Equal(AllArchivableRows - committedRows, HotArchivableRows(host));
        Assert.Equal(Paths(manifest), await store.Inner.ListPathsAsync());
        Assert.DoesNotContain(store.PutsAttempted[2], await store.Inner.ListPathsAsync());
        ArchiveTestKit.AssertSameAnswers(before, await ArchiveTestKit.CaptureAsync(host));

        store.PutFault = null;
        var run = await ArchiveTestKit.ArchiveNowAsync(host);

        Assert.Equal("completed", run.GetProperty("status").GetString());
        Assert.Equal(ArchiveTestKit.ArchivedFiles - 2, run.GetProperty("filesArchived").GetInt32());
        Assert.Equal(AllArchivableRows - committedRows, run.GetProperty("rowsArchived").GetInt64());
        await AssertEverythingArchivedOnceAsync(host, store.Inner);
        ArchiveTestKit.AssertSameAnswers(before, await ArchiveTestKit.CaptureAsync(host));
    }

    [Theory]
    [InlineData("truncate", false)]
    [InlineData("dropRow", false)]
    [InlineData("truncate", true)]
    public async Task VerificationFails_ThatPartitionIsNotUploadedAndStaysHot_OthersContinue_NextRunArchivesIt(string corruption, bool blob)
    {
        await using var host = await ServiceHost.StartAsync(ArchiveTestKit.Settings(Store(blob)));
        await ArchiveTestKit.IngestAsync(host);
        var before = await ArchiveTestKit.CaptureAsync(host);
        var runner = host.Service<ArchiveRunner>();
        var exported = 0;
        var corrupted = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        runner.StageHook = (stage, localFile, _) =>
        {
            // The first partition exported is damaged on disk before the verifier reads it.
            if (stage == ArchiveStage.Exported && Interlocked.Increment(ref exported) == 1)
            {
                Corrupt(localFile, corruption);
                corrupted.SetResult(localFile);
            }

            return Task.CompletedTask;
        };

        var failed = await ArchiveTestKit.ArchiveNowAsync(host, HttpStatusCode.ServiceUnavailable);

        Assert.True(corrupted.Task.IsCompleted, "the hook never saw an exported file");
        Assert.Equal("failed", failed.GetProperty("status").GetString());
        Assert.Equal(1, failed.GetProperty("partitionsFailed").GetInt32());
        Assert.Equal(ArchiveTestKit.ArchivedFiles - 1, failed.GetProperty("filesArchived").GetInt32());
        Assert.False(failed.TryGetProperty("error", out _), "a partition that fails verification must not stop the run");

        // Exactly one partition is missing from the manifest: its rows are all still hot and the store has no object for it.
        var manifest = await host.GetJsonAsync("/api/admin/archive");
        Assert.Equal(ArchiveTestKit.ArchivedFiles - 1, manifest.GetProperty("files").GetInt32());
        var archived = manifest.GetProperty("partitionList").EnumerateArray()
            .Select(p => (p.GetProperty("metric").GetString()!, p.GetProperty("hour").GetString()!)).ToHashSet();
        var missing = Assert.Single(Partitions(), p => !archived.Contains((p.Metric, ArchiveTestKit.Iso(p.HourStart))));
        Assert.Equal(missing.Rows, HotRowsInHour(host, missing.Metric, missing.HourStart));
        Assert.Equal(missing.Rows, HotArchivableRows(host));
        var missingPath = PathOf(missing.Metric, missing.HourStart, 0);
        var objects = await host.Service<IArchiveStore>().ListPathsAsync();
        Assert.Equal(Paths(manifest), objects);
        Assert.DoesNotContain(missingPath, objects);
        if (!blob)
        {
            Assert.Equal(ArchiveTestKit.ArchivedFiles - 1, LocalArchiveFiles(host).Count);
            Assert.False(File.Exists(Path.Combine(host.DataDirectory, "archive", missingPath)));
        }

        Assert.Empty(Directory.GetFiles(Path.Combine(host.DataDirectory, "archive-work"), "*.parquet"));
        ArchiveTestKit.AssertSameAnswers(before, await ArchiveTestKit.CaptureAsync(host));

        runner.StageHook = null;
        var run = await ArchiveTestKit.ArchiveNowAsync(host);

        Assert.Equal("completed", run.GetProperty("status").GetString());
        Assert.Equal(1, run.GetProperty("filesArchived").GetInt32());
        Assert.Equal(missing.Rows, run.GetProperty("rowsArchived").GetInt64());
        await AssertEverythingArchivedOnceAsync(host, host.Service<IArchiveStore>());
        Assert.Contains(missingPath, await host.Service<IArchiveStore>().ListPathsAsync());
        ArchiveTestKit.AssertSameAnswers(before, await ArchiveTestKit.CaptureAsync(host));
    }

    /// <summary>Rows of the data set before the recent hour: what a full archive run moves out of DuckDB.</summary>
    internal static long AllArchivableRows => (ArchiveTestKit.ArchivedHours * ArchiveTestKit.CpuRowsPerHour) + (2 * ArchiveTestKit.MemRowsPerHour);

    /// <summary>The data set's archivable partitions: metric, hour start (seconds), rows.</summary>
    internal static IEnumerable<(string Metric, long HourStart, long Rows)> Partitions() =>
        Enumerable.Range(0, ArchiveTestKit.ArchivedHours).Select(h => ("cpu_usage", ArchiveTestKit.OldHour + (h * 3600L), ArchiveTestKit.CpuRowsPerHour))
            .Concat(Enumerable.Range(0, 2).Select(h => ("mem_used", ArchiveTestKit.OldHour + (h * 3600L), ArchiveTestKit.MemRowsPerHour)));

    internal static string PathOf(string metric, long hourStart, int sequence) =>
        ArchivePath.Build(metric, DateTimeOffset.FromUnixTimeSeconds(hourStart), string.Create(CultureInfo.InvariantCulture, $"part-{sequence:D5}.parquet"));

    /// <summary>Hot rows of both metrics before the recent hour.</summary>
    internal static long HotArchivableRows(ServiceHost host) =>
        ArchiveTestKit.HotRows(host, "cpu_usage", ArchiveTestKit.RecentHour) + ArchiveTestKit.HotRows(host, "mem_used", ArchiveTestKit.RecentHour);

    internal static long HotRowsInHour(ServiceHost host, string metric, long hourStart) =>
        ArchiveTestKit.HotRows(host, metric, hourStart + 3600) - ArchiveTestKit.HotRows(host, metric, hourStart);

    internal static void AssertEverythingHot(ServiceHost host)
    {
        foreach (var (metric, hourStart, rows) in Partitions())
        {
            Assert.Equal(rows, HotRowsInHour(host, metric, hourStart));
        }

        Assert.Equal(AllArchivableRows, HotArchivableRows(host));
        Assert.Equal(ArchiveTestKit.CpuRowsPerHour, HotRowsInHour(host, "cpu_usage", ArchiveTestKit.RecentHour));
    }

    /// <summary>Every partition committed once, as file 0 of its hour; the store holds exactly those objects; only the recent hour is hot.</summary>
    internal static async Task AssertEverythingArchivedOnceAsync(ServiceHost host, IArchiveStore store)
    {
        var manifest = await host.GetJsonAsync("/api/admin/archive");
        Assert.Equal(ArchiveTestKit.ArchivedFiles, manifest.GetProperty("files").GetInt32());
        Assert.Equal(ArchiveTestKit.ArchivedFiles, manifest.GetProperty("partitions").GetInt32());
        Assert.Equal(AllArchivableRows, manifest.GetProperty("rows").GetInt64());
        var expected = Partitions().Select(p => PathOf(p.Metric, p.HourStart, 0)).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(expected, Paths(manifest));
        Assert.Equal(expected, await store.ListPathsAsync());
        Assert.Equal(0, HotArchivableRows(host));
        Assert.Equal(ArchiveTestKit.CpuRowsPerHour, HotRowsInHour(host, "cpu_usage", ArchiveTestKit.RecentHour));
    }

    internal static List<string> Paths(JsonElement manifest) =>
        [.. manifest.GetProperty("partitionList").EnumerateArray()
            .SelectMany(p => p.GetProperty("files").EnumerateArray().Select(f => f.GetProperty("path").GetString()!))
            .Order(StringComparer.Ordinal)];

    internal static List<string> LocalArchiveFiles(ServiceHost host) => LocalArchiveFiles(host.DataDirectory);

    internal static List<string> LocalArchiveFiles(string dataDirectory)
    {
        var root = Path.Combine(dataDirectory, "archive");
        return Directory.Exists(root)
            ? [.. Directory.GetFiles(root, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(root, f).Replace('\\', '/')).Order(StringComparer.Ordinal)]
            : [];
    }

    private static void Corrupt(string file, string corruption)
    {
        switch (corruption)
        {
            case "truncate":
                // A torn write: the footer is gone.
                using (var stream = new FileStream(file, FileMode.Open, FileAccess.Write))
                {
                    stream.SetLength(stream.Length / 2);
                }

                break;
            case "dropRow":
                // A readable Parquet file with the right schema and time span, one row short.
                var shorter = file + ".short";
                using (var connection = new DuckDBConnection("Data Source=:memory:"))
                {
                    connection.Open();
                    using var command = connection.CreateCommand();
                    command.CommandText = $"SELECT count(*) FROM read_parquet('{file}')";
                    Assert.True(Convert.ToInt64(command.ExecuteScalar(), CultureInfo.InvariantCulture) > 2, "the partition is too small to drop a row from");

                    // The second row goes: the first and last stay, so the time span is unchanged and only the count gives it away.
                    command.CommandText = $"""
                        COPY (SELECT * EXCLUDE (rn) FROM (SELECT *, row_number() OVER (ORDER BY ts, series_id) AS rn FROM read_parquet('{file}')) WHERE rn <> 2 ORDER BY ts, series_id)
                        TO '{shorter}' (FORMAT parquet)
                        """;
                    command.ExecuteNonQuery();
                }

                File.Move(shorter, file, overwrite: true);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(corruption), corruption, "unknown corruption");
        }
    }
}
