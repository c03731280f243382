using System.Globalization;
using System.Text;
using FunctionsObservability.Pipeline.Query;
using FunctionsObservability.Pipeline.Storage;

namespace FunctionsObservability.Pipeline.PromQL;

/// <summary>
/// The engine's samples from the store: hot and archived rows as one (<see cref="TieredSource"/>),
/// read through a query slot with the query timeout, one statement per stored metric. Rows are
/// read unsorted and put in order per series in process, which costs less than DuckDB sorting
/// every row; a series keeps the last of several points within one millisecond.
/// </summary>
public sealed class StoreSeriesSource : IPromSeriesSource
{
    private const int ChargeEvery = 8192;

    private readonly PromCatalog _catalog;
    private readonly SeriesCatalog _series;
    private readonly QueryExecutor _executor;
    private readonly TieredSource _tiers;

    public StoreSeriesSource(PromCatalog catalog, SeriesCatalog series, QueryExecutor executor, TieredSource tiers)
    {
        _catalog = catalog;
        _series = series;
        _executor = executor;
        _tiers = tiers;
    }

    public async Task<IReadOnlyList<PromSeries>> SelectAsync(
        IReadOnlyList<LabelMatcher> matchers, long minTimeMs, long maxTimeMs, PromQueryBudget budget, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(budget);
        var range = new TimeRange(ToMicros(minTimeMs), maxTimeMs >= long.MaxValue / 1000 - 1 ? long.MaxValue : ToMicros(maxTimeMs + 1));
        var groups = _catalog.Select(matchers, range.FromMicros, range.ToMicros);
        budget.ChargeSeries(groups.Sum(g => g.Series.Count));
        if (groups.Count == 0)
        {
            return [];
        }

        var result = new List<PromSeries>(groups.Sum(g => g.Series.Count));
        try
        {
            using var lease = await _executor.AcquireAsync(cancellationToken).ConfigureAwait(false);
            foreach (var (metric, series) in groups)
            {
                await ReadMetricAsync(lease, metric, series, range, budget, result).ConfigureAwait(false);
            }
        }
        catch (QueryFailedException exception)
        {
            throw Translate(exception);
        }

        return result;
    }

    private async Task ReadMetricAsync(QueryLease lease, string metric, List<SeriesEntry> series, TimeRange range, PromQueryBudget budget, List<PromSeries> result)
    {
        var builders = new Dictionary<int, SampleBuilder>(series.Count);
        foreach (var entry in series)
        {
            builders[entry.Id] = new SampleBuilder(entry);
        }

        var wholeMetric = series.Count == _series.ForMetric(metric).Count || series.Count > SeriesSelection.MaxInlineIds;
        var selection = SeriesSelection.Of(new SeriesFilter(metric, []), series);
        TierLease tier;
        DuckDB.NET.Data.DuckDBDataReader reader;
        try
        {
            (tier, reader) = await _tiers.ExecuteAsync(lease, selection, range,
                t => BuildSql(t.Points, series, wholeMetric, range), lease.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException exception)
        {
            throw lease.Translate(exception);
        }

        using (tier)
        using (reader)
        {
            var uncharged = 0;
            try
            {
                while (reader.Read())
                {
                    if (!builders.TryGetValue(reader.GetInt32(0), out var builder))
                    {
                        continue;
                    }

                    builder.Add(reader.GetInt64(1), reader.GetDouble(2));
                    if (++uncharged == ChargeEvery)
                    {
                        budget.ChargeSamples(uncharged);
                        uncharged = 0;
                        lease.Token.ThrowIfCancellationRequested();
                    }
                }
            }
            catch (OperationCanceledException exception)
            {
                throw lease.Translate(exception);
            }

            budget.ChargeSamples(uncharged);
        }

        foreach (var entry in series)
        {
            if (builders[entry.Id].Build(_catalog.LabelsOf(entry)) is { } built)
            {
                result.Add(built);
            }
        }
    }

    private static string BuildSql(string source, List<SeriesEntry> series, bool wholeMetric, TimeRange range)
    {
        var culture = CultureInfo.InvariantCulture;
        var min = series.Min(s => s.Id);
        var max = series.Max(s => s.Id);
        var sql = new StringBuilder("SELECT series_id, ts, value FROM ").Append(source)
            .Append(culture, $" WHERE series_id BETWEEN {min} AND {max}");
        if (wholeMetric)
        {
            sql.Append(culture, $" AND series_id IN (SELECT series_id FROM series WHERE metric_id = {series[0].MetricId})");
        }
        else if (max - min + 1 != series.Count)
        {
            sql.Append(" AND series_id IN (").AppendJoin(',', series.Select(s => s.Id.ToString(culture))).Append(')');
        }

        if (range.FromMicros != long.MinValue)
        {
            sql.Append(culture, $" AND ts >= {range.FromMicros}");
        }

        if (range.ToMicros != long.MaxValue)
        {
            sql.Append(culture, $" AND ts < {range.ToMicros}");
        }

        return sql.ToString();
    }

    private static long ToMicros(long milliseconds) =>
        milliseconds <= long.MinValue / 1000 ? long.MinValue : milliseconds >= long.MaxValue / 1000 ? long.MaxValue : milliseconds * 1000;

    private static PromQueryException Translate(QueryFailedException exception) => new(
        exception.Failure switch
        {
            QueryFailure.Timeout => PromErrorType.Timeout,
            QueryFailure.BadParameter => PromErrorType.BadData,
            _ => PromErrorType.Unavailable,
        },
        exception.Message);

    /// <summary>One series' rows as they arrive, then sorted and cut to milliseconds.</summary>
    private sealed class SampleBuilder(SeriesEntry entry)
    {
        private long[] _micros = new long[(int)Math.Clamp(entry.PointCount, 4, 1024)];
        private double[] _values = new double[(int)Math.Clamp(entry.PointCount, 4, 1024)];
        private int _count;
        private bool _sorted = true;

        public void Add(long micros, double value)
        {
            if (_count == _micros.Length)
            {
                Array.Resize(ref _micros, _count * 2);
                Array.Resize(ref _values, _count * 2);
            }

            if (_count > 0 && micros < _micros[_count - 1])
            {
                _sorted = false;
            }

            _micros[_count] = micros;
            _values[_count++] = value;
        }

        public PromSeries? Build(PromLabels labels)
        {
            if (_count == 0)
            {
                return null;
            }

            if (!_sorted)
            {
                Array.Sort(_micros, _values, 0, _count);
            }

            // Milliseconds in place; of several points in one millisecond the last stays.
            var kept = 0;
            for (var i = 0; i < _count; i++)
            {
                var ms = Math.DivRem(_micros[i], 1000, out var rest) - (rest < 0 ? 1 : 0);
                if (kept > 0 && _micros[kept - 1] == ms)
                {
                    _values[kept - 1] = _values[i];
                    continue;
                }

                _micros[kept] = ms;
                _values[kept++] = _values[i];
            }

            return new PromSeries(labels, _micros, _values, kept);
        }
    }
}
