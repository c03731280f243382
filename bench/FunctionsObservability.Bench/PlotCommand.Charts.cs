using System.Globalization;
using System.Text.Json.Nodes;
using ScottPlot;

namespace FunctionsObservability.Bench;

/// <summary>The three charts: ingest throughput by concurrency, small-write latency percentiles, query latencies.</summary>
internal static partial class PlotCommand
{
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
