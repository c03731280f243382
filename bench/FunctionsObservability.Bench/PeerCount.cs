using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace FunctionsObservability.Bench;

/// <summary>
/// Counts stored field values of one measurement through the store's own API, so the same
/// check (lost = acknowledged - stored) works for every target:
/// <list type="bullet">
/// <item><c>ours</c> (and the naive server): <c>GET /api/metrics</c>, metrics named <c>MEASUREMENT_*</c> (<see cref="PointCounter"/>).</item>
/// <item><c>influxdb</c>: InfluxQL <c>SELECT count(*) FROM "MEASUREMENT"</c> in database <c>bench</c>, summed over the fields.</item>
/// <item><c>vm</c>: MetricsQL <c>sum(count_over_time({__name__=~"MEASUREMENT_.*"}[W]))</c> at the end of the range, with
/// <c>nocache=1</c> so the rollup result cache never answers with an older, partial count.</item>
/// </list>
/// </summary>
internal static class PeerCount
{
    public const string InfluxDatabase = "bench";

    public static readonly string[] Apis = ["ours", "influxdb", "vm"];

    public static string CheckApi(string api) =>
        Apis.Contains(api) ? api : throw new UsageException($"--api must be one of {string.Join(", ", Apis)}, not '{api}'");

    /// <summary>A counter for <paramref name="measurement"/>'s values with timestamps in [fromS, toS] (unix seconds; used by vm only).</summary>
    public static Func<Task<CountResult>> Counter(HttpClient client, string api, string measurement, long fromS, long toS) => api switch
    {
        "influxdb" => () => InfluxAsync(client, measurement),
        "vm" => () => VictoriaAsync(client, measurement, fromS, toS),
        _ => () => PointCounter.CountAsync(client, measurement + "_"),
    };

    /// <summary>
    /// Before the first count: VictoriaMetrics keeps the last ~1 s of rows in memory, unsearchable, and a
    /// search that finds no series too early is answered from its caches for several more seconds (seen:
    /// 8 s after a 0.4 s ingest), so polling alone measures the poll. <c>/internal/force_flush</c> makes the
    /// buffered rows searchable now (~150 ms), as the peers' reference run did; the callers keep it inside
    /// the clock. Returns the milliseconds it took (null for the other stores, which need nothing).
    /// </summary>
    public static async Task<double?> MakeVisibleAsync(HttpClient client, string api)
    {
        if (api != "vm")
        {
            return null;
        }

        var (status, body, ms) = await GetAsync(client, "/internal/force_flush");
        return status is >= 200 and < 300 ? ms : throw new InvalidOperationException($"force_flush: HTTP {status} {IngestCommand.Truncate(body)}");
    }

    private static async Task<CountResult> InfluxAsync(HttpClient client, string measurement)
    {
        var q = $"SELECT count(*) FROM \"{measurement}\"";
        var (status, body, ms) = await GetAsync(client, $"/query?db={InfluxDatabase}&q={Uri.EscapeDataString(q)}");
        if (status != 200)
        {
            return new CountResult(null, 0, ms, $"HTTP {status}: {IngestCommand.Truncate(body)}");
        }

        try
        {
            var result = JsonNode.Parse(body)?["results"]?[0];
            if (result?["error"] is { } error)
            {
                return new CountResult(null, 0, ms, error.ToString());
            }

            if (result?["series"] is not JsonArray series || series.Count == 0)
            {
                return new CountResult(0, 0, ms, null); // nothing stored yet
            }

            // columns: time, count_field1, count_field2, ...; one row
            var row = series[0]!["values"]![0]!.AsArray();
            long total = 0;
            for (var i = 1; i < row.Count; i++)
            {
                total += row[i] is JsonValue v && v.TryGetValue<long>(out var n) ? n : 0;
            }

            return new CountResult(total, row.Count - 1, ms, null);
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or NullReferenceException)
        {
            return new CountResult(null, 0, ms, $"unexpected answer ({e.Message}): {IngestCommand.Truncate(body)}");
        }
    }

    private static async Task<CountResult> VictoriaAsync(HttpClient client, string measurement, long fromS, long toS)
    {
        var window = Math.Max(1, toS - fromS + 1);
        var query = $"sum(count_over_time({{__name__=~\"{measurement}_.*\"}}[{window}s]))";
        var path = $"/api/v1/query?query={Uri.EscapeDataString(query)}&time={toS.ToString(CultureInfo.InvariantCulture)}&nocache=1";
        var (status, body, ms) = await GetAsync(client, path);
        if (status != 200)
        {
            return new CountResult(null, 0, ms, $"HTTP {status}: {IngestCommand.Truncate(body)}");
        }

        try
        {
            var data = JsonNode.Parse(body)!;
            if (data["status"]?.GetValue<string>() != "success")
            {
                return new CountResult(null, 0, ms, IngestCommand.Truncate(body));
            }

            var result = data["data"]!["result"]!.AsArray();
            if (result.Count == 0)
            {
                return new CountResult(0, 0, ms, null);
            }

            var text = result[0]!["value"]![1]!.GetValue<string>();
            return new CountResult((long)double.Parse(text, CultureInfo.InvariantCulture), 1, ms, null);
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or NullReferenceException or FormatException)
        {
            return new CountResult(null, 0, ms, $"unexpected answer ({e.Message}): {IngestCommand.Truncate(body)}");
        }
    }

    private static async Task<(int Status, string Body, double Ms)> GetAsync(HttpClient client, string path)
    {
        var clock = Stopwatch.StartNew();
        try
        {
            using var response = await client.GetAsync(Http.Relative(path));
            var body = await response.Content.ReadAsStringAsync();
            return ((int)response.StatusCode, body, clock.Elapsed.TotalMilliseconds);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or IOException)
        {
            return (0, e.Message, clock.Elapsed.TotalMilliseconds);
        }
    }
}
