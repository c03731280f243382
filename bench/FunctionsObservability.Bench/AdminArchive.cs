using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace FunctionsObservability.Bench;

/// <summary>The service's admin archive endpoint, driven until nothing is left to archive (one streaming request).</summary>
internal static class AdminArchive
{
    public const string Path = "/api/admin/archive";

    /// <summary>
    /// One <c>POST /api/admin/archive?untilDone=true</c> with <c>Accept: application/x-ndjson</c>: the
    /// service runs archive runs back to back until nothing is pending, streaming a line per
    /// partition (printed to stderr as it arrives) and a summary per run; with the server's CPU and
    /// RSS over all of it. <c>runs</c> holds each run's summary line as it arrived.
    /// </summary>
    public static async Task<JsonObject> RunUntilDrainedAsync(HttpClient client, int? pid)
    {
        var runs = new JsonArray();
        long files = 0, rows = 0, bytes = 0;
        var partitions = 0;
        string? error = null;
        await using var meter = new ResourceMeter(pid);
        meter.Start();
        var start = Stopwatch.GetTimestamp();
        using (var request = new HttpRequestMessage(HttpMethod.Post, Http.Relative(Path + "?untilDone=true")))
        {
            request.Headers.Accept.ParseAdd("application/x-ndjson");
            using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
            var status = (int)response.StatusCode;
            using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
            JsonObject? final = null;
            var text = "";
            while (await reader.ReadLineAsync() is { } line)
            {
                text = line;
                var ms = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
                JsonObject? o;
                try
                {
                    o = JsonNode.Parse(line) as JsonObject;
                }
                catch (JsonException)
                {
                    o = null;
                }

                switch (o?["event"]?.GetValue<string>())
                {
                    case "partition" or "partitionFailed" or "partitionDeferred":
                        partitions++;
                        Console.Error.WriteLine($"[{DateTime.Now:HH:mm:ss}] archive: run {o!["run"]} {o["done"]}/{o["total"]} {o["event"]} {o["metric"]} {o["hour"]} {o["rows"]} rows {o["bytes"]} bytes{(o["error"] is { } e ? $": {e}" : "")}");
                        break;
                    case "run":
                        runs.Add(new JsonObject { ["status"] = status, ["client_ms"] = JsonOut.Num(ms, 1), ["answer"] = o!.DeepClone() });
                        break;
                    case "completed" or "failed" or "skipped":
                        final = o;
                        break;
                }
            }

            if (!response.IsSuccessStatusCode || final is null)
            {
                error = $"HTTP {status}: {IngestCommand.Truncate(final?.ToJsonString() ?? text)}";
            }
            else
            {
                files = final["filesArchived"]?.GetValue<long>() ?? 0;
                rows = final["rowsArchived"]?.GetValue<long>() ?? 0;
                bytes = final["bytesArchived"]?.GetValue<long>() ?? 0;
                if (final["event"]?.GetValue<string>() != "completed")
                {
                    error = $"archive {final["event"]}: {final["summary"]}";
                }
            }
        }

        var usage = await meter.StopAsync();
        return new JsonObject
        {
            ["ok"] = error is null,
            ["error"] = error,
            ["requests"] = 1,
            ["archive_runs"] = runs.Count,
            ["partitions"] = partitions,
            ["files"] = files,
            ["rows"] = rows,
            ["bytes"] = bytes,
            ["wall_s"] = JsonOut.Num(usage.WallSeconds, 3),
            ["rows_per_s"] = JsonOut.Num(rows / usage.WallSeconds, 0),
            ["parquet_mib_per_s"] = JsonOut.Num(bytes / 1048576.0 / usage.WallSeconds, 2),
            ["parquet_bytes_per_row"] = JsonOut.Num((double)bytes / Math.Max(1, rows), 3),
            ["server_cpu_s"] = JsonOut.Num(usage.ServerCpuSeconds, 2),
            ["server_cpu_cores"] = JsonOut.Num(usage.ServerCpuSeconds / usage.WallSeconds, 2),
            ["server_peak_rss_mib"] = JsonOut.Num(usage.ServerPeakRssMiB, 0),
            ["server_max_polled_rss_mib"] = JsonOut.Num(usage.ServerMaxPolledRssMiB, 0),
            ["other_cpu_cores"] = JsonOut.Num(usage.OtherCpuCores, 2),
            ["runs"] = runs,
        };
    }
}
