using FunctionsObservability.Pipeline.Storage;

namespace FunctionsObservability.Pipeline.Query;

/// <summary>
/// Time-bucket aggregates. Buckets are aligned to multiples of the step since the Unix epoch. The
/// number of buckets and of groups is checked before DuckDB runs anything, from the range and the
/// in-memory catalog, so an oversized request costs nothing. Grouping is by series id in SQL
/// (integers, no join), and series are folded into their groups here; only a percentile over
/// groups of several series, which cannot be folded, groups by tag value in SQL. An answer is
/// kept in <see cref="AggregateAnswerCache"/> and served from there while its metric's data is
/// unchanged, without a connection, the archive manifest or the series resolved.
/// </summary>
public sealed partial class AggregateQueryService
{
    private readonly SeriesCatalog _catalog;
    private readonly QueryExecutor _executor;
    private readonly QueryOptions _options;
    private readonly TieredSource _tiers;
    private readonly PointWriter _writer;
    private readonly AggregateAnswerCache _answers;

    public AggregateQueryService(SeriesCatalog catalog, QueryExecutor executor, QueryOptions options, TieredSource tiers, PointWriter writer, AggregateAnswerCache answers)
    {
        _writer = writer;
        _catalog = catalog;
        _executor = executor;
        _options = options;
        _tiers = tiers;
        _answers = answers;
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

        var ofMetric = _catalog.ForMetric(request.Filter.Metric);
        if (ofMetric.Count == 0)
        {
            return [];
        }

        if (!_answers.Enabled)
        {
            return await RunAsync(request, cancellationToken).ConfigureAwait(false);
        }

        // The version is read before the series are resolved and the statement runs, so a series
        // or a point committed after it makes the stored answer out of date, never the reverse.
        var metricId = ofMetric[0].MetricId;
        var key = AggregateAnswerKey.For(request);
        if (_answers.TryGet(key, metricId, out var cached, out var version))
        {
            return cached;
        }

        var answer = await RunAsync(request, cancellationToken).ConfigureAwait(false);
        _answers.Add(key, metricId, version, answer);
        return answer;
    }

    private Task<IReadOnlyList<AggregateSeries>> RunAsync(AggregateRequest request, CancellationToken cancellationToken)
    {
        var selection = SeriesSelection.Resolve(_catalog, request.Filter);
        return selection.IsEmpty ? Task.FromResult<IReadOnlyList<AggregateSeries>>([]) : RunAsync(request, selection, cancellationToken);
    }

    private async Task<IReadOnlyList<AggregateSeries>> RunAsync(AggregateRequest request, SeriesSelection selection, CancellationToken cancellationToken)
    {
        var groups = AggregateGroups.Build(selection, request.GroupBy);
        if (groups.Count > _options.MaxSeries)
        {
            throw new QueryFailedException(QueryFailure.BadParameter,
                $"grouping by \"{request.GroupBy}\" gives {groups.Count} series, more than the limit of {_options.MaxSeries}; add a tag filter", "groupBy");
        }

        var buckets = CountBuckets(request.Range, request.StepMicros);
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

        // Minute partials answer every function but a percentile, which they cannot be folded into.
        var minutes = isPercentile ? null : MinuteSpan.Inside(request.Range, request.StepMicros);
        var partials = minutes is { } whole && ReadsPartials(request, selection, whole);
        using var lease = await _executor.AcquireAsync(cancellationToken).ConfigureAwait(false);
        // Folding is right for one row per bucket too, so it stays on when archived files turn partials off.
        var accumulator = new BucketAccumulator(request.Function, request.StepMicros, groups.Count, fold: partials || plan == SqlGrouping.BySeries);
        try
        {
            var (tier, reader) = await _tiers.ExecuteAsync(lease, selection, request.Range,
                t => minutes is { } m
                    ? AggregateSql.Rollup(request, selection, plan, t, m, partials && t.Archived is null)
                    : AggregateSql.Points(request, selection, plan, t),
                lease.Token).ConfigureAwait(false);
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
    /// A few series over a short range have few minute partials: those are read as they are and
    /// folded here, because DuckDB's hash aggregate costs more to set up than it saves on a
    /// hundred rows (about 0.4 ms of a 2 ms query, measured for issue 5). Rows not yet rolled up,
    /// and the points of the ragged edges, come one per point, so this is chosen only when those
    /// are few as well.
    /// </summary>
    private bool ReadsPartials(AggregateRequest request, SeriesSelection selection, MinuteSpan minutes)
    {
        if (_options.MaxFoldedPartials == 0 || _writer.RecentRows > _options.MaxFoldedPartials)
        {
            return false;
        }

        var edge = minutes.EdgeMicros(request.Range);
        double rows = 0;
        foreach (var series in selection.Series)
        {
            rows += minutes.Minutes + EdgePoints(series, edge);
            if (rows > _options.MaxFoldedPartials)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>The points of a series expected in <paramref name="edgeMicros"/>, from its committed count and time span.</summary>
    private static double EdgePoints(SeriesEntry series, long edgeMicros)
    {
        var count = series.PointCount;
        if (edgeMicros == 0 || count == 0)
        {
            return 0;
        }

        var span = (double)series.MaxTimestamp - series.MinTimestamp;
        return span <= 0 ? count : Math.Min(count, (count * (edgeMicros / span)) + 1);
    }
}
