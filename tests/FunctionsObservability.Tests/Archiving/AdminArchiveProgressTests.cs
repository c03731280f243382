using System.Net;
using System.Text.Json;
using FunctionsObservability.Pipeline.Archive;
using FunctionsObservability.Tests.Infrastructure;

namespace FunctionsObservability.Tests.Archiving;

/// <summary><c>POST /api/admin/archive</c> with <c>Accept: application/x-ndjson</c>: a line per partition as it is archived, then the summary; <c>untilDone=true</c> drains the backlog in one request.</summary>
public sealed class AdminArchiveProgressTests
{
    private const string NdJson = "application/x-ndjson";

    private static Dictionary<string, string> TwoPerRun()
    {
        var settings = ArchiveTestKit.Settings(null);
        settings["Archive:MaxPartitionsPerRun"] = "2";
        return settings;
    }

    [Fact]
    public async Task UntilDone_StreamsALinePerPartitionOverSeveralRuns_ThenCompleted_AndArchivesEverything()
    {
        await using var host = await ServiceHost.StartAsync(TwoPerRun());
        await ArchiveTestKit.IngestAsync(host);

        var (status, contentType, lines) = await PostStreamAsync(host, "/api/admin/archive?untilDone=true");

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(NdJson, contentType);
        var partitions = lines.Where(l => Event(l) == "partition").ToList();
        Assert.Equal(ArchiveTestKit.ArchivedFiles, partitions.Count);
        Assert.DoesNotContain(lines, l => Event(l) is "partitionFailed" or "partitionDeferred");

        // Three runs of two partitions each; within a run, done counts up to the run's total.
        var runs = partitions.GroupBy(p => p.GetProperty("run").GetInt32()).OrderBy(g => g.Key).ToList();
        Assert.Equal([1, 2, 3], runs.Select(g => g.Key));
        foreach (var run in runs)
        {
            Assert.Equal([1, 2], run.Select(p => p.GetProperty("done").GetInt32()));
            Assert.All(run, p => Assert.Equal(2, p.GetProperty("total").GetInt32()));
        }

        Assert.All(partitions, p =>
        {
            Assert.True(p.GetProperty("rows").GetInt64() > 0);
            Assert.True(p.GetProperty("bytes").GetInt64() > 0);
            Assert.Contains(p.GetProperty("metric").GetString(), new[] { "cpu_usage", "mem_used" });
        });
        Assert.Equal(
            (4 * ArchiveTestKit.CpuRowsPerHour) + (2 * ArchiveTestKit.MemRowsPerHour),
            partitions.Sum(p => p.GetProperty("rows").GetInt64()));
        Assert.Equal(
            partitions.Select(p => (p.GetProperty("metric").GetString(), p.GetProperty("hour").GetString())).Distinct().Count(),
            partitions.Count);

        // Each run's summary follows its partitions.
        var runLines = lines.Select((l, i) => (Line: l, Index: i)).Where(x => Event(x.Line) == "run").ToList();
        Assert.Equal(3, runLines.Count);
        Assert.Equal([true, true, false], runLines.Select(x => x.Line.GetProperty("morePending").GetBoolean()));

        var final = lines[^1];
        Assert.Equal("completed", Event(final));
        Assert.Equal("completed", final.GetProperty("status").GetString());
        Assert.False(final.GetProperty("morePending").GetBoolean());
        Assert.Equal(ArchiveTestKit.ArchivedFiles, final.GetProperty("filesArchived").GetInt32());
        Assert.Equal(partitions.Sum(p => p.GetProperty("bytes").GetInt64()), final.GetProperty("bytesArchived").GetInt64());
        Assert.Equal(3, final.GetProperty("runs").GetInt32());
        Assert.Equal(lines.Count - 1, lines.FindIndex(l => Event(l) == "completed"));

        var manifest = await host.GetJsonAsync("/api/admin/archive");
        Assert.Equal(ArchiveTestKit.ArchivedFiles, manifest.GetProperty("files").GetInt32());
        Assert.Equal(ArchiveTestKit.ArchivedFiles, manifest.GetProperty("partitions").GetInt32());
        Assert.Equal(0, ArchiveTestKit.HotRows(host, "cpu_usage", ArchiveTestKit.RecentHour));
    }

    [Fact]
    public async Task OneRun_StreamsItsPartitions_ThenASummarySayingMoreArePending()
    {
        await using var host = await ServiceHost.StartAsync(TwoPerRun());
        await ArchiveTestKit.IngestAsync(host);

        var (status, _, lines) = await PostStreamAsync(host, "/api/admin/archive");

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(3, lines.Count);
        Assert.Equal(["partition", "partition", "completed"], lines.Select(Event));
        Assert.Equal([1, 2], lines.Take(2).Select(l => l.GetProperty("done").GetInt32()));
        var final = lines[^1];
        Assert.True(final.GetProperty("morePending").GetBoolean());
        Assert.Equal(2, final.GetProperty("filesArchived").GetInt32());
        Assert.Equal(2, (await host.GetJsonAsync("/api/admin/archive")).GetProperty("files").GetInt32());
    }

    [Fact]
    public async Task PlainJsonAnswer_WithUntilDone_DrainsTheBacklog()
    {
        await using var host = await ServiceHost.StartAsync(TwoPerRun());
        await ArchiveTestKit.IngestAsync(host);

        using var response = await host.Client.PostAsync("/api/admin/archive?untilDone=true", null);
        var text = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.StartsWith("application/json", response.Content.Headers.ContentType!.ToString(), StringComparison.Ordinal);
        var answer = JsonDocument.Parse(text).RootElement;
        Assert.Equal("completed", answer.GetProperty("status").GetString());
        Assert.False(answer.TryGetProperty("event", out _));
        Assert.Equal(ArchiveTestKit.ArchivedFiles, answer.GetProperty("filesArchived").GetInt32());
        Assert.False(answer.GetProperty("morePending").GetBoolean());
        Assert.Equal(3, answer.GetProperty("runs").GetInt32());
    }

