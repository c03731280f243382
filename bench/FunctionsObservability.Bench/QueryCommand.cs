using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace FunctionsObservability.Bench;

/// <summary>
/// <c>query</c>: runs each of the four benchmark queries once cold and then <c>--runs</c> times
/// warm, and reports the median of the warm runs (request sent to whole body read, keep-alive).
/// The time range comes from the workload's manifest.json.
/// </summary>
internal static class QueryCommand
{
    public static async Task<int> RunAsync(Options options)
    {
        var url = options.String("url");
        var manifest = Generator.ReadManifest(Path.GetFullPath(options.String("data")));
        var runs = options.Int("runs", 5);
        var host = options.String("host", "h42");
        var target = options.String("target", "server");
        var pid = options.OptionalString("pid") is { } p ? int.Parse(p, CultureInfo.InvariantCulture) : (int?)null;
        var api = PeerCount.CheckApi(options.String("api", "ours"));
        options.EnsureAllUsed();
        if (api != "ours")
        {
            var peerQueries = api == "vm" ? [.. PeerQueries.Build(api, manifest, host), .. PromQLQueries.Build(manifest, host)] : PeerQueries.Build(api, manifest, host);
            return await RunQueriesAsync(url, target, api, runs, pid, peerQueries, (key, text) => PeerQueries.Summarize(api, key, text));
        }

        var first = manifest["first_ts"]!.GetValue<long>();
        var span = manifest["points_per_series"]!.GetValue<long>(); // seconds
        var end = first + span;                                     // exclusive
        var hourEnd = Math.Min(first + 3600, end);
        var mid = first + (span / 2);
        var queries = new (string Key, string Description, string Path)[]
        {
            ("a_one_host_1m_avg", $"1-minute means of cpu_usage_user for host {host}, whole range",
                $"/api/query/aggregate?metric=cpu_usage_user&from={Ts(first)}&to={Ts(end)}&step=1m&fn=avg&tag=host:{host}"),
            ("b_group_by_host_1h", $"1-minute means of cpu_usage_user grouped by host, {(hourEnd - first) / 60} min window",
                $"/api/query/aggregate?metric=cpu_usage_user&from={Ts(first)}&to={Ts(hourEnd)}&step=1m&fn=avg&groupBy=host"),
            ("c_count_all_points", "GET /api/metrics (every metric with its point count)", "/api/metrics"),
            ("d_points_page_1000", "1,000 raw points of cpu_usage_user from the middle of the range",
                $"/api/query/points?metric=cpu_usage_user&from={Ts(mid)}&to={Ts(end)}&limit=1000"),
        }.Concat(PromQLQueries.Build(manifest, host)).ToArray();

        // The PromQL answers are Prometheus-shaped, read as VictoriaMetrics' are.
        return await RunQueriesAsync(url, target, api, runs, pid, queries,
            (key, text) => key.StartsWith("p_", StringComparison.Ordinal) ? PeerQueries.Summarize("vm", key, text) : new QuerySummary(Describe(text), FirstValue(text), null));
    }

