using System.Text.Json.Nodes;

namespace FunctionsObservability.Bench;

/// <summary>
/// The PromQL queries of issue 14, sent unchanged to ours and to VictoriaMetrics (whose MetricsQL
/// accepts them) at <c>/api/v1/query_range</c>, so both parse and evaluate the same text over the
/// same data. VictoriaMetrics gets <c>nocache=1</c> (no rollup result cache; ours has none) and ours
/// ignores it. The answers differ slightly by design: MetricsQL's rate does not extrapolate and its
/// windows are left-open, Prometheus 2.42's (and ours) extrapolate and include both ends.
/// </summary>
internal static class PromQLQueries
{
    public static (string Key, string Description, string Path)[] Build(JsonObject manifest, string host)
    {
        var first = manifest["first_ts"]!.GetValue<long>();
        var last = manifest["last_ts"]!.GetValue<long>();
        var hourEnd = Math.Min(first + 3600, last);
        return
        [
            ("p_avg_over_time_1m", $"PromQL avg_over_time(cpu_usage_user{{host=\"{host}\"}}[1m]) over the whole range, 1m step",
                Range($"avg_over_time(cpu_usage_user{{host=\"{host}\"}}[1m])", first + 60, last)),
            ("p_sum_by_region_rate_5m", "PromQL sum by (region) (rate(cpu_usage_user[5m])) over one hour, 1m step",
                Range("sum by (region) (rate(cpu_usage_user[5m]))", first, hourEnd)),
        ];

        static string Range(string query, long start, long end) =>
            $"/api/v1/query_range?query={Uri.EscapeDataString(query)}&start={start}&end={end}&step=60&nocache=1";
    }
}
