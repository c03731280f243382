using System.Globalization;
using System.Text.Json.Nodes;
using ScottPlot;

namespace FunctionsObservability.Bench;

/// <summary>
/// <c>plot</c>: draws PNGs from one results JSON that <c>bench/run</c> wrote (the <c>report</c> output):
/// ingest throughput against concurrency, small-write latency percentiles and query latencies,
/// one series per target. Peers measured in the same run (targets influxdb, vm) are drawn from the
/// results; a peer that is not in them is added from a small <c>--peers</c> JSON of published figures
/// (see <c>results/peers-facts.json</c>; its <c>measured_as</c> names the run's target it stands in for):
/// <code>
/// { "note": "...", "targets": [ { "target": "InfluxDB 1.6", "label": "...",
///     "ingest_values_per_s": { "1": 600000, "4": 1070000 },
///     "smallwrites_latency_ms": { "p50": 4.0, "p99": 20 },
///     "query_ms": { "a_one_host_1m_avg": 2.2 } } ] }
/// </code>
/// Every axis that spans orders of magnitude is log10 (ours vs naive ingest differ ~700x).
/// </summary>
internal static partial class PlotCommand
{
    private const int Width = 1000;
    private const int Height = 600;

    private static readonly string[] Percentiles = ["p50", "p95", "p99"];

    public static int Run(Options options)
    {
        var input = options.String("in");
        var peersFile = options.OptionalString("peers");
        var outDir = options.String("out", Path.GetDirectoryName(Path.GetFullPath(input)) ?? ".");
        var prefix = options.String("prefix", Path.GetFileNameWithoutExtension(input));
        options.EnsureAllUsed();

        var results = JsonNode.Parse(File.ReadAllText(input))?.AsObject()
            ?? throw new UsageException($"{input}: not a JSON object");
        if (Str(results, "cmd") == "archive" || (results["ingest"] is not JsonArray && results["smallwrites"] is not JsonArray))
        {
            throw new UsageException($"{input}: no ingest/smallwrites/query arrays (an archive-only results file?)");
        }

        var data = FromResults(results);
        string? peersNote = null;
        if (peersFile is not null)
        {
            var peers = JsonNode.Parse(File.ReadAllText(peersFile))?.AsObject()
                ?? throw new UsageException($"{peersFile}: not a JSON object");
            // Peers measured in this run win; the published figures (marked *) fill in only the missing ones.
            if (AddPeers(data, peers) > 0)
            {
                peersNote = Str(peers, "note");
            }
        }

        Directory.CreateDirectory(outDir);
        var title = $"{Str(results["meta"], "size")} run {Str(results["meta"], "started")} (commit {Str(results["meta"], "commit")})";
        var files = new JsonArray();
        void Save(Plot plot, string name)
        {
            if (peersNote is { Length: > 0 })
            {
                var label = plot.Axes.Bottom.Label;
                label.Text = label.Text.Length == 0 ? peersNote : label.Text + "\n" + peersNote;
                label.FontSize = 12;
                label.Bold = false;
            }

            var path = Path.Combine(outDir, $"{prefix}-{name}.png");
            plot.SavePng(path, Width, Height);
            files.Add(path);
            Console.Error.WriteLine($"plot: wrote {path}");
        }

        Save(IngestPlot(data, title), "ingest");
        Save(SmallWritesPlot(data, title), "smallwrites");
        Save(QueryPlot(data, title), "query");

        JsonOut.Print(new JsonObject
        {
            ["cmd"] = "plot",
            ["in"] = input,
            ["peers"] = peersFile,
            ["targets"] = new JsonArray(data.Targets.Select(t => (JsonNode?)JsonValue.Create(t.Label)).ToArray()),
            ["files"] = files,
        });
        return 0;
    }

    private sealed class Target(string key, string label)
    {
        public string Key { get; } = key;

        public string Label { get; } = label;

        /// <summary>concurrency -> field values/s of every run.</summary>
        public SortedDictionary<int, List<double>> Ingest { get; } = [];

        /// <summary>p50/p95/p99 -> ms of every run.</summary>
        public Dictionary<string, List<double>> Small { get; } = [];

