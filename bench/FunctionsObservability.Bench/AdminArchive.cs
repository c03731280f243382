using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace FunctionsObservability.Bench;

/// <summary>The service's admin archive endpoint, driven until nothing is left to archive.</summary>
internal static class AdminArchive
{
    public const string Path = "/api/admin/archive";

    /// <summary>POST /api/admin/archive until morePending is false (at most 50 runs), with the server's CPU and RSS over all of them.</summary>
    public static async Task<JsonObject> RunUntilDrainedAsync(HttpClient client, int? pid)
    {
        var runs = new JsonArray();
        long files = 0, rows = 0, bytes = 0;
        string? error = null;
        await using var meter = new ResourceMeter(pid);
        meter.Start();
        for (var n = 0; n < 50; n++)
        {
            var start = Stopwatch.GetTimestamp();
            using var response = await client.PostAsync(Http.Relative(Path), null);
            var text = await response.Content.ReadAsStringAsync();
            var ms = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            JsonNode? answer;
            try
            {
                answer = JsonNode.Parse(text);
            }
            catch (JsonException)
            {
                answer = text;
            }

            runs.Add(new JsonObject { ["status"] = (int)response.StatusCode, ["client_ms"] = JsonOut.Num(ms, 1), ["answer"] = answer });
            if (!response.IsSuccessStatusCode || answer is not JsonObject o)
            {
                error = $"HTTP {(int)response.StatusCode}: {IngestCommand.Truncate(text)}";
                break;
            }

            files += o["filesArchived"]?.GetValue<long>() ?? 0;
            rows += o["rowsArchived"]?.GetValue<long>() ?? 0;
            bytes += o["bytesArchived"]?.GetValue<long>() ?? 0;
            if (o["morePending"]?.GetValue<bool>() != true)
            {
                break;
            }
        }

        var usage = await meter.StopAsync();
        return new JsonObject
        {
            ["ok"] = error is null,
            ["error"] = error,
            ["requests"] = runs.Count,
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
