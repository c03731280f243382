using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace FunctionsObservability.Bench;

/// <summary>
/// The four benchmark queries (see <see cref="QueryCommand"/>) in each peer's own language, over
/// the same ranges as ours, so every store does the same work and returns the same numbers
/// (host h42's first 1-minute mean is 35.0195 everywhere):
/// <list type="bullet">
/// <item>InfluxDB 1.6: InfluxQL over <c>GET /query?db=bench&amp;epoch=s</c>.</item>
/// <item>VictoriaMetrics 1.79: MetricsQL over <c>/api/v1/query_range</c> and <c>/api/v1/query</c> with
/// <c>nocache=1</c> (no rollup result cache; InfluxDB and ours have none), raw points over <c>/api/v1/export</c>.
/// A Prometheus window <c>[1m]</c> evaluated at t is (t-1m, t]; with <c>offset 1s</c> the window at
/// t = first + 60(k+1) is [first + 60k, first + 60k + 59], exactly the 1-minute bucket k of InfluxDB and ours
/// (VictoriaMetrics labels a bucket by its end, the others by its start).</item>
/// </list>
/// </summary>
internal static class PeerQueries
{
    public static (string Key, string Description, string Path)[] Build(string api, JsonObject manifest, string host)
    {
        var first = manifest["first_ts"]!.GetValue<long>();
        var span = manifest["last_ts"]!.GetValue<long>() - first + 1; // seconds
        var end = first + span;                                        // exclusive
        var hourEnd = Math.Min(first + 3600, end);
        var mid = first + (span / 2);
        var buckets = (span + 59) / 60;
        var hourBuckets = (hourEnd - first + 59) / 60;
        var descA = $"1-minute means of usage_user for host {host}, whole range";
        var descB = $"1-minute means of usage_user grouped by host, {(hourEnd - first) / 60} min window";
        var descD = "1,000 raw points of usage_user from the middle of the range";
        if (api == "influxdb")
        {
            return
            [
                ("a_one_host_1m_avg", descA, Influx($"SELECT mean(usage_user) FROM cpu WHERE host='{host}' AND time >= {first}s AND time < {end}s GROUP BY time(1m)")),
                ("b_group_by_host_1h", descB, Influx($"SELECT mean(usage_user) FROM cpu WHERE time >= {first}s AND time < {hourEnd}s GROUP BY time(1m), host")),
                ("c_count_all_points", "count of every field value (InfluxQL count per field)", Influx("SELECT count(usage_user), count(usage_system) FROM cpu")),
                ("d_points_page_1000", descD, Influx($"SELECT usage_user, host FROM cpu WHERE time >= {mid}s AND time < {end}s LIMIT 1000")),
            ];
        }

        return
        [
            ("a_one_host_1m_avg", descA, Range($"avg_over_time(cpu_usage_user{{host=\"{host}\"}}[1m] offset 1s)", first + 60, first + (60 * buckets))),
            ("b_group_by_host_1h", descB, Range("avg_over_time(cpu_usage_user[1m] offset 1s)", first + 60, first + (60 * hourBuckets))),
            ("c_count_all_points", "count of every field value (sum of count_over_time over the whole range)",
                $"/api/v1/query?query={E($"sum(count_over_time({{__name__=~\"cpu_usage_(user|system)\"}}[{span + 1}s]))")}&time={end - 1}&nocache=1"),
            // Raw samples of every cpu_usage_user series at t = mid: 1,000 hosts x 1 sample, the same 1,000 points ours and InfluxDB page.
            ("d_points_page_1000", descD + " (/api/v1/export, start = end = mid)", $"/api/v1/export?match[]=cpu_usage_user&start={mid}&end={mid}"),
        ];

        static string Influx(string q) => $"/query?db={PeerCount.InfluxDatabase}&epoch=s&q={E(q)}";
        static string Range(string q, long start, long stop) => $"/api/v1/query_range?query={E(q)}&start={start}&end={stop}&step=60&nocache=1";
    }

    /// <summary>Shape, first value and error of one answer; an answer that is 200 but carries an error is a failed query.</summary>
    public static QuerySummary Summarize(string api, string key, string text)
    {
        try
        {
            if (api == "influxdb")
            {
                var result = JsonNode.Parse(text)?["results"]?[0];
                if (result?["error"] is { } error)
                {
                    return new QuerySummary(null, null, error.ToString());
                }

                var series = result?["series"] as JsonArray ?? [];
                var rows = series.Sum(s => (s?["values"] as JsonArray)?.Count ?? 0);
                var firstRow = series.Count > 0 ? series[0]!["values"]![0]!.AsArray() : null;
                double? first = firstRow is null ? null
                    : key.StartsWith('c') ? firstRow.Skip(1).Sum(v => v!.GetValue<double>())
                    : firstRow[1]!.GetValue<double>();
                return new QuerySummary($"{series.Count} series x {rows} rows in all", first, null);
            }

            if (key.StartsWith('d'))
            {
                // export: one JSON object per series and line: {"metric":{...},"values":[...],"timestamps":[...]}
                var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonNode.Parse(l)!).ToList();
                var samples = lines.Sum(l => l["values"]!.AsArray().Count);
                var first = lines.Count > 0 ? lines[0]["values"]![0]!.GetValue<double>() : (double?)null;
                return new QuerySummary($"{lines.Count} series, {samples} samples", first, null);
            }

            var data = JsonNode.Parse(text)!;
            if (data["status"]?.GetValue<string>() != "success")
            {
                return new QuerySummary(null, null, IngestCommand.Truncate(text));
            }

            var res = data["data"]!["result"]!.AsArray();
            var total = res.Sum(s => (s?["values"] as JsonArray)?.Count ?? 1);
            var pair = res.Count == 0 ? null : (res[0]!["values"]?[0] ?? res[0]!["value"])?.AsArray();
            double? value = pair is null ? null : double.Parse(pair[1]!.GetValue<string>(), CultureInfo.InvariantCulture);
            return new QuerySummary($"{res.Count} series x {total} values in all", value, null);
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or NullReferenceException or FormatException or ArgumentOutOfRangeException)
        {
            return new QuerySummary("unexpected answer", null, $"{e.GetType().Name}: {e.Message}: {IngestCommand.Truncate(text)}");
        }
    }

    private static string E(string text) => Uri.EscapeDataString(text);
}