    [Fact]
    public async Task RunAlreadyGoing_IsStill409_BeforeAnyLine()
    {
        await using var host = await ServiceHost.StartAsync(TwoPerRun());
        await ArchiveTestKit.IngestAsync(host);

        using (host.Service<MaintenanceLock>().TryEnter() ?? throw new InvalidOperationException("the lock is taken"))
        {
            var (status, _, lines) = await PostStreamAsync(host, "/api/admin/archive?untilDone=true");

            Assert.Equal(HttpStatusCode.Conflict, status);
            var line = Assert.Single(lines);
            Assert.Equal("skipped", Event(line));
        }

        Assert.Equal(0, (await host.GetJsonAsync("/api/admin/archive")).GetProperty("files").GetInt32());
    }

    [Fact]
    public async Task PartitionThatFailsVerification_HasAFailureLine_OthersContinue()
    {
        await using var host = await ServiceHost.StartAsync(ArchiveTestKit.Settings(null));
        await ArchiveTestKit.IngestAsync(host);
        var exported = 0;
        host.Service<ArchiveRunner>().StageHook = (stage, localFile, _) =>
        {
            if (stage == ArchiveStage.Exported && Interlocked.Increment(ref exported) == 1)
            {
                using var file = new FileStream(localFile, FileMode.Open, FileAccess.Write);
                file.SetLength(file.Length / 2);
            }

            return Task.CompletedTask;
        };

        var (status, _, lines) = await PostStreamAsync(host, "/api/admin/archive");

        // The status went out with the first line; the summary line says how the run ended.
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(ArchiveTestKit.ArchivedFiles + 1, lines.Count);
        var failed = Assert.Single(lines, l => Event(l) == "partitionFailed");
        Assert.Equal(1, failed.GetProperty("done").GetInt32());
        Assert.False(string.IsNullOrEmpty(failed.GetProperty("error").GetString()));
        Assert.Equal(ArchiveTestKit.ArchivedFiles - 1, lines.Count(l => Event(l) == "partition"));
        Assert.Equal(Enumerable.Range(1, ArchiveTestKit.ArchivedFiles), lines.SkipLast(1).Select(l => l.GetProperty("done").GetInt32()));
        var final = lines[^1];
        Assert.Equal("failed", Event(final));
        Assert.Equal(1, final.GetProperty("partitionsFailed").GetInt32());
    }

    [Fact]
    public async Task ClientThatLeaves_StopsTheRunBetweenPartitions_LeavingNothingHalfDone()
    {
        await using var host = await ServiceHost.StartAsync(TwoPerRun());
        await ArchiveTestKit.IngestAsync(host);
        var runner = host.Service<ArchiveRunner>();
        var exported = 0;
        var stopped = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        runner.StageHook = async (stage, _, token) =>
        {
            // The second partition waits here until the client has gone.
            if (stage == ArchiveStage.Exported && Interlocked.Increment(ref exported) == 2)
            {
                try
                {
                    await Task.Delay(Timeout.Infinite, token);
                }
                finally
                {
                    stopped.SetResult();
                }
            }
        };

        using (var request = Request("/api/admin/archive?untilDone=true"))
        using (var response = await host.Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead))
        {
            using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
            var first = JsonDocument.Parse((await reader.ReadLineAsync())!).RootElement;
            Assert.Equal("partition", Event(first));
            Assert.Equal(1, first.GetProperty("done").GetInt32());
        }

        await stopped.Task.WaitAsync(TimeSpan.FromMinutes(1));
        runner.StageHook = null;

        // The run releases the lock as it unwinds; then a run of its own finishes the backlog.
        ArchiveRunResult rest;
        var attempts = 0;
        do
        {
            await Task.Yield();
            rest = (await runner.RunUntilDoneAsync(1000, null, CancellationToken.None)).Total;
        }
        while (rest.Skipped && ++attempts < 100_000);

        Assert.True(rest.Succeeded, rest.Describe());
        Assert.Equal(ArchiveTestKit.ArchivedFiles - 1, rest.FilesArchived);
        var manifest = await host.GetJsonAsync("/api/admin/archive");
        Assert.Equal(ArchiveTestKit.ArchivedFiles, manifest.GetProperty("files").GetInt32());
        Assert.All(
            manifest.GetProperty("partitionList").EnumerateArray(),
            p => Assert.EndsWith("part-00000.parquet", p.GetProperty("files")[0].GetProperty("path").GetString(), StringComparison.Ordinal));
        Assert.Empty(Directory.GetFiles(Path.Combine(host.DataDirectory, "archive-work"), "*.parquet"));
    }

    private static HttpRequestMessage Request(string path)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path);
        request.Headers.Accept.ParseAdd(NdJson);
        return request;
    }

    /// <summary>Reads the answer line by line as it arrives and parses each line on its own.</summary>
    private static async Task<(HttpStatusCode Status, string? ContentType, List<JsonElement> Lines)> PostStreamAsync(ServiceHost host, string path)
    {
        using var request = Request(path);
        using var response = await host.Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        var lines = new List<JsonElement>();
        while (await reader.ReadLineAsync() is { } line)
        {
            Assert.False(string.IsNullOrWhiteSpace(line), "an empty line in the stream");
            lines.Add(JsonDocument.Parse(line).RootElement.Clone());
        }

        return (response.StatusCode, response.Content.Headers.ContentType?.MediaType, lines);
    }

    private static string? Event(JsonElement line) => line.TryGetProperty("event", out var e) ? e.GetString() : null;
}
