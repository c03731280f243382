using System.Globalization;
using System.Text;
using FunctionsObservability.Pipeline.Query;
using FunctionsObservability.Pipeline.Storage;

namespace FunctionsObservability.Pipeline.PromQL;

/// <summary>
/// The engine's samples from the store: hot and archived rows as one (<see cref="TieredSource"/>),
/// read through a query slot with the query timeout, one statement per stored metric. Rows are
/// read unsorted and put in order per series in process, which costs less than DuckDB sorting
/// every row; a series keeps one point per millisecond. What was read is kept in the
/// <see cref="SeriesSampleCache"/>, and series found there are not read again.
/// </summary>
public sealed class StoreSeriesSource : IPromSeriesSource
{
    private const int ChargeEvery = 8192;

    private readonly PromCatalog _catalog;
    private readonly SeriesCatalog _series;
    private readonly QueryExecutor _executor;
    private readonly TieredSource _tiers;
    private readonly SeriesSampleCache _cache;

    public StoreSeriesSource(PromCatalog catalog, SeriesCatalog series, QueryExecutor executor, TieredSource tiers, SeriesSampleCache cache)
    {
        _catalog = catalog;
        _series = series;
        _executor = executor;
        _tiers = tiers;
        _cache = cache;
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

        // Each group's series keep the catalog's order whichever way they arrive, so an answer's
        // sums add in the same order from the cache as from the store.
        var reads = new List<MetricRead>(groups.Count);
        foreach (var (metric, series) in groups)
        {
            var read = new MetricRead(metric, series);
            var cached = new CachedSamples?[series.Count];
            if (_cache.Find(series, range.FromMicros, range.ToMicros, cached) > 0)
            {
                for (var i = 0; i < series.Count; i++)
                {
                    if (cached[i] is { } samples)
                    {
                        var answer = samples.Slice(_catalog.LabelsOf(series[i]), minTimeMs, maxTimeMs);
                        budget.ChargeSamples(answer?.Count ?? 0);
                        read.Take(i, answer);
                    }
                }

                read.FindMissing();
            }

            reads.Add(read);
        }

        if (reads.Exists(r => r.Missing.Count > 0))
        {
            try
            {
                using var lease = await _executor.AcquireAsync(cancellationToken).ConfigureAwait(false);
                foreach (var read in reads)
                {
                    if (read.Missing.Count > 0)
                    {
                        await ReadMetricAsync(lease, read, range, minTimeMs, maxTimeMs, budget).ConfigureAwait(false);
                    }
                }
            }
            catch (QueryFailedException exception)
            {
                throw Translate(exception);
            }
        }

        var result = new List<PromSeries>(groups.Sum(g => g.Series.Count));
        foreach (var read in reads)
        {
            read.CopyTo(result);
        }

        return result;
    }

    private async Task ReadMetricAsync(QueryLease lease, MetricRead read, TimeRange range, long minTimeMs, long maxTimeMs, PromQueryBudget budget)
    {
        var series = read.Missing;

        // A range that reaches past every series' newest point is read without an upper bound:
        // that costs nothing now, and the cache then keeps the series open, extended by commits.
        if (range.ToMicros != long.MaxValue && series.TrueForAll(s => s.MaxTimestamp < range.ToMicros))
        {
            range = new TimeRange(range.FromMicros, long.MaxValue);
        }

        using var fill = _cache.BeginFill(series);

        // Ids of one metric are allocated in blocks, so an array over their range stays small and
        // is cheaper per row than a dictionary.
        var minId = series.Min(s => s.Id);
        var builders = new SeriesSampleBuilder?[series.Max(s => s.Id) - minId + 1];
        foreach (var entry in series)
        {
            builders[entry.Id - minId] = new SeriesSampleBuilder(EstimateSamples(entry, range));
        }

        var wholeMetric = series.Count == _series.ForMetric(read.Metric).Count || series.Count > SeriesSelection.MaxInlineIds;
        var selection = SeriesSelection.Of(new SeriesFilter(read.Metric, []), series);
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
                    var slot = (uint)(reader.GetInt32(0) - minId);
                    if (slot >= (uint)builders.Length || builders[slot] is not { } builder)
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

        for (var i = 0; i < series.Count; i++)
        {
            var entry = series[i];
            var samples = builders[entry.Id - minId]!.Build() ?? CachedSamples.Empty;
            _cache.Add(fill, entry, range.FromMicros, range.ToMicros, samples);
            read.Fill(i, samples.Slice(_catalog.LabelsOf(entry), minTimeMs, maxTimeMs));
        }
    }

