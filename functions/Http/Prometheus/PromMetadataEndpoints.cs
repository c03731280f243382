using System.Reflection;
using System.Text.Json;
using FunctionsObservability.Pipeline.PromQL;
using FunctionsObservability.Pipeline.Storage;

namespace FunctionsObservability.Functions.Http.Prometheus;

/// <summary>
/// The Prometheus API's catalog routes, answered from the series catalog in memory: series,
/// label names, label values, metric metadata and build information. What Grafana's metric
/// browser and its "Save &amp; test" call.
/// </summary>
internal static class PromMetadataEndpoints
{
    /// <summary>
    /// The Prometheus version whose API this one follows; clients such as Grafana read it to choose
    /// features. The product's own version is in <c>revision</c>.
    /// </summary>
    public const string CompatibleVersion = "2.42.0";

    public static Task SeriesAsync(HttpContext context) =>
        QueryTiming.MeasureAsync(context, Routes.PromSeries, c => PromApiOutput.RunAsync(c, WriteSeriesAsync));

    public static Task LabelsAsync(HttpContext context) =>
        QueryTiming.MeasureAsync(context, Routes.PromLabels, c => PromApiOutput.RunAsync(c, WriteLabelsAsync));

    public static Task LabelValuesAsync(HttpContext context, string name) =>
        QueryTiming.MeasureAsync(context, Routes.PromLabelValues, c => PromApiOutput.RunAsync(c, c2 => WriteLabelValuesAsync(c2, name)));

    public static Task MetadataAsync(HttpContext context) => PromApiOutput.RunAsync(context, WriteMetadataAsync);

    public static Task BuildInfoAsync(HttpContext context) => PromApiOutput.RunAsync(context, WriteBuildInfoAsync);

    private static async Task WriteSeriesAsync(HttpContext context)
    {
        var parameters = await PromApiParameters.ReadAsync(context.Request, context.RequestAborted).ConfigureAwait(false);
        var selectors = Selectors(parameters);
        if (selectors.Count == 0)
        {
            throw new PromQueryException(PromErrorType.BadData, "no match[] parameter provided");
        }

        var matched = Matching(context, parameters, selectors);
        await PromApiOutput.SuccessAsync(context.Response, writer =>
        {
            writer.WriteStartArray();
            foreach (var labels in matched.Select(m => m.Labels).Distinct().OrderBy(l => l.ToString(), StringComparer.Ordinal))
            {
                WriteLabels(writer, labels);
            }

            writer.WriteEndArray();
        }).ConfigureAwait(false);
    }

    private static async Task WriteLabelsAsync(HttpContext context)
    {
        var parameters = await PromApiParameters.ReadAsync(context.Request, context.RequestAborted).ConfigureAwait(false);
        var names = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var (_, labels) in Matching(context, parameters, Selectors(parameters)))
        {
            foreach (var (name, _) in labels.AsEnumerable())
            {
                names.Add(name);
            }
        }

