using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;

namespace FunctionsObservability.Bench;

/// <summary>The ours-vs-peers part of the report: one row per figure, medians over the runs of each target.</summary>
internal static partial class ReportCommand
{
    private static readonly (string Key, string Label)[] Peers = [("influxdb", "InfluxDB 1.6"), ("vm", "VictoriaMetrics 1.79")];

    private sealed record Figure(string Name, bool HigherIsBetter, bool Ratio, double Ours, double[] PeerValues, string Format);

    private static List<Figure> PeerFigures(List<JsonObject> ingest, List<JsonObject> small, List<JsonObject> queries, List<JsonObject> records)
    {
        var figures = new List<Figure>();
        void Add(string name, bool higher, string format, Func<string, double> of, bool ratio = true) =>
            figures.Add(new Figure(name, higher, ratio, of("ours"), Peers.Select(p => of(p.Key)).ToArray(), format));
        List<JsonObject> Rows(List<JsonObject> rows, string target) => rows.Where(r => Str(r, "target") == target).ToList();
        double Med(IEnumerable<double> values) => Stats.Median(values.Where(double.IsFinite));

        foreach (var c in ingest.Select(r => Num(r, "concurrency")).Where(double.IsFinite).Distinct().Order())
        {
            List<JsonObject> At(string t) => Rows(ingest, t).Where(r => Num(r, "concurrency") == c).ToList();
            Add($"ingest C={c}: field values/s, visible to queries", true, "N0", t => Med(At(t).Select(r => Num(r, "values_per_s"))));
            Add($"ingest C={c}: field values/s, acknowledged", true, "N0", t => Med(At(t).Select(r => Num(r, "values_per_s_acked"))));
            Add($"ingest C={c}: server peak RSS MiB", false, "N0", t => Med(At(t).Select(r => Num(r, "server_peak_rss_mib"))));
            Add($"ingest C={c}: server CPU-s per 1M values", false, "F2", t => Med(At(t).Select(r => Num(r, "server_cpu_s_per_m_values"))));
            Add($"ingest C={c}: load generator CPU cores", false, "F2", t => Med(At(t).Select(r => Num(r, "sender_cpu_cores"))), ratio: false);
            Add($"ingest C={c}: lost values (all runs)", false, "N0", t => At(t).Count == 0 ? double.NaN : At(t).Sum(r => Num(r["count"], "lost") is var l && double.IsFinite(l) ? l : 0), ratio: false);
        }

        // One block per load generator (wrk, the C# client): their figures are not comparable with each other.
        foreach (var client in Clients(small))
        {
            List<JsonObject> S(string t) => Rows(small, t).Where(r => ClientOf(r) == client).ToList();
            var n = $"small writes ({client})";
            Add($"{n}: requests/s", true, "N0", t => Med(S(t).Select(r => Num(r, "requests_per_s"))));
            Add($"{n}: p50 ms", false, "F2", t => Med(S(t).Select(r => Num(r["latency_ms"], "p50"))));
            Add($"{n}: p99 ms", false, "F2", t => Med(S(t).Select(r => Num(r["latency_ms"], "p99"))));
            Add($"{n}: errors (all runs)", false, "N0", t => S(t).Count == 0 ? double.NaN : S(t).Sum(r => Num(r, "errors_total") is var e && double.IsFinite(e) ? e : 0), ratio: false);
            Add($"{n}: server CPU µs per request", false, "N0", t => Med(S(t).Select(r => Num(r, "server_cpu_us_per_request"))));
            Add($"{n}: server peak RSS MiB", false, "N0", t => Med(S(t).Select(r => Num(r, "server_peak_rss_mib"))));
            Add($"{n}: load generator CPU cores", false, "F2", t => Med(S(t).Select(r => Num(r, "client_cpu_cores"))), ratio: false);
            Add($"{n}: lost points", false, "N0", t => S(t).Count == 0 ? double.NaN : S(t).Sum(r => Num(r["count"], "lost") is var l && double.IsFinite(l) ? l : 0), ratio: false);
        }

        var names = queries.SelectMany(q => q["queries"]?.AsObject().Select(kv => kv.Key) ?? []).Distinct().ToList();
        foreach (var name in names)
        {
            double Q(string t, string field) => Med(Rows(queries, t).Select(q => q["queries"]?[name] is JsonObject o && o["ok"]?.GetValue<bool>() == true ? Num(o, field) : double.NaN));
            Add($"query {name}: warm median ms", false, "F2", t => Q(t, "median_ms"));
            Add($"query {name}: cold ms", false, "F2", t => Q(t, "cold_ms"));
        }

        Add("queries: load generator CPU-s (all queries)", false, "F2", t => Med(Rows(queries, t).Select(r => Num(r, "client_cpu_s"))), ratio: false);

        var storage = records.Where(r => Str(r, "cmd") == "storage").ToList();
        double PerValue(JsonObject r, string field) =>
            Num(r, field) / (Num(r, "stored_values") + (double.IsFinite(Num(r, "warmup_values")) ? Num(r, "warmup_values") : 0));
        Add("storage: data dir bytes per stored field value (du -sb, server stopped)", false, "F2", t => Med(Rows(storage, t).Select(r => PerValue(r, "data_dir_bytes"))));
        Add("storage: data dir allocated bytes per stored field value (du -s --block-size=1)", false, "F2", t => Med(Rows(storage, t).Select(r => PerValue(r, "data_dir_disk_bytes"))));
        var archived = records.Where(r => Str(r, "cmd") == "archivenow" && r["ok"]?.GetValue<bool>() == true).ToList();
        Add("storage: ours' Parquet archive bytes per archived row", false, "F2", t => Med(Rows(archived, t).Select(r => Num(r, "bytes_per_row"))), ratio: false);
        return figures;
    }

