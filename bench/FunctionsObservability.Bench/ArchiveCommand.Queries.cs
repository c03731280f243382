using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Azure.Storage.Blobs;

namespace FunctionsObservability.Bench;

internal static partial class ArchiveCommand
{
    // ---- part 2: queries over an archived day -------------------------------------------------

    private static async Task<(JsonObject Row, bool Ok)> QueriesAsync(Settings s, string store, string stamp)
    {
        var day = Today() - (2 * Day);
        var lines = s.QueryHosts * (Day / s.QueryInterval);
        var workload = Workload(s, $"query-{s.QueryHosts}-{s.QueryInterval}-{day}",
            new GenParams(lines, s.QueryHosts, 10, 5000, day, 42, "s") { Interval = s.QueryInterval == 1 ? null : s.QueryInterval, Fields = 1 });
        var label = $"query-{store}";
        var dataDir = FreshDirectory(Path.Combine(s.Work, $"srv-{label}"));
        var log = Path.Combine(s.Work, "logs", $"{label}.log");
        var container = $"bench-query-{store}-{stamp.ToLowerInvariant()}";
        var arguments = ServerArguments(s, store, dataDir, container);
        var host = s.QueryHosts > 42 ? "h42" : "h0";
        var from = Iso(day);
        var to = Iso(day + Day);
        var queries = new (string Key, string Description, string Path)[]
        {
            ("a_one_host_1m_avg_day", $"1-minute means of cpu_usage_user for host {host} over the day (1,440 points)",
                $"/api/query/aggregate?metric=cpu_usage_user&from={from}&to={to}&step=1m&fn=avg&tag=host:{host}"),
            ("b_by_host_1h_avg_day", $"1-hour means of cpu_usage_user grouped by host over the day ({s.QueryHosts} series x 24)",
                $"/api/query/aggregate?metric=cpu_usage_user&from={from}&to={to}&step=1h&fn=avg&groupBy=host"),
            ("c_points_page_1000", "a page of 1,000 raw points of cpu_usage_user from midday on",
                $"/api/query/points?metric=cpu_usage_user&from={Iso(day + (Day / 2))}&to={to}&limit=1000"),
        };
        Progress($"{label}: {lines:N0} points on {from[..10]}, {s.QueryHosts} hosts every {s.QueryInterval} s");
        var row = new JsonObject
        {
            ["store"] = store,
            ["points"] = lines,
            ["container"] = store == "blob" ? container : null,
            ["day"] = from[..10],
            ["log"] = log,
        };
        var ok = true;
        var server = await ServiceProcess.StartAsync(s.Server, arguments, log);
        try
        {
            var (ingest, ingestExit) = await IngestCommand.IngestAsync(server.Url, workload["dir"]!.GetValue<string>(), s.Concurrency, server.Pid, label,
                TimeSpan.FromSeconds(300), TimeSpan.FromSeconds(10));
            ok &= ingestExit == 0;
            row["ingest"] = Pick(ingest, "values_per_s", "wall_s", "errors", "count");
            await WaitClusteredAsync(server);
            row["duckdb_bytes_hot"] = DuckDbBytes(dataDir);

            Progress($"{label}: hot");
            (var hot, server) = await MeasureAsync(s, server, arguments, log, queries);
            Progress($"{label}: archiving the day");
            var archive = await ArchiveAllAsync(server);
            row["archive"] = archive;
            ok &= archive["ok"]!.GetValue<bool>() && archive["rows"]!.GetValue<long>() == lines;
            Progress($"{label}: archived");
            (var archived, server) = await MeasureAsync(s, server, arguments, log, queries);

            var compared = new JsonObject();
            foreach (var (key, description, path) in queries)
            {
                var h = hot[key]!.AsObject();
                var a = archived[key]!.AsObject();
                var same = SameAnswer(h["answer"]!.GetValue<string>(), a["answer"]!.GetValue<string>());
                ok &= same && h["ok"]!.GetValue<bool>() && a["ok"]!.GetValue<bool>();
                compared[key] = new JsonObject
                {
                    ["description"] = description,
                    ["path"] = path,
                    ["hot_cold_ms"] = h["cold_median_ms"]!.DeepClone(),
                    ["hot_warm_ms"] = h["warm_median_ms"]!.DeepClone(),
                    ["archived_cold_ms"] = a["cold_median_ms"]!.DeepClone(),
                    ["archived_warm_ms"] = a["warm_median_ms"]!.DeepClone(),
                    ["ratio_cold"] = JsonOut.Num(a["cold_median_ms"]!.GetValue<double>() / h["cold_median_ms"]!.GetValue<double>(), 2),
                    ["ratio_warm"] = JsonOut.Num(a["warm_median_ms"]!.GetValue<double>() / h["warm_median_ms"]!.GetValue<double>(), 2),
                    ["same_answer"] = same,
                    ["bytes"] = h["bytes"]!.DeepClone(),
                    ["shape"] = h["shape"]!.DeepClone(),
                };
                h.Remove("answer");
                a.Remove("answer");
            }

            row["hot"] = hot;
            row["archived"] = archived;
            row["compare"] = compared;
            row["duckdb_bytes_archived"] = DuckDbBytes(dataDir);
        }
        finally
        {
            await server.DisposeAsync();
        }

        row["server_log_archive_lines"] = ArchiveLogLines(log);
        row["ok"] = ok;
        Cleanup(s, dataDir);
        return (row, ok);
    }

