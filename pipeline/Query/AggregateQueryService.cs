using System.Globalization;
using System.Text;
using FunctionsObservability.Pipeline.Storage;

namespace FunctionsObservability.Pipeline.Query;

/// <summary>
/// Time-bucket aggregates. Buckets are aligned to multiples of the step since the Unix epoch. The
/// number of buckets and of groups is checked before DuckDB runs anything, from the range and the
/// in-memory catalog, so an oversized request costs nothing. Grouping is by series id in SQL
/// (integers, no join), and series are folded into their groups here; only a percentile over
/// groups of several series, which cannot be folded, groups by tag value in SQL.
/// </summary>
public sealed class AggregateQueryService
{
    private readonly SeriesCatalog _catalog;
    private readonly QueryExecutor _executor;
    private readonly QueryOptions _options;
    private readonly TieredSource _tiers;
    private readonly PointWriter _writer;

    public AggregateQueryService(SeriesCatalog catalog, QueryExecutor executor, QueryOptions options, TieredSource tiers, PointWriter writer)
    {
        _writer = writer;
        _catalog = catalog;
        _executor = executor;
        _options = options;
        _tiers = tiers;
    }

    public async Task<IReadOnlyList<AggregateSeries>> QueryAsync(AggregateRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var buckets = CountBuckets(request.Range, request.StepMicros);
        if (buckets > _options.MaxBuckets)
        {
            throw new QueryFailedException(QueryFailure.BadParameter,
                $"the range holds {buckets} buckets of this step, more than the limit of {_options.MaxBuckets}; use a larger step or a shorter range", "step");
        }

        var selection = SeriesSelection.Resolve(_catalog, request.Filter);
        if (selection.IsEmpty)
        {
            return [];
        }

        var groups = AggregateGroups.Build(selection, request.GroupBy);
        if (groups.Count > _options.MaxSeries)
        {
            throw new QueryFailedException(QueryFailure.BadParameter,
                $"grouping by \"{request.GroupBy}\" gives {groups.Count} series, more than the limit of {_options.MaxSeries}; add a tag filter", "groupBy");
        }

        if (buckets * groups.Count > _options.MaxPoints)
        {
            throw new QueryFailedException(QueryFailure.BadParameter,
                $"the answer could hold {buckets} buckets × {groups.Count} series, more than the limit of {_options.MaxPoints} points; use a larger step, a shorter range or a tag filter", "step");
        }

        var isPercentile = request.Function is AggregateFunction.P50 or AggregateFunction.P90 or AggregateFunction.P99;
        var plan = request.GroupBy is null ? SqlGrouping.None
            : groups.OneSeriesPerGroup ? SqlGrouping.BySeriesAlone
            : isPercentile ? SqlGrouping.ByTagValue
            : SqlGrouping.BySeries;

        var rollup = UsesMinuteRollup(request, plan);
        var partials = rollup && ReadsPartials(request, selection);
        using var lease = await _executor.AcquireAsync(cancellationToken).ConfigureAwait(false);
        // Folding is right for one row per bucket too, so it stays on when archived files turn partials off.
        var accumulator = new BucketAccumulator(request.Function, request.StepMicros, groups.Count, fold: partials || plan == SqlGrouping.BySeries);
        try
        {
            var (tier, reader) = await _tiers.ExecuteAsync(lease, selection, request.Range,
                t => rollup ? BuildRollupSql(request, selection, plan, t, partials && t.Archived is null) : BuildSql(request, selection, plan, t), lease.Token).ConfigureAwait(false);
            using var tierLease = tier;
            using var rows = reader;
            while (reader.Read())
            {
                var group = plan switch
                {
                    SqlGrouping.None => 0,
                    SqlGrouping.BySeries or SqlGrouping.BySeriesAlone => groups.GroupOfSeries(reader.GetInt32(0)),
                    _ => groups.GroupOfValue(reader.IsDBNull(0) ? null : reader.GetString(0)),
                };
                if (group >= 0)
                {
                    accumulator.Add(group, reader.GetInt64(1), reader.GetDouble(2), reader.GetDouble(3));
                }
            }
        }
        catch (OperationCanceledException exception)
        {
            throw lease.Translate(exception);
        }

        return accumulator.ToSeries(groups, request.Filter.Tags, request.GroupBy);
    }

