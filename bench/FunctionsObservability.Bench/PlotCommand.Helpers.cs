using System.Globalization;
using System.Text.Json.Nodes;
using ScottPlot;

namespace FunctionsObservability.Bench;

/// <summary>Axis, tick, colour and JSON helpers shared by the three plots.</summary>
internal static partial class PlotCommand
{
    private static Plot NewPlot(string title)
    {
        var plot = new Plot();
        plot.Title(title, size: 15);
        plot.ShowLegend();
        return plot;
    }

    /// <summary>
    /// log10 axis, plotted as y = log10(value) - shift (bars start at y = 0): major ticks at powers of 10
    /// with human labels, minor ticks at 2..9; returns the limits in plotted units.
    /// </summary>
    private static void LogAxis(Plot plot, List<double> values, double shift, out double lo, out double hi)
    {
        var finite = values.Where(v => double.IsFinite(v) && v > 0).DefaultIfEmpty(1).ToList();
        lo = Math.Floor(Math.Log10(finite.Min())) - 0.3 - shift;
        hi = Math.Ceiling(Math.Log10(finite.Max()) + 0.25) - shift;
        var ticks = new ScottPlot.TickGenerators.NumericManual();
        for (var e = (int)Math.Floor(lo + shift); e <= (int)Math.Ceiling(hi + shift); e++)
        {
            ticks.AddMajor(e - shift, Human(Math.Pow(10, e)));
            for (var m = 2; m <= 9; m++)
            {
                ticks.AddMinor(e + Math.Log10(m) - shift);
            }
        }

        plot.Axes.Left.TickGenerator = ticks;
        plot.Grid.MajorLineColor = Colors.Black.WithAlpha(0.15);
        plot.Grid.MinorLineColor = Colors.Black.WithAlpha(0.05);
    }

    private static ScottPlot.TickGenerators.NumericManual Manual(IEnumerable<(double Position, string Label)> ticks)
    {
        var manual = new ScottPlot.TickGenerators.NumericManual();
        foreach (var (position, label) in ticks)
        {
            manual.AddMajor(position, label);
        }

        return manual;
    }

    private static Color ColorOf(int index) => new ScottPlot.Palettes.Category10().GetColor(index);

    private static string Wrap(string label) => label.Replace(" (", "\n(", StringComparison.Ordinal);

    private static string Human(double v) => v switch
    {
        >= 1e6 => (v / 1e6).ToString(v >= 1e7 ? "F0" : "0.##", CultureInfo.InvariantCulture) + "M",
        >= 1e3 => (v / 1e3).ToString(v >= 1e4 ? "F0" : "0.#", CultureInfo.InvariantCulture) + "k",
        _ => v.ToString("0.##", CultureInfo.InvariantCulture),
    };

    private static string Ms(double ms) => ms switch
    {
        >= 100 => ms.ToString("N0", CultureInfo.InvariantCulture),
        >= 10 => ms.ToString("F1", CultureInfo.InvariantCulture),
        _ => ms.ToString("0.##", CultureInfo.InvariantCulture),
    };

    private static void Add<TKey>(IDictionary<TKey, List<double>> map, TKey key, double value)
    {
        if (!double.IsFinite(value))
        {
            return;
        }

        if (!map.TryGetValue(key, out var list))
        {
            map[key] = list = [];
        }

        list.Add(value);
    }

    private static void AddName(Data data, string name)
    {
        if (!data.QueryNames.Contains(name))
        {
            data.QueryNames.Add(name);
        }
    }

    private static IEnumerable<JsonObject> Objects(JsonNode? node) =>
        node is JsonArray array ? array.OfType<JsonObject>() : [];

    private static string Str(JsonNode? node, string key) =>
        node?[key] is JsonValue v && v.TryGetValue<string>(out var s) ? s : node?[key]?.ToJsonString() ?? "";

    private static double Num(JsonNode? node, string key) =>
        node?[key] is JsonValue v && v.TryGetValue<double>(out var d) ? d : double.NaN;
}
