using System.Globalization;
using System.Text;
using FunctionsObservability.Pipeline.Storage;

namespace FunctionsObservability.Pipeline.Query;

/// <summary>
/// The series a filter matches, resolved in memory from the catalog, and the SQL predicate that
/// restricts the points tables to them. The id range is stated as well as the id list, because
/// zone maps prune on the range.
/// </summary>
public sealed class SeriesSelection
{
    /// <summary>Beyond this many ids the predicate is a subquery on the series tables instead of a list.</summary>
    public const int MaxInlineIds = 20_000;

    /// <summary>Above this many ids, a selection of a whole metric is a subquery on its metric id.</summary>
    private const int MaxListForWholeMetric = 64;

    private readonly SeriesFilter _filter;

    private SeriesSelection(SeriesFilter filter, IReadOnlyList<SeriesEntry> series)
    {
        _filter = filter;
        Series = series;
    }

    public IReadOnlyList<SeriesEntry> Series { get; }

    public bool IsEmpty => Series.Count == 0;

    public string Metric => _filter.Metric;

    /// <summary>Smallest and largest series id selected, for pruning archived files by their id range.</summary>
    public (int Min, int Max) IdRange()
    {
        int min = int.MaxValue, max = int.MinValue;
        foreach (var entry in Series)
        {
            min = Math.Min(min, entry.Id);
            max = Math.Max(max, entry.Id);
        }

        return (min, max);
    }

    public static SeriesSelection Resolve(SeriesCatalog catalog, SeriesFilter filter)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(filter);
        var candidates = catalog.ForMetric(filter.Metric);
        if (filter.Tags.Count == 0)
        {
            return new SeriesSelection(filter, candidates);
        }

        var matched = new List<SeriesEntry>();
        foreach (var entry in candidates)
        {
            if (Matches(entry, filter.Tags))
            {
                matched.Add(entry);
            }
        }

        return new SeriesSelection(filter, matched);
    }

    /// <summary>A selection of the given series, for the warm-up (<see cref="AggregateQueryService"/>).</summary>
    internal static SeriesSelection Of(SeriesFilter filter, IReadOnlyList<SeriesEntry> series) => new(filter, series);

    /// <summary>Appends <c>(column BETWEEN min AND max AND column IN (...))</c>; ids are integers, so inlining is safe.</summary>
    public void AppendPredicate(StringBuilder sql, string column)
    {
        ArgumentNullException.ThrowIfNull(sql);
        var ids = new int[Series.Count];
        for (var i = 0; i < ids.Length; i++)
        {
            ids[i] = Series[i].Id;
        }

        Array.Sort(ids);
        var culture = CultureInfo.InvariantCulture;
        if (ids.Length == 1)
        {
            sql.Append(culture, $"{column} = {ids[0]}");
            return;
        }

        sql.Append(culture, $"({column} BETWEEN {ids[0]} AND {ids[^1]}");
        if (_filter.Tags.Count == 0 && ids.Length > MaxListForWholeMetric)
        {
            // DuckDB runs a semi join against a subquery faster than it tests a long IN list.
            sql.Append(culture, $" AND {column} IN (SELECT series_id FROM series WHERE metric_id = {Series[0].MetricId})");
        }
        else if (ids.Length > MaxInlineIds)
        {
            AppendSubquery(sql, column);
        }
        else if (ids[^1] - ids[0] + 1 != ids.Length)
        {
            sql.Append(culture, $" AND {column} IN (");
            for (var i = 0; i < ids.Length; i++)
            {
                if (i > 0)
                {
                    sql.Append(',');
                }

                sql.Append(culture, $"{ids[i]}");
            }

            sql.Append(')');
        }

        sql.Append(')');
    }

    private void AppendSubquery(StringBuilder sql, string column)
    {
        sql.Append(CultureInfo.InvariantCulture, $" AND {column} IN (SELECT series_id FROM series WHERE metric = {SqlText.Literal(_filter.Metric)})");
        foreach (var (key, value) in _filter.Tags)
        {
            sql.Append(CultureInfo.InvariantCulture,
                $" AND {column} IN (SELECT series_id FROM series_tags WHERE tag_key = {SqlText.Literal(key)} AND tag_value = {SqlText.Literal(value)})");
        }
    }

    internal static bool Matches(SeriesEntry entry, IReadOnlyList<KeyValuePair<string, string>> required)
    {
        var tags = entry.Descriptor.Tags;
        foreach (var (key, value) in required)
        {
            var found = false;
            foreach (var tag in tags)
            {
                if (string.Equals(tag.Key, key, StringComparison.Ordinal))
                {
                    found = string.Equals(tag.Value, value, StringComparison.Ordinal);
                    break;
                }
            }

            if (!found)
            {
                return false;
            }
        }

        return true;
    }
}