    private static long CountBuckets(TimeRange range, long step)
    {
        var from = Math.Floor((double)range.FromMicros / step);
        var to = Math.Ceiling((double)range.ToMicros / step);
        var count = to - from;
        return count >= long.MaxValue ? long.MaxValue : (long)count;
    }

    /// <summary>
    /// Whole minutes, and an aggregate that can be built from per-minute partials, can read the
    /// clustered rows' minute rollup instead of their points; rows not yet clustered have no
    /// rollup and are read as points.
    /// </summary>
    private static bool UsesMinuteRollup(AggregateRequest request, SqlGrouping plan) =>
        plan != SqlGrouping.ByTagValue
        && request.Function is not (AggregateFunction.P50 or AggregateFunction.P90 or AggregateFunction.P99)
        && request.StepMicros % MinuteMicros == 0
        && request.Range.FromMicros % MinuteMicros == 0
        && request.Range.ToMicros % MinuteMicros == 0;

    /// <summary>
    /// A few series over a short range have few minute partials: those are read as they are and
    /// folded here, because DuckDB's hash aggregate costs more to set up than it saves on a
    /// hundred rows (about 0.4 ms of a 2 ms query, measured for issue 5). Rows not yet rolled up come one
    /// per point, so this is chosen only when the recent rows are few as well.
    /// </summary>
    private bool ReadsPartials(AggregateRequest request, SeriesSelection selection)
    {
        if (_options.MaxFoldedPartials == 0)
        {
            return false;
        }

        var minutes = (request.Range.ToMicros - request.Range.FromMicros) / MinuteMicros;
        return selection.Series.Count * minutes <= _options.MaxFoldedPartials && _writer.RecentRows <= _options.MaxFoldedPartials;
    }

    private static string BuildRollupSql(AggregateRequest request, SeriesSelection selection, SqlGrouping plan, TierLease tier, bool partials)
    {
        var culture = CultureInfo.InvariantCulture;
        var step = request.StepMicros;
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
              WHERE minute >= {request.Range.FromMicros / MinuteMicros} AND minute < {request.Range.ToMicros / MinuteMicros} AND 
            """);
        selection.AppendPredicate(sql, "series_id");
        sql.Append(culture, $"""

              UNION ALL
              SELECT series_id, ts, value, 1, value, value FROM points_recent
              WHERE ts >= {request.Range.FromMicros} AND ts < {request.Range.ToMicros} AND 
            """);
        selection.AppendPredicate(sql, "series_id");
        if (tier.Archived is { } archived)
        {
            // Archived hours have no rollup rows: their points are read as one-point partials.
            sql.Append(culture, $"""

                  UNION ALL
                  SELECT series_id, ts, value, 1, value, value FROM {archived}
                  WHERE ts >= {request.Range.FromMicros} AND ts < {request.Range.ToMicros} AND 
                """);
            selection.AppendPredicate(sql, "series_id");
        }

        sql.Append(culture, $") SELECT {group} AS grp, ts // {step} AS bucket, {values} FROM u");
        if (!partials)
        {
            sql.Append(" GROUP BY ALL");
        }

        return sql.ToString();
    }

    private static string BuildSql(AggregateRequest request, SeriesSelection selection, SqlGrouping plan, TierLease tier)
    {
        var culture = CultureInfo.InvariantCulture;
        var step = request.StepMicros;

        // Two value columns: the aggregate, and what folding needs besides (a count for avg).
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

        // Timestamps are positive (the ingest window starts after 1970), so integer division
        // is a floor and buckets align to multiples of the step.
        var sql = new StringBuilder();
        sql.Append(culture, $"SELECT {group} AS grp, p.ts // {step} AS bucket, {values} FROM {tier.Points} p");
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

    private const long MinuteMicros = 60_000_000;

    private enum SqlGrouping
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
}