    /// <summary>
    /// Cold: for each query, <c>Restarts</c> times: restart the server, wait until it is idle, time the
    /// query once. Warm: on the last server, one unmeasured request, then <c>Runs</c> timed ones.
    /// </summary>
    private static async Task<(JsonObject Result, ServiceProcess Server)> MeasureAsync(
        Settings s, ServiceProcess server, IReadOnlyList<string> arguments, string log, (string Key, string Description, string Path)[] queries)
    {
        var result = new JsonObject();
        foreach (var (key, _, path) in queries)
        {
            var cold = new List<Timed>();
            var others = new List<JsonObject>();
            for (var r = 0; r < s.Restarts; r++)
            {
                await server.DisposeAsync();
                server = await ServiceProcess.StartAsync(s.Server, arguments, log);
                await server.WaitIdleAsync(0.15, TimeSpan.FromSeconds(15));
                others.Add(await WaitQuietAsync(s, server.Pid));
                cold.Add(await TimeAsync(server.Client, path));
            }

            others.Add(await WaitQuietAsync(s, server.Pid));

            var warm = new List<Timed>();
            _ = await TimeAsync(server.Client, path);
            for (var i = 0; i < s.Runs; i++)
            {
                warm.Add(await TimeAsync(server.Client, path));
            }

            var all = cold.Concat(warm).ToList();
            result[key] = new JsonObject
            {
                ["ok"] = all.All(t => t.Status == 200),
                ["status"] = all.Select(t => t.Status).Max(),
                ["cold_ms"] = new JsonArray(cold.Select(t => JsonOut.Num(t.Milliseconds, 2)).ToArray()),
                ["cold_median_ms"] = JsonOut.Num(Stats.Median(cold.Select(t => t.Milliseconds)), 2),
                ["warm_ms"] = new JsonArray(warm.Select(t => JsonOut.Num(t.Milliseconds, 2)).ToArray()),
                ["warm_median_ms"] = JsonOut.Num(Stats.Median(warm.Select(t => t.Milliseconds)), 2),
                ["other_cpu_cores_before"] = new JsonArray(others.Select(o => o["other_cpu_cores"]!.DeepClone()).ToArray()),
                ["bytes"] = warm[^1].Body.Length,
                ["shape"] = Shape(warm[^1].Body),
                ["sha256"] = Convert.ToHexStringLower(SHA256.HashData(warm[^1].Body)),
                ["error"] = all.FirstOrDefault(t => t.Status != 200) is { } bad ? IngestCommand.Truncate(Encoding.UTF8.GetString(bad.Body)) : null,
                ["answer"] = Encoding.UTF8.GetString(warm[^1].Body),
            };
            Progress($"  {key}: cold {result[key]!["cold_median_ms"]} ms, warm {result[key]!["warm_median_ms"]} ms");
        }

        return (result, server);
    }

    private static async Task<Timed> TimeAsync(HttpClient client, string path)
    {
        var start = Stopwatch.GetTimestamp();
        try
        {
            using var response = await client.GetAsync(Http.Relative(path));
            var body = await response.Content.ReadAsByteArrayAsync();
            return new Timed((int)response.StatusCode, Stopwatch.GetElapsedTime(start).TotalMilliseconds, body);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or IOException)
        {
            return new Timed(0, Stopwatch.GetElapsedTime(start).TotalMilliseconds, Encoding.UTF8.GetBytes(e.Message));
        }
    }
}
