using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;

namespace FunctionsObservability.Bench;

/// <summary>The Markdown summary of one <c>archive</c> result (used by the command and by <c>report</c>).</summary>
internal static class ArchiveReport
{
    public static string Markdown(JsonObject result, string heading = "#")
    {
        var md = new StringBuilder();
        var settings = result["settings"];
        md.AppendLine(CultureInfo.InvariantCulture, $"{heading} Archive benchmark (issue 4), {Str(result, "started")}");
        md.AppendLine();
        md.AppendLine(CultureInfo.InvariantCulture, $"Machine: {Str(result, "machine")}. Commit: {Str(result, "commit")}. Shared 2-core machine: compare ratios within a run.");
        md.AppendLine();
        md.AppendLine(CultureInfo.InvariantCulture, $"{heading}# Archive throughput (POST /api/admin/archive until morePending is false; export, verify, upload, commit)");
        md.AppendLine();
        md.AppendLine("| store | points | files | requests | wall s | rows/s | Parquet MiB | Parquet MiB/s | bytes/point on the store | server CPU cores | peak RSS MiB | DuckDB MiB before / after / after shutdown | other CPU cores |");
        md.AppendLine("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |");
        foreach (var row in result["throughput"]?.AsArray() ?? [])
        {
            var a = row?["archive"];
            md.AppendLine(CultureInfo.InvariantCulture,
                $"| {Str(row, "store")} | {F(Num(a, "rows"), "N0")} | {F(Num(a, "files"), "N0")} | {F(Num(a, "requests"), "N0")} | {F(Num(a, "wall_s"), "F2")} | " +
                $"{F(Num(a, "rows_per_s"), "N0")} | {F(Num(a, "bytes") / 1048576, "F1")} | {F(Num(a, "parquet_mib_per_s"), "F1")} | {F(Num(row, "bytes_per_point"), "F2")} | " +
                $"{F(Num(a, "server_cpu_cores"), "F2")} | {F(Num(a, "server_peak_rss_mib"), "N0")} | " +
                $"{Mib(row?["duckdb_bytes_before"])} / {Mib(row?["duckdb_bytes_after"])} / {Mib(row?["duckdb_bytes_after_shutdown"])} | {F(Num(a, "other_cpu_cores"), "F2")} |");
        }

        md.AppendLine();
        md.AppendLine(CultureInfo.InvariantCulture, $"{heading}# Queries over an archived day vs the same day hot");
        md.AppendLine();
        md.AppendLine(CultureInfo.InvariantCulture,
            $"One day ({F(Num(settings, "query_hosts"), "N0")} hosts, one field every {F(Num(settings, "query_interval_s"), "N0")} s). " +
            $"Cold = median of {F(Num(settings, "restarts"), "N0")} first requests, each right after a server restart (empty archive cache); warm = median of {F(Num(settings, "runs"), "N0")} after one unmeasured request.");
        md.AppendLine();
        md.AppendLine("| store | query | answer | hot cold ms | archived cold ms | cold ratio | hot warm ms | archived warm ms | warm ratio | same answer |");
        md.AppendLine("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |");
        foreach (var row in result["query"]?.AsArray() ?? [])
        {
            foreach (var (key, c) in row?["compare"]?.AsObject() ?? [])
            {
                md.AppendLine(CultureInfo.InvariantCulture,
                    $"| {Str(row, "store")} | {key} | {Str(c, "shape")} | {F(Num(c, "hot_cold_ms"), "F1")} | {F(Num(c, "archived_cold_ms"), "F1")} | {F(Num(c, "ratio_cold"), "F1")} | " +
                    $"{F(Num(c, "hot_warm_ms"), "F1")} | {F(Num(c, "archived_warm_ms"), "F1")} | {F(Num(c, "ratio_warm"), "F1")} | {(c?["same_answer"]?.GetValue<bool>() == true ? "yes" : "NO")} |");
            }

        }

        md.AppendLine();
        foreach (var row in result["query"]?.AsArray() ?? [])
        {
            var a = row?["archive"];
            var others = new[] { "hot", "archived" }
                .SelectMany(phase => row?[phase]?.AsObject().Select(q => q.Value?["other_cpu_cores_before"]?.AsArray()) ?? [])
                .SelectMany(list => list ?? [])
                .Select(n => n is JsonValue v && v.TryGetValue<double>(out var d) ? d : double.NaN)
                .Where(double.IsFinite)
                .ToList();
            md.AppendLine(CultureInfo.InvariantCulture,
                $"- {Str(row, "store")}: the day ({F(Num(row, "points"), "N0")} points) archived into {F(Num(a, "files"), "N0")} files, {F(Num(a, "bytes") / 1048576, "F2")} MiB, in {F(Num(a, "wall_s"), "F2")} s; " +
                $"other CPU before the samples {(others.Count > 0 ? $"{others.Min():F2}–{others.Max():F2}" : "n/a")} cores.");
        }

        md.AppendLine();
        md.AppendLine(CultureInfo.InvariantCulture, $"All checks passed: {(result["ok"]?.GetValue<bool>() == true ? "yes" : "NO")}.");
        return md.ToString();
    }

    private static string Mib(JsonNode? sizes) => F(Num(sizes, "total") / 1048576, "F1");

    private static string F(double value, string format) =>
        double.IsFinite(value) ? value.ToString(format, CultureInfo.InvariantCulture) : "n/a";

    private static string Str(JsonNode? node, string key) =>
        node?[key] is JsonValue v && v.TryGetValue<string>(out var s) ? s : node?[key]?.ToJsonString() ?? "";

    /// <summary>A number whether the node was parsed (JsonElement) or built in memory (long, int, double).</summary>
    private static double Num(JsonNode? node, string key) => node?[key] switch
    {
        JsonValue v when v.TryGetValue<double>(out var d) => d,
        JsonValue v when v.TryGetValue<long>(out var l) => l,
        JsonValue v when v.TryGetValue<int>(out var i) => i,
        _ => double.NaN,
    };
}
