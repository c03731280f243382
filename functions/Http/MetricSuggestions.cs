using FunctionsObservability.Pipeline.Query;
using FunctionsObservability.Pipeline.Storage;

namespace FunctionsObservability.Functions.Http;

/// <summary>
/// A query for a metric that has no points answers 404 with the names the user probably meant
/// (line protocol names a point measurement_field, so "cpu" is usually "cpu_usage_user"), the same
/// way for points, aggregates and tags, instead of an empty answer that looks like no data.
/// </summary>
internal static class MetricSuggestions
{
    private const int MaxSuggestions = 10;

    /// <summary>Throws <see cref="QueryFailure.UnknownMetric"/> unless the catalog holds points of <paramref name="metric"/>.</summary>
    public static void EnsureKnown(SeriesCatalog catalog, string metric)
    {
        if (catalog.ForMetric(metric).Any(static s => s.PointCount > 0))
        {
            return;
        }

        var known = catalog.Metrics.Where(name => catalog.ForMetric(name).Any(static s => s.PointCount > 0)).ToList();
        var similar = known.Where(name => name.StartsWith(metric, StringComparison.OrdinalIgnoreCase))
            .Concat(known.Where(name => name.Contains(metric, StringComparison.OrdinalIgnoreCase) || metric.StartsWith(name, StringComparison.OrdinalIgnoreCase)))
            .Distinct(StringComparer.Ordinal)
            .Order(StringComparer.Ordinal)
            .Take(MaxSuggestions)
            .ToList();
        var hint = similar.Count > 0
            ? $"; metrics with a similar name: {string.Join(", ", similar)}"
            : known.Count > 0 ? "; GET /api/metrics lists every metric" : "; nothing has been written yet";
        throw new QueryFailedException(QueryFailure.UnknownMetric, $"metric \"{metric}\" has no points{hint}", "metric");
    }
}