    private static string BuildSql(string source, List<SeriesEntry> series, bool wholeMetric, TimeRange range)
    {
        var culture = CultureInfo.InvariantCulture;
        var min = series.Min(s => s.Id);
        var max = series.Max(s => s.Id);
        var sql = new StringBuilder("SELECT series_id, ts, value FROM ").Append(source)
            .Append(culture, $" WHERE series_id BETWEEN {min} AND {max}");
        // A whole metric needs only its id range: the few other ids inside it are dropped while
        // reading, which costs less than DuckDB's semi join against the series table.
        if (!wholeMetric && max - min + 1 != series.Count)
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

    /// <summary>The series' points expected in the range, assuming they are spread evenly over its span.</summary>
    private static int EstimateSamples(SeriesEntry entry, TimeRange range)
    {
        var count = entry.PointCount;
        var span = (double)entry.MaxTimestamp - entry.MinTimestamp;
        if (count <= 1 || span <= 0)
        {
            return (int)Math.Clamp(count, 1, 1024);
        }

        var overlap = Math.Min((double)range.ToMicros, entry.MaxTimestamp + 1.0) - Math.Max((double)range.FromMicros, entry.MinTimestamp);
        var expected = count * Math.Clamp(overlap / span, 0, 1);
        return (int)Math.Clamp(expected * 1.05 + 16, 16, count + 16);
    }

    private static long ToMicros(long milliseconds) =>
        milliseconds <= long.MinValue / 1000 ? long.MinValue : milliseconds >= long.MaxValue / 1000 ? long.MaxValue : milliseconds * 1000;

    /// <summary>One metric's selected series: those the cache answered, and those still to read from the store.</summary>
    private sealed class MetricRead(string metric, List<SeriesEntry> series)
    {
        private readonly PromSeries?[] _slots = new PromSeries?[series.Count];
        private readonly bool[] _answered = new bool[series.Count];
        private readonly List<SeriesEntry> _series = series;
        private List<int>? _missingSlots;

        public string Metric => metric;

        /// <summary>The series the cache did not answer, in the catalog's order.</summary>
        public List<SeriesEntry> Missing { get; private set; } = series;

        /// <summary>Records the cache's answer for series <paramref name="slot"/> (null: no sample in range).</summary>
        public void Take(int slot, PromSeries? answer)
        {
            _slots[slot] = answer;
            _answered[slot] = true;
        }

        /// <summary>Narrows <see cref="Missing"/> to the series <see cref="Take"/> did not answer.</summary>
        public void FindMissing()
        {
            _missingSlots = [.. Enumerable.Range(0, _answered.Length).Where(i => !_answered[i])];
            Missing = [.. _missingSlots.Select(i => _series[i])];
        }

        /// <summary>Records the store's answer for the <paramref name="missing"/>-th series of <see cref="Missing"/>.</summary>
        public void Fill(int missing, PromSeries? answer) => _slots[_missingSlots is null ? missing : _missingSlots[missing]] = answer;

        public void CopyTo(List<PromSeries> result)
        {
            foreach (var answer in _slots)
            {
                if (answer is not null)
                {
                    result.Add(answer);
                }
            }
        }
    }

    private static PromQueryException Translate(QueryFailedException exception) => new(
        exception.Failure switch
        {
            QueryFailure.Timeout => PromErrorType.Timeout,
            QueryFailure.BadParameter => PromErrorType.BadData,
            _ => PromErrorType.Unavailable,
        },
        exception.Message);
}