        /// <summary>small-write requests/s of every run.</summary>
        public List<double> SmallRps { get; } = [];

        /// <summary>query name -> median ms of every run.</summary>
        public Dictionary<string, List<double>> Query { get; } = [];
    }

    private sealed class Data
    {
        public List<Target> Targets { get; } = [];

        public List<string> QueryNames { get; } = [];

        /// <summary>The load generator of the small-write figures ("wrk" or "C# client").</summary>
        public string SmallClient { get; set; } = "C# client";

        public Target Get(string key, string? label = null)
        {
            var target = Targets.FirstOrDefault(t => t.Key == key);
            if (target is null)
            {
                target = new Target(key, label ?? key);
                Targets.Add(target);
            }

            return target;
        }
    }

    private static Data FromResults(JsonObject results)
    {
        var data = new Data();
        foreach (var r in Objects(results["ingest"]))
        {
            var c = (int)Num(r, "concurrency");
            var values = Num(r, "values_per_s");
            if (double.IsFinite(values))
            {
                Add(data.Get(Str(r, "target"), LabelOf(Str(r, "target"))).Ingest, c, values);
            }
        }

        // wrk's rows (when there are any) are the targets' small-write figures; the C# client's rows
        // of the same run become separate "(C# client)" bars.
        var smallRows = Objects(results["smallwrites"]).ToList();
        var hasWrk = smallRows.Any(r => ReportCommand.ClientOf(r) == "wrk");
        data.SmallClient = hasWrk ? "wrk" : "C# client";
        foreach (var r in smallRows)
        {
            var other = hasWrk && ReportCommand.ClientOf(r) != "wrk";
            var target = other
                ? data.Get(Str(r, "target") + "/csharp", LabelOf(Str(r, "target")) + " (C# client)")
                : data.Get(Str(r, "target"), LabelOf(Str(r, "target")));
            target.SmallRps.Add(Num(r, "requests_per_s"));
            foreach (var p in Percentiles)
            {
                Add(target.Small, p, Num(r["latency_ms"], p));
            }
        }

        foreach (var r in Objects(results["query"]))
        {
            var target = data.Get(Str(r, "target"), LabelOf(Str(r, "target")));
            foreach (var (name, q) in r["queries"]?.AsObject() ?? [])
            {
                if (q?["ok"]?.GetValue<bool>() == true)
                {
                    Add(target.Query, name, Num(q, "median_ms"));
                    AddName(data, name);
                }
            }
        }

        return data;
    }

    private static string LabelOf(string target) => target switch
    {
        "influxdb" => "InfluxDB 1.6 (this run)",
        "vm" => "VictoriaMetrics 1.79 (this run)",
        _ => target,
    };

    /// <summary>Adds the published peers that this run did not measure (a facts target's <c>measured_as</c> names the run's target); returns how many.</summary>
    private static int AddPeers(Data data, JsonObject peers)
    {
        var added = 0;
        foreach (var p in Objects(peers["targets"]))
        {
            var measuredAs = Str(p, "measured_as");
            if (measuredAs.Length > 0 && data.Targets.Any(t => t.Key == measuredAs && (t.Ingest.Count > 0 || t.Small.Count > 0 || t.Query.Count > 0)))
            {
                continue;
            }

            added++;
            var key = Str(p, "target");
            var label = Str(p, "label");
            var target = data.Get(key, label.Length > 0 ? label : key);
            foreach (var (c, v) in p["ingest_values_per_s"]?.AsObject() ?? [])
            {
                Add(target.Ingest, int.Parse(c, CultureInfo.InvariantCulture), v!.GetValue<double>());
            }

            if (Num(p, "smallwrites_requests_per_s") is var rps && double.IsFinite(rps))
            {
                target.SmallRps.Add(rps);
            }

            foreach (var (pct, v) in p["smallwrites_latency_ms"]?.AsObject() ?? [])
            {
                Add(target.Small, pct, v!.GetValue<double>());
            }

            foreach (var (name, v) in p["query_ms"]?.AsObject() ?? [])
            {
                Add(target.Query, name, v!.GetValue<double>());
                AddName(data, name);
            }
        }

        return added;
    }
}