        await PromApiOutput.SuccessAsync(context.Response, writer => WriteStrings(writer, names)).ConfigureAwait(false);
    }

    private static async Task WriteLabelValuesAsync(HttpContext context, string name)
    {
        if (!PromNames.IsValidLabel(name))
        {
            throw new PromQueryException(PromErrorType.BadData, $"invalid label name: \"{name}\"");
        }

        var parameters = await PromApiParameters.ReadAsync(context.Request, context.RequestAborted).ConfigureAwait(false);
        var values = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var (_, labels) in Matching(context, parameters, Selectors(parameters)))
        {
            if (labels.Get(name) is { Length: > 0 } value)
            {
                values.Add(value);
            }
        }

        await PromApiOutput.SuccessAsync(context.Response, writer => WriteStrings(writer, values)).ConfigureAwait(false);
    }

    /// <summary>
    /// The store keeps no type or help text, so the type is read from the name the way Prometheus's
    /// conventions spell it (<c>_total</c> a counter, <c>_bucket</c> a histogram), else unknown.
    /// </summary>
    private static async Task WriteMetadataAsync(HttpContext context)
    {
        var parameters = await PromApiParameters.ReadAsync(context.Request, context.RequestAborted).ConfigureAwait(false);
        var only = parameters.Get("metric");
        var limit = parameters.Get("limit") is { Length: > 0 } text
            ? int.TryParse(text, out var parsed) ? parsed : throw new PromQueryException(PromErrorType.BadData, "limit must be a number")
            : -1;
        var catalog = context.RequestServices.GetRequiredService<SeriesCatalog>();
        var names = catalog.Metrics.Where(m => catalog.ForMetric(m).Any(s => s.PointCount > 0))
            .Select(PromNames.Metric).Where(n => only is null || n == only).Distinct().Order(StringComparer.Ordinal).ToList();
        if (limit >= 0)
        {
            names = names.Take(limit).ToList();
        }

        await PromApiOutput.SuccessAsync(context.Response, writer =>
        {
            writer.WriteStartObject();
            foreach (var name in names)
            {
                writer.WritePropertyName(name);
                writer.WriteStartArray();
                writer.WriteStartObject();
                writer.WriteString("type", TypeOf(name));
                writer.WriteString("help", string.Empty);
                writer.WriteString("unit", string.Empty);
                writer.WriteEndObject();
                writer.WriteEndArray();
            }

            writer.WriteEndObject();
        }).ConfigureAwait(false);
    }

    private static Task WriteBuildInfoAsync(HttpContext context)
    {
        var assembly = typeof(PromMetadataEndpoints).Assembly;
        var product = assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown";
        return PromApiOutput.SuccessAsync(context.Response, writer =>
        {
            writer.WriteStartObject();
            writer.WriteString("version", CompatibleVersion);
            writer.WriteString("revision", $"FunctionsObservability {product}");
            writer.WriteString("branch", string.Empty);
            writer.WriteString("buildUser", string.Empty);
            writer.WriteString("buildDate", string.Empty);
            writer.WriteString("goVersion", string.Empty);
            writer.WriteEndObject();
        });
    }

    private static string TypeOf(string name) =>
        name.EndsWith("_total", StringComparison.Ordinal) ? "counter"
        : name.EndsWith("_bucket", StringComparison.Ordinal) ? "histogram"
        : "unknown";

    private static List<IReadOnlyList<LabelMatcher>> Selectors(PromApiParameters parameters) =>
        parameters.GetAll("match[]").Select(PromParser.ParseSelector).ToList();

    /// <summary>
    /// Series with points in [start, end] matching any selector (all series when there is none),
    /// collected before the answer starts, so a bad parameter is still answered as an error.
    /// </summary>
    private static List<(SeriesEntry Entry, PromLabels Labels)> Matching(
        HttpContext context, PromApiParameters parameters, List<IReadOnlyList<LabelMatcher>> selectors)
    {
        var start = parameters.Time("start", PromApiParameters.MinTimeMs);
        var end = parameters.Time("end", PromApiParameters.MaxTimeMs);
        var fromMicros = start <= PromApiParameters.MinTimeMs ? long.MinValue : start * 1000;
        var toMicros = end >= PromApiParameters.MaxTimeMs ? long.MaxValue : (end + 1) * 1000;
        var catalog = context.RequestServices.GetRequiredService<PromCatalog>();
        IEnumerable<IReadOnlyList<LabelMatcher>> all = selectors.Count > 0 ? selectors : [[]];
        var seen = new HashSet<int>();
        var matched = new List<(SeriesEntry, PromLabels)>();
        foreach (var matchers in all)
        {
            foreach (var (_, series) in catalog.Select(matchers, fromMicros, toMicros))
            {
                foreach (var entry in series)
                {
                    if (seen.Add(entry.Id))
                    {
                        matched.Add((entry, catalog.LabelsOf(entry)));
                    }
                }
            }
        }

        return matched;
    }

    private static void WriteLabels(Utf8JsonWriter writer, PromLabels labels)
    {
        writer.WriteStartObject();
        foreach (var (name, value) in labels.AsEnumerable())
        {
            writer.WriteString(name, value);
        }

        writer.WriteEndObject();
    }

    private static void WriteStrings(Utf8JsonWriter writer, IEnumerable<string> values)
    {
        writer.WriteStartArray();
        foreach (var value in values)
        {
            writer.WriteStringValue(value);
        }

        writer.WriteEndArray();
    }
}
