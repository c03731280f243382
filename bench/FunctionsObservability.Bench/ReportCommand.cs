using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace FunctionsObservability.Bench;

/// <summary>
/// <c>report</c>: gathers the JSON lines that one <c>bench/run</c> wrote into one results JSON
/// and a Markdown summary with the ingest, small-write and query tables and the ours/naive ratios,
/// plus the archive phase when it ran (alone, in <c>bench/run archive</c>, only that).
/// </summary>
internal static partial class ReportCommand
{
    public static int Run(Options options)
    {
        var input = options.String("in");
        var jsonOut = options.String("json");
        var mdOut = options.String("md");
        var size = options.String("size", "");
        options.EnsureAllUsed();

        var records = File.ReadLines(input)
            .Where(l => l.TrimStart().StartsWith('{'))
            .Select(l => JsonNode.Parse(l)!.AsObject())
            .ToList();
        JsonObject? Find(string cmd) => records.FirstOrDefault(r => Str(r, "cmd") == cmd);
        List<JsonObject> All(string cmd) => records.Where(r => Str(r, "cmd") == cmd).ToList();

        var meta = Find("meta") ?? new JsonObject();
        var ingest = All("ingest");
        var small = All("smallwrites");
        var queries = All("query");
        var archive = Find("archive");
        if (archive is not null && ingest.Count == 0 && small.Count == 0 && queries.Count == 0)
        {
            var only = (JsonObject)archive.DeepClone();
            only["meta"] = meta.DeepClone();
            only["notes"] = new JsonArray(All("note").Select(r => r.DeepClone()).ToArray());
            File.WriteAllText(jsonOut, only.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
            File.WriteAllText(mdOut, ArchiveReport.Markdown(archive) + NotesMarkdown(All("note")));
            Console.Error.WriteLine($"report: wrote {jsonOut} and {mdOut}");
            return 0;
        }

        var ratios = Ratios(ingest, small);
        var peerFigures = PeerFigures(ingest, small, queries, records);
        var hasPeers = records.Any(r => Str(r, "target") is "influxdb" or "vm");
        var result = new JsonObject
        {
            ["meta"] = meta.DeepClone(),
            ["workload"] = Find("gen")?.DeepClone(),
            ["ingest"] = new JsonArray(ingest.Select(r => r.DeepClone()).ToArray()),
            ["smallwrites"] = new JsonArray(small.Select(r => r.DeepClone()).ToArray()),
            ["query"] = new JsonArray(queries.Select(r => r.DeepClone()).ToArray()),
            ["notes"] = new JsonArray(All("note").Select(r => r.DeepClone()).ToArray()),
            ["ratios"] = ratios,
            ["storage"] = new JsonArray(All("storage").Concat(All("archivenow")).Select(r => r.DeepClone()).ToArray()),
            ["vs_peers"] = hasPeers ? PeerRatios(peerFigures) : null,
            ["archive"] = archive?.DeepClone(),
        };
        File.WriteAllText(jsonOut, result.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
        var markdown = Markdown(size, meta, Find("gen"), ingest, small, queries, All("note"), ratios);
        if (hasPeers || peerFigures.Any(f => f.Name.StartsWith("storage", StringComparison.Ordinal) && double.IsFinite(f.Ours)))
        {
            // Right after the header and notes: the comparison is what the report is read for.
            var at = markdown.IndexOf("## Ingest", StringComparison.Ordinal);
            markdown = at < 0 ? markdown + PeersMarkdown(meta, peerFigures) : markdown.Insert(at, PeersMarkdown(meta, peerFigures));
        }
        if (archive is not null)
        {
            markdown += "\n" + ArchiveReport.Markdown(archive, heading: "##");
        }

        File.WriteAllText(mdOut, markdown);
        Console.Error.WriteLine($"report: wrote {jsonOut} and {mdOut}");
        return 0;
    }

    private static JsonObject Ratios(List<JsonObject> ingest, List<JsonObject> small)
    {
        double MedianOf(IEnumerable<JsonObject> rows, string field) => Stats.Median(rows.Select(r => Num(r, field)).Where(double.IsFinite));
        var ratios = new JsonObject();
        foreach (var c in ingest.Where(r => Str(r, "target") == "naive").Select(r => Num(r, "concurrency")).Distinct().ToList())
        {
            var ours = MedianOf(ingest.Where(r => Str(r, "target") == "ours" && Num(r, "concurrency") == c), "values_per_s");
            var naive = MedianOf(ingest.Where(r => Str(r, "target") == "naive" && Num(r, "concurrency") == c), "values_per_s");
            ratios[$"ingest_values_per_s_c{c}_ours_over_naive"] = JsonOut.Num(ours / naive, 1);
        }

        // The same load generator on both sides: wrk when both have wrk rows, else the C# client.
        var client = small.Any(r => Str(r, "target") == "naive" && ClientOf(r) == "wrk") && small.Any(r => Str(r, "target") == "ours" && ClientOf(r) == "wrk") ? "wrk" : "csharp";
        var oursSmall = small.Where(r => Str(r, "target") == "ours" && ClientOf(r) == client).ToList();
        var naiveSmall = small.Where(r => Str(r, "target") == "naive" && ClientOf(r) == client).ToList();
        ratios["smallwrites_client"] = client;
        ratios["smallwrites_req_per_s_ours_over_naive"] =
            JsonOut.Num(MedianOf(oursSmall, "requests_per_s") / MedianOf(naiveSmall, "requests_per_s"), 1);
        ratios["smallwrites_p50_naive_over_ours"] = JsonOut.Num(
            Stats.Median(naiveSmall.Select(r => Num(r["latency_ms"], "p50"))) /
            Stats.Median(oursSmall.Select(r => Num(r["latency_ms"], "p50"))), 1);
        return ratios;
    }

    private static string Markdown(
        string size, JsonObject meta, JsonObject? gen, List<JsonObject> ingest, List<JsonObject> small,
        List<JsonObject> queries, List<JsonObject> notes, JsonObject ratios)
    {
        var md = new StringBuilder();
        md.AppendLine(CultureInfo.InvariantCulture, $"# Benchmark results: {size} run, {Str(meta, "started")}");
        md.AppendLine();
        md.AppendLine(CultureInfo.InvariantCulture, $"Machine: {Str(meta, "machine")}. Commit: {Str(meta, "commit")}. .NET {Str(meta, "dotnet")}.");
        if (gen is not null)
        {
            md.AppendLine(CultureInfo.InvariantCulture,
                $"Workload: {Int(gen, "lines")} lines = {Int(gen, "field_values")} field values, {Int(gen, "hosts")} hosts x {Int(gen, "points_per_series")} s, " +
                $"{Int(gen, "files")} files of {Int(gen["params"], "BatchLines")} lines, {Num(gen, "bytes") / 1048576:F1} MiB, precision {Str(gen, "precision")}, sha256 {Str(gen, "sha256")[..Math.Min(12, Str(gen, "sha256").Length)]}.");
        }

        md.AppendLine("All figures come from one run on a shared 2-core machine: they are noisy (expect ±20–30 %), compare ratios within a run. " +
            "'other CPU' is machine busy time not used by the server or the load generator; above ~0.25 cores the figure is disturbed.");
        md.AppendLine();
        foreach (var note in notes)
        {
            md.AppendLine(CultureInfo.InvariantCulture, $"- Note: {Str(note, "text")}");
        }

        if (notes.Count > 0)
        {
            md.AppendLine();
        }

        md.AppendLine("## Ingest (5,000-line POSTs, fresh server per row)");
        md.AppendLine();
        md.AppendLine("field values/s and wall s: until every value is visible to the store's count query; acknowledged: until the last 2xx.");
        md.AppendLine();
        md.AppendLine("| target | C | field values/s | lines/s | wall s | HTTP errors | stored / acknowledged | lost | peak RSS MiB | server CPU cores | sender CPU cores | other CPU cores | POST p50 / p99 ms |");
        md.AppendLine("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |");
        foreach (var r in ingest)
        {
            var count = r["count"];
            md.AppendLine(CultureInfo.InvariantCulture,
                $"| {Str(r, "target")} | {Int(r, "concurrency")} | {F(Num(r, "values_per_s"), "N0")} | {F(Num(r, "lines_per_s"), "N0")} | {F(Num(r, "wall_s"), "F2")} | {Int(r, "errors")} | " +
                $"{F(Num(count, "stored"), "N0")} / {F(Num(count, "acknowledged"), "N0")} | {F(Num(count, "lost"), "N0")} | {F(Num(r, "server_peak_rss_mib"), "N0")} | " +
                $"{F(Num(r, "server_cpu_cores"), "F2")} | {F(Num(r, "sender_cpu_cores"), "F2")} | {F(Num(r, "other_cpu_cores"), "F2")} | " +
                $"{F(Num(r["latency_ms"], "p50"), "F1")} / {F(Num(r["latency_ms"], "p99"), "F1")} |");
        }

        var groups = ingest.GroupBy(r => (Target: Str(r, "target"), C: Num(r, "concurrency"))).ToList();
        if (groups.Any(g => g.Count() > 1))
        {
            md.AppendLine();
            md.AppendLine("Medians over the repeated ingest runs:");
            md.AppendLine();
            md.AppendLine("| target | C | runs | field values/s median (min–max) | peak RSS MiB median | server CPU cores median | all stored |");
            md.AppendLine("| --- | --- | --- | --- | --- | --- | --- |");
            foreach (var g in groups)
            {
                var v = g.Select(r => Num(r, "values_per_s")).ToList();
                md.AppendLine(CultureInfo.InvariantCulture,
                    $"| {g.Key.Target} | {g.Key.C} | {g.Count()} | {F(Stats.Median(v), "N0")} ({F(v.Min(), "N0")}–{F(v.Max(), "N0")}) | " +
                    $"{F(Stats.Median(g.Select(r => Num(r, "server_peak_rss_mib"))), "N0")} | {F(Stats.Median(g.Select(r => Num(r, "server_cpu_cores"))), "F2")} | " +
                    $"{(g.All(r => r["count"]?["ok"]?.GetValue<bool>() == true) ? "yes" : "NO")} |");
            }
        }

        var errors = ingest.Concat(small).Select(r => Str(r, "first_error")).Where(e => e.Length > 0).Distinct().ToList();
        md.AppendLine();
        md.AppendLine("## Small writes (10 lines per request, keep-alive connections, fixed time)");
        md.AppendLine();
        md.AppendLine("client: wrk = `wrk -t2` with bench/stress.lua (a C load generator, no warm-up; requests in flight when it stops may be stored " +
            "without being acknowledged: 'unacked stored', at most connections x 10); csharp = the bench tool's HttpClient (1 s warm-up not timed). " +
            "server CPU µs/req = server utime+stime over the timed part / acknowledged requests.");
        md.AppendLine();
        md.AppendLine("| target | client | connections | s | requests/s | lines/s | errors | p50 ms | p95 ms | p99 ms | max ms | stored / acknowledged points | lost | unacked stored | peak RSS MiB | server CPU cores | server CPU µs/req | client CPU cores | other CPU cores |");
        md.AppendLine("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |");
        foreach (var r in small)
        {
            var lat = r["latency_ms"];
            var count = r["count"];
            md.AppendLine(CultureInfo.InvariantCulture,
                $"| {Str(r, "target")} | {ClientOf(r)} | {Int(r, "connections")} | {F(Num(r, "timed_wall_s"), "F1")} | {F(Num(r, "requests_per_s"), "N0")} | {F(Num(r, "lines_per_s"), "N0")} | {Int(r, "errors_total")} | " +
                $"{F(Num(lat, "p50"), "F2")} | {F(Num(lat, "p95"), "F2")} | {F(Num(lat, "p99"), "F2")} | {F(Num(lat, "max"), "F1")} | " +
                $"{F(Num(count, "stored"), "N0")} / {F(Num(count, "acknowledged"), "N0")} | {F(Num(count, "lost"), "N0")} | {(ClientOf(r) == "wrk" ? F(Num(count, "unacknowledged_stored"), "N0") : "")} | " +
                $"{F(Num(r, "server_peak_rss_mib"), "N0")} | {F(Num(r, "server_cpu_cores"), "F2")} | {F(Num(r, "server_cpu_us_per_request"), "N0")} | " +
                $"{F(Num(r, "client_cpu_cores"), "F2")} | {F(Num(r, "other_cpu_cores"), "F2")} |");
        }

        md.AppendLine();
        md.AppendLine("## Queries (median of the warm runs, ms; the first, cold run in brackets)");
        md.AppendLine();
        md.AppendLine("| target | query | median ms | [cold ms] | status | bytes | answer shape | first value |");
        md.AppendLine("| --- | --- | --- | --- | --- | --- | --- | --- |");
        foreach (var q in queries)
        {
            foreach (var (key, value) in q["queries"]?.AsObject() ?? [])
            {
                md.AppendLine(CultureInfo.InvariantCulture,
                    $"| {Str(q, "target")} | {key}: {Str(value, "description")} | {F(Num(value, "median_ms"), "F2")} | [{F(Num(value, "cold_ms"), "F2")}] | " +
                    $"{Int(value, "status")} | {Int(value, "bytes")} | {Escape(Str(value, "shape"))} | {F(Num(value, "first_value"), "0.####")} |");
            }
        }

        md.AppendLine();
        md.AppendLine("## Ours vs the naive pattern (one INSERT per point, autocommit)");
        md.AppendLine();
        foreach (var (key, value) in ratios)
        {
            md.AppendLine(CultureInfo.InvariantCulture, $"- {key}: {value?.ToJsonString() ?? "n/a"}");
        }

        if (errors.Count > 0)
        {
            md.AppendLine();
            md.AppendLine("## First errors seen");
            md.AppendLine();
            foreach (var e in errors)
            {
                md.AppendLine(CultureInfo.InvariantCulture, $"- `{Escape(e)}`");
            }
        }

        return md.ToString();
    }

    private static string NotesMarkdown(List<JsonObject> notes) =>
        notes.Count == 0 ? "" : "\n" + string.Concat(notes.Select(n => $"- Note: {Str(n, "text")}\n"));

    private static string Escape(string text) => text.Replace("|", "\\|", StringComparison.Ordinal).Replace("\n", " ", StringComparison.Ordinal);

    private static string F(double value, string format) =>
        double.IsFinite(value) ? value.ToString(format, CultureInfo.InvariantCulture) : "n/a";

    private static string Str(JsonNode? node, string key) =>
        node?[key] is JsonValue v && v.TryGetValue<string>(out var s) ? s : node?[key]?.ToJsonString() ?? "";

    private static double Num(JsonNode? node, string key) =>
        node?[key] is JsonValue v && v.TryGetValue<double>(out var d) ? d : double.NaN;

    private static string Int(JsonNode? node, string key) => F(Num(node, key), "N0");
}
