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

    private static Plot IngestPlot(Data data, string title)
    {
        var plot = NewPlot($"Ingest throughput vs concurrency — {title}");
        plot.XLabel("concurrent senders (5,000-line POSTs)");
        plot.YLabel("field values/s (log; line = median, dots = runs)");
        var concurrencies = data.Targets.SelectMany(t => t.Ingest.Keys).Distinct().Order().ToArray();
        double X(int c) => Math.Log2(c);
        var all = new List<double>();
        for (var i = 0; i < data.Targets.Count; i++)
        {
            var t = data.Targets[i];
            if (t.Ingest.Count == 0)
            {
                continue;
            }

            var color = ColorOf(i);
            var xs = t.Ingest.Keys.Select(X).ToArray();
            var medians = t.Ingest.Values.Select(v => Math.Log10(Stats.Median(v))).ToArray();
            var line = plot.Add.Scatter(xs, medians, color);
            // The medians go into the legend: point labels of close lines overlap.
            line.LegendText = $"{t.Label}: " + string.Join(", ", t.Ingest.Select(kv => $"C{kv.Key} {Human(Stats.Median(kv.Value))}"));
            line.LineWidth = 2;
            line.MarkerSize = 9;
            var runs = t.Ingest.Where(kv => kv.Value.Count > 1).SelectMany(kv => kv.Value.Select(v => (X: X(kv.Key), Y: Math.Log10(v)))).ToList();
            if (runs.Count > 0)
            {
                var dots = plot.Add.ScatterPoints(runs.Select(r => r.X).ToArray(), runs.Select(r => r.Y).ToArray(), color.WithAlpha(0.5));
                dots.MarkerSize = 5;
            }

            all.AddRange(t.Ingest.Values.SelectMany(v => v));
        }

        plot.Axes.Bottom.TickGenerator = Manual(concurrencies.Select(c => (X(c), c.ToString(CultureInfo.InvariantCulture))));
        LogAxis(plot, all, 0, out var lo, out var hi);
        plot.Axes.SetLimits(X(concurrencies.FirstOrDefault(1)) - 0.4, X(concurrencies.LastOrDefault(1)) + 0.6, lo, hi);
        plot.Legend.Alignment = Alignment.LowerRight;
        return plot;
    }

    private static Plot SmallWritesPlot(Data data, string title)
    {
        var plot = NewPlot($"Small writes: request latency (64 connections x 10 lines, {data.SmallClient}) — {title}");
        plot.YLabel("latency ms (log scale)");
        var targets = data.Targets.Where(t => t.Small.Count > 0).ToList();
        var bars = new List<Bar>();
        var all = targets.SelectMany(t => t.Small.Values.Select(Stats.Median)).Where(double.IsFinite).ToList();
        var floor = Math.Floor(Math.Log10(all.DefaultIfEmpty(1).Min())) - 0.3;
        for (var g = 0; g < targets.Count; g++)
        {
            for (var k = 0; k < Percentiles.Length; k++)
            {
                var ms = targets[g].Small.TryGetValue(Percentiles[k], out var v) ? Stats.Median(v) : double.NaN;
                if (!double.IsFinite(ms))
                {
                    continue;
                }

                bars.Add(new Bar
                {
                    Position = g * (Percentiles.Length + 1) + k,
                    Value = Math.Log10(ms) - floor,
                    FillColor = ColorOf(k),
                    Label = Ms(ms),
                });
            }
        }

        var barPlot = plot.Add.Bars(bars);
        barPlot.ValueLabelStyle.FontSize = 11;
        plot.Axes.Bottom.TickGenerator = Manual(targets.Select((t, g) => (g * (Percentiles.Length + 1) + 1.0, $"{t.Label}\n{Human(Stats.Median(t.SmallRps.Where(double.IsFinite)))} req/s")));
        for (var k = 0; k < Percentiles.Length; k++)
        {
            plot.Legend.ManualItems.Add(new LegendItem { LabelText = Percentiles[k], FillColor = ColorOf(k) });
        }

        LogAxis(plot, all, floor, out _, out var hi);
        plot.Axes.SetLimits(-1, targets.Count * (Percentiles.Length + 1) - 1, 0, hi);
        plot.Legend.Alignment = Alignment.UpperLeft;
        return plot;
    }

    private static Plot QueryPlot(Data data, string title)
    {
        var plot = NewPlot($"Query latency (median of warm runs) — {title}");
        plot.YLabel("ms (log scale)");
        var targets = data.Targets.Where(t => t.Query.Count > 0).ToList();
        var names = data.QueryNames;
        var all = targets.SelectMany(t => t.Query.Values.Select(Stats.Median)).Where(double.IsFinite).ToList();
        var floor = Math.Floor(Math.Log10(all.DefaultIfEmpty(1).Min())) - 0.3;
        var bars = new List<Bar>();
        var groupWidth = targets.Count + 1;
        for (var q = 0; q < names.Count; q++)
        {
            for (var i = 0; i < targets.Count; i++)
            {
                if (!targets[i].Query.TryGetValue(names[q], out var v))
                {
                    continue;
                }

                var ms = Stats.Median(v);
                bars.Add(new Bar
                {
                    Position = q * groupWidth + i,
                    Value = Math.Log10(ms) - floor,
                    FillColor = ColorOf(data.Targets.IndexOf(targets[i])),
                    Label = Ms(ms),
                });
            }
        }

        var barPlot = plot.Add.Bars(bars);
        barPlot.ValueLabelStyle.FontSize = 11;
        plot.Axes.Bottom.TickGenerator = Manual(names.Select((n, q) => (q * groupWidth + (targets.Count - 1) / 2.0, Wrap(n))));
        foreach (var t in targets)
        {
            plot.Legend.ManualItems.Add(new LegendItem { LabelText = t.Label, FillColor = ColorOf(data.Targets.IndexOf(t)) });
        }

        LogAxis(plot, all, floor, out _, out var hi);
        plot.Axes.SetLimits(-1, names.Count * groupWidth - 1, 0, hi);
        plot.Legend.Alignment = Alignment.UpperLeft;
        return plot;
    }
}