    /// <summary>The small-write load generator of a row: "wrk" or "csharp" (rows from before the wrk phase have none).</summary>
    internal static string ClientOf(JsonNode? row) => Str(row, "client") is { Length: > 0 } c ? c : "csharp";

    /// <summary>The clients present in the small-write rows, wrk first (it is the lighter one; its figures are the headline).</summary>
    internal static List<string> Clients(List<JsonObject> small) =>
        small.Select(ClientOf).Distinct().OrderBy(c => c == "wrk" ? 0 : 1).ToList();

    private static JsonObject PeerRatios(List<Figure> figures)
    {
        var json = new JsonObject();
        foreach (var f in figures)
        {
            var row = new JsonObject { ["better"] = f.HigherIsBetter ? "higher" : "lower", ["ours"] = JsonOut.Num(f.Ours, 3) };
            for (var i = 0; i < Peers.Length; i++)
            {
                row[Peers[i].Key] = JsonOut.Num(f.PeerValues[i], 3);
                row[$"ours_over_{Peers[i].Key}"] = f.Ratio ? JsonOut.Num(f.Ours / f.PeerValues[i], 2) : null;
            }

            json[f.Name] = row;
        }

        return json;
    }

    private static string PeersMarkdown(JsonObject meta, List<Figure> figures)
    {
        var md = new StringBuilder();
        md.AppendLine("## Ours vs the peers (same workload, same load generator, one after the other)");
        md.AppendLine();
        md.AppendLine(CultureInfo.InvariantCulture, $"Date: {Str(meta, "date")}. Machine: {Str(meta, "machine")}. Commit: {Str(meta, "commit")}.");
        md.AppendLine(CultureInfo.InvariantCulture, $"Command: `{Str(meta, "command")}`. Peer versions: {Str(meta, "peer_versions")}.");
        md.AppendLine();
        md.AppendLine("Cells are medians over the runs of each target (ingest: INGEST_REPEAT fresh servers per C; queries: the warm-run median " +
            "of the last C's server). Ratio = ours / peer: for a figure where higher is better a ratio above 1 favours ours, " +
            "where lower is better a ratio below 1 favours ours. 'visible to queries' stops the clock when the store's own count query returns " +
            "every acknowledged value (VictoriaMetrics: after `/internal/force_flush`, inside the clock); 'acknowledged' stops it at the last 2xx.");
        md.AppendLine();
        md.AppendLine("| figure | better | ours | InfluxDB 1.6 | VictoriaMetrics 1.79 | ours / InfluxDB | ours / VictoriaMetrics |");
        md.AppendLine("| --- | --- | --- | --- | --- | --- | --- |");
        foreach (var f in figures.Where(f => double.IsFinite(f.Ours) || f.PeerValues.Any(double.IsFinite)))
        {
            string R(int i) => f.Ratio ? F(f.Ours / f.PeerValues[i], "0.00") : "";
            md.AppendLine(CultureInfo.InvariantCulture,
                $"| {f.Name} | {(f.HigherIsBetter ? "higher" : "lower")} | {F(f.Ours, f.Format)} | {F(f.PeerValues[0], f.Format)} | {F(f.PeerValues[1], f.Format)} | {R(0)} | {R(1)} |");
        }

        md.AppendLine();
        return md.ToString();
    }
}