    /// <summary>Runs each query 1 cold + <paramref name="runs"/> warm and prints the query JSON; <paramref name="summarize"/> reads an answer (query key, body).</summary>
    internal static async Task<int> RunQueriesAsync(
        string url, string target, string api, int runs, int? pid,
        IReadOnlyList<(string Key, string Description, string Path)> queries, Func<string, string, QuerySummary> summarize)
    {
        using var client = Http.Create(url, 1, TimeSpan.FromSeconds(120));

        // This tool is a fresh process per store: its own HTTP path is warmed on the store's
        // health endpoint first, so the warm runs time the store's queries, not our JIT.
        var health = api switch { "influxdb" => "/ping", "vm" => "/health", _ => "/api/health" };
        for (var i = 0; i < ClientWarmupRequests; i++)
        {
            await TimeOneAsync(client, health);
        }

        await using var meter = new ResourceMeter(pid);
        meter.Start();
        var results = new JsonObject();
        var failures = 0;
        foreach (var (key, description, path) in queries)
        {
            var cold = await TimeOneAsync(client, path);
            var warm = new List<Measured>();
            for (var i = 0; i < runs; i++)
            {
                warm.Add(await TimeOneAsync(client, path));
            }

            var summary = cold.Status == 200 ? summarize(key, cold.Text) : new QuerySummary(null, null, null);
            var ok = cold.Status == 200 && warm.All(w => w.Status == 200) && summary.Error is null;
            failures += ok ? 0 : 1;
            results[key] = new JsonObject
            {
                ["description"] = description,
                ["path"] = path,
                ["status"] = warm.Count > 0 ? warm[^1].Status : cold.Status,
                ["ok"] = ok,
                ["cold_ms"] = JsonOut.Num(cold.Milliseconds, 2),
                ["median_ms"] = JsonOut.Num(Stats.Median(warm.Select(w => w.Milliseconds)), 2),
                ["warm_ms"] = new JsonArray(warm.Select(w => JsonOut.Num(w.Milliseconds, 2)).ToArray()),
                ["bytes"] = cold.Bytes,
                ["shape"] = summary.Shape,
                ["first_value"] = summary.FirstValue is { } fv ? JsonValue.Create(fv) : null,
                ["error"] = ok ? null : summary.Error ?? (cold.Status == 200 ? warm.First(w => w.Status != 200).Snippet : cold.Snippet),
            };
        }

        var usage = await meter.StopAsync();
        JsonOut.Print(new JsonObject
        {
            ["cmd"] = "query",
            ["target"] = target,
            ["api"] = api,
            ["url"] = url,
            ["runs"] = runs,
            ["queries"] = results,
            ["server_cpu_s"] = JsonOut.Num(usage.ServerCpuSeconds, 2),
            ["client_cpu_s"] = JsonOut.Num(usage.OwnCpuSeconds, 2),
            ["wall_s"] = JsonOut.Num(usage.WallSeconds, 2),
            ["other_cpu_cores"] = JsonOut.Num(usage.OtherCpuCores, 2),
        });
        return failures == 0 ? 0 : 3;
    }

    private const int ClientWarmupRequests = 200;

    private static string Ts(long unixSeconds) =>
        DateTimeOffset.FromUnixTimeSeconds(unixSeconds).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    private static async Task<Measured> TimeOneAsync(HttpClient client, string path)
    {
        var start = Stopwatch.GetTimestamp();
        try
        {
            using var response = await client.GetAsync(Http.Relative(path));
            var body = await response.Content.ReadAsByteArrayAsync();
            var ms = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            var text = System.Text.Encoding.UTF8.GetString(body);
            return new Measured((int)response.StatusCode, ms, body.Length, text, IngestCommand.Truncate(text));
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or IOException)
        {
            return new Measured(0, Stopwatch.GetElapsedTime(start).TotalMilliseconds, 0, "", e.Message);
        }
    }

    /// <summary>A short account of a JSON answer: array lengths, top-level keys, nested series sizes.</summary>
    internal static string? Describe(string text)
    {
        try
        {
            return Describe(JsonNode.Parse(text), 0);
        }
        catch (JsonException)
        {
            return "not JSON";
        }
    }

    private static string Describe(JsonNode? node, int depth) => node switch
    {
        JsonArray a when a.Count > 0 && depth < 2 => $"[{a.Count} x {Describe(a[0], depth + 1)}]",
        JsonArray a => $"[{a.Count}]",
        JsonObject o when depth < 3 => "{" + string.Join(", ", o.Select(kv => kv.Value is JsonArray or JsonObject
            ? $"{kv.Key}: {Describe(kv.Value, depth + 1)}"
            : kv.Key)) + "}",
        JsonObject o => $"{{{o.Count} keys}}",
        _ => node?.GetValueKind().ToString() ?? "null",
    };

    /// <summary>
    /// The first number named "value" in the answer: a cheap check that the data is right, since the
    /// workload is deterministic (host h42's first 1-minute mean is 35.0195 in every store).
    /// </summary>
    private static double? FirstValue(string text)
    {
        try
        {
            return Find(JsonNode.Parse(text));
        }
        catch (JsonException)
        {
            return null;
        }

        static double? Find(JsonNode? node)
        {
            switch (node)
            {
                case JsonObject o:
                    if (o["value"] is JsonValue v && v.TryGetValue<double>(out var d))
                    {
                        return d;
                    }

                    return o.Select(kv => Find(kv.Value)).FirstOrDefault(x => x is not null);
                case JsonArray a:
                    return a.Select(Find).FirstOrDefault(x => x is not null);
                default:
                    return null;
            }
        }
    }

    private sealed record Measured(int Status, double Milliseconds, int Bytes, string Text, string Snippet);
}

/// <summary>What one answer held: a short shape, the first value (a cheap correctness check), or an error inside a 200 answer.</summary>
internal sealed record QuerySummary(string? Shape, double? FirstValue, string? Error);
