using System.Globalization;
using System.Text;

namespace FunctionsObservability.Pipeline.Query;

/// <summary>How an aggregate groups in SQL.</summary>
internal enum SqlGrouping
{
    /// <summary>All series into one: group by bucket only.</summary>
    None,

    /// <summary>Each group is one series: group by series id, nothing to fold.</summary>
    BySeriesAlone,

    /// <summary>Groups of several series: group by series id with foldable partials.</summary>
    BySeries,

    /// <summary>A percentile over groups of several series: join the tag and group by its value.</summary>
    ByTagValue,
}

/// <summary>
/// The SQL of an aggregate. Every statement returns (group, bucket, value, count): the group is a
/// series id, a tag value or 0, and the count is what folding an average needs besides its sum.
/// Timestamps are positive (the ingest window starts after 1970), so integer division is a floor
/// and buckets align to multiples of the step.
/// </summary>
internal static class AggregateSql
{
    private const long MinuteMicros = MinuteSpan.MinuteMicros;

    /// <summary>
    /// Reads minute partials: the rollup for the whole minutes of clustered rows, and one-point
    /// partials for rows not yet clustered, for the ragged edges of the range, and for archived
    /// hours (which have no rollup rows). <c>points_1m</c> sums exactly the rows of <c>points</c>,
    /// so the edges come from <c>points</c> and the recent rows from <c>points_recent</c>, each once.
    /// With <paramref name="partials"/> the rows come back one per partial, to be folded in process.
    /// </summary>
    public static string Rollup(AggregateRequest request, SeriesSelection selection, SqlGrouping plan, TierLease tier, MinuteSpan minutes, bool partials)
    {
        var culture = CultureInfo.InvariantCulture;
        var range = request.Range;
        var values = partials ? request.Function switch
        {
            AggregateFunction.Avg => "s, CAST(c AS DOUBLE)",
            AggregateFunction.Min => "mn, CAST(0 AS DOUBLE)",
            AggregateFunction.Max => "mx, CAST(0 AS DOUBLE)",
            AggregateFunction.Sum => "s, CAST(0 AS DOUBLE)",
            _ => "CAST(c AS DOUBLE), CAST(0 AS DOUBLE)",
        }
        : request.Function switch
        {
            AggregateFunction.Avg when plan == SqlGrouping.BySeries => "sum(s), CAST(sum(c) AS DOUBLE)",
            AggregateFunction.Avg => "sum(s) / sum(c), CAST(0 AS DOUBLE)",
            AggregateFunction.Min => "min(mn), CAST(0 AS DOUBLE)",
            AggregateFunction.Max => "max(mx), CAST(0 AS DOUBLE)",
            AggregateFunction.Sum => "sum(s), CAST(0 AS DOUBLE)",
            _ => "CAST(sum(c) AS DOUBLE), CAST(0 AS DOUBLE)",
        };
        var group = plan == SqlGrouping.None && !partials ? "0" : "series_id";
        var sql = new StringBuilder();
        sql.Append(culture, $"""
            WITH u AS (
              SELECT series_id, minute * {MinuteMicros} AS ts, sum AS s, count AS c, min AS mn, max AS mx FROM points_1m
              WHERE minute >= {minutes.FromMicros / MinuteMicros} AND minute < {minutes.ToMicros / MinuteMicros} AND 
            """);
        selection.AppendPredicate(sql, "series_id");
        AppendPoints(sql, selection, "points_recent", range.FromMicros, range.ToMicros);

        // Two conjunctions rather than one OR, so each edge prunes row groups by time.
        if (range.FromMicros < minutes.FromMicros)
        {
            AppendPoints(sql, selection, "points", range.FromMicros, minutes.FromMicros);
        }

        if (minutes.ToMicros < range.ToMicros)
        {
            AppendPoints(sql, selection, "points", minutes.ToMicros, range.ToMicros);
        }

        if (tier.Archived is { } archived)
        {
            AppendPoints(sql, selection, archived, range.FromMicros, range.ToMicros);
        }

        sql.Append(culture, $") SELECT {group} AS grp, ts // {request.StepMicros} AS bucket, {values} FROM u");
        if (!partials)
        {
            sql.Append(" GROUP BY ALL");
        }

        return sql.ToString();
    }

    /// <summary>Groups the points themselves: any step, any function.</summary>
    public static string Points(AggregateRequest request, SeriesSelection selection, SqlGrouping plan, TierLease tier)
    {
        var culture = CultureInfo.InvariantCulture;
        var values = request.Function switch
        {
            AggregateFunction.Avg when plan == SqlGrouping.BySeries => "sum(p.value), CAST(count(*) AS DOUBLE)",
            AggregateFunction.Avg => "avg(p.value), CAST(0 AS DOUBLE)",
            AggregateFunction.Min => "min(p.value), CAST(0 AS DOUBLE)",
            AggregateFunction.Max => "max(p.value), CAST(0 AS DOUBLE)",
            AggregateFunction.Sum => "sum(p.value), CAST(0 AS DOUBLE)",
            AggregateFunction.Count => "CAST(count(*) AS DOUBLE), CAST(0 AS DOUBLE)",
            AggregateFunction.P50 => "quantile_cont(p.value, 0.5), CAST(0 AS DOUBLE)",
            AggregateFunction.P90 => "quantile_cont(p.value, 0.9), CAST(0 AS DOUBLE)",
            AggregateFunction.P99 => "quantile_cont(p.value, 0.99), CAST(0 AS DOUBLE)",
            _ => throw new ArgumentOutOfRangeException(nameof(request)),
        };

        var group = plan switch
        {
            SqlGrouping.None => "0",
            SqlGrouping.BySeries or SqlGrouping.BySeriesAlone => "p.series_id",
            _ => "t.tag_value",
        };

        var sql = new StringBuilder();
        sql.Append(culture, $"SELECT {group} AS grp, p.ts // {request.StepMicros} AS bucket, {values} FROM {tier.Points} p");
        if (plan == SqlGrouping.ByTagValue)
        {
            sql.Append(culture, $" LEFT JOIN series_tags t ON t.series_id = p.series_id AND t.tag_key = '{request.GroupBy!.Replace("'", "''", StringComparison.Ordinal)}'");
        }

        sql.Append(" WHERE ");
        selection.AppendPredicate(sql, "p.series_id");
        if (request.Range.FromMicros != long.MinValue)
        {
            sql.Append(culture, $" AND p.ts >= {request.Range.FromMicros}");
        }

        if (request.Range.ToMicros != long.MaxValue)
        {
            sql.Append(culture, $" AND p.ts < {request.Range.ToMicros}");
        }

        sql.Append(" GROUP BY ALL");
        return sql.ToString();
    }

    /// <summary>Points of <paramref name="source"/> in [from, to) as one-point partials.</summary>
    private static void AppendPoints(StringBuilder sql, SeriesSelection selection, string source, long from, long to)
    {
        sql.Append(CultureInfo.InvariantCulture, $"""

              UNION ALL
              SELECT series_id, ts, value, 1, value, value FROM {source}
              WHERE ts >= {from} AND ts < {to} AND 
            """);
        selection.AppendPredicate(sql, "series_id");
    }
}
