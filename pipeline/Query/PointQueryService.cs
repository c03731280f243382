using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using FunctionsObservability.Pipeline.Storage;

namespace FunctionsObservability.Pipeline.Query;

/// <summary>
/// Raw points in (timestamp, series) order: keyset pages and an unbounded stream. The keyset
/// predicate is written as <c>ts &gt;= c AND (ts &gt; c OR series_id &gt;= s)</c>, because the
/// row-value form defeats DuckDB's zone-map pruning.
/// </summary>
public sealed class PointQueryService
{
    private readonly SeriesCatalog _catalog;
    private readonly QueryExecutor _executor;
    private readonly TieredSource _tiers;

    public PointQueryService(SeriesCatalog catalog, QueryExecutor executor, TieredSource tiers)
    {
        _catalog = catalog;
        _executor = executor;
        _tiers = tiers;
    }

    public async Task<PointPage> GetPageAsync(PointPageRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var selection = SeriesSelection.Resolve(_catalog, request.Filter);
        var cursor = request.After;
        var skip = cursor?.Seen ?? 0;
        var need = (long)request.Limit + skip + 1;
        var window = TimeWindow.For(selection, request.Range, cursor, need);
        if (window is null)
        {
            return new PointPage([], null);
        }

        using var lease = await _executor.AcquireAsync(cancellationToken).ConfigureAwait(false);
        var points = new List<QueriedPoint>(Math.Min(request.Limit, 1024));
        var more = false;
        var tailRun = 0;
        var (from, width, end) = window.Value;
        try
        {
            // Read ascending, disjoint time windows until the page is full. Each window holds
            // about a page at the selection's average density, so DuckDB sorts a page's worth of
            // rows instead of everything after the cursor; sparse stretches widen the window.
            for (var first = true; !more && from < end; first = false)
            {
                var to = width >= end - from ? end : from + width;
                var windowCursor = first ? cursor : null;
                var (tier, reader) = await _tiers.ExecuteAsync(lease, selection, new TimeRange(from, to),
                    t => BuildSql(t.Points, selection, new TimeRange(from, to), windowCursor, need), lease.Token).ConfigureAwait(false);
                using (tier)
                using (reader)
                {
                    while (reader.Read())
                    {
                        var seriesId = reader.GetInt32(0);
                        var timestamp = reader.GetInt64(1);
                        if (skip > 0 && cursor is { } c && timestamp == c.TimestampMicros && seriesId == c.SeriesId)
                        {
                            skip--;
                            continue;
                        }

                        if (points.Count == request.Limit)
                        {
                            more = true;
                            break;
                        }

                        if (_catalog.Get(seriesId) is not { } series)
                        {
                            continue;
                        }

                        var point = new QueriedPoint(series, timestamp, reader.GetDouble(2));
                        tailRun = points.Count > 0 && SameKey(points[^1], point) ? tailRun + 1 : 1;
                        points.Add(point);
                    }
                }

                from = to;
                width = width > long.MaxValue / 4 ? long.MaxValue : width * 4;
            }
        }
        catch (OperationCanceledException exception)
        {
            throw lease.Translate(exception);
        }

        if (!more || points.Count == 0)
        {
            return new PointPage(points, null);
        }

        var last = points[^1];
        var seen = tailRun;
        if (cursor is { } previous && tailRun == points.Count && last.TimestampMicros == previous.TimestampMicros && last.Series.Id == previous.SeriesId)
        {
            // The whole page shared the cursor's key: count what earlier pages returned too.
            seen += previous.Seen;
        }

        return new PointPage(points, new PageCursor(last.TimestampMicros, last.Series.Id, seen));
    }

    /// <summary>
    /// Every matching point, read from DuckDB in streaming mode, so memory stays flat. Where the
    /// range holds archived hours it is read window by window (each archived hour alone, and the
    /// stretches between), so only one hour's files are pinned in the cache at a time.
    /// </summary>
    public async IAsyncEnumerable<QueriedPoint> StreamAsync(SeriesFilter filter, TimeRange range, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(filter);
        var selection = SeriesSelection.Resolve(_catalog, filter);
        if (selection.IsEmpty)
        {
            yield break;
        }

        using var lease = await _executor.AcquireAsync(cancellationToken).ConfigureAwait(false);
        foreach (var window in StreamWindows(_tiers.FindFiles(selection, range), range))
        {
            TierLease tier;
            DuckDB.NET.Data.DuckDBDataReader reader;
            try
            {
                (tier, reader) = await _tiers.ExecuteAsync(lease, selection, window,
                    t => BuildSql(t.Points, selection, window, cursor: null, limit: null), lease.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException exception)
            {
                throw lease.Translate(exception);
            }

            using (tier)
            using (reader)
            {
                while (true)
                {
                    bool read;
                    try
                    {
                        read = reader.Read();
                    }
                    catch (OperationCanceledException exception)
                    {
                        throw lease.Translate(exception);
                    }

                    if (!read)
                    {
                        break;
                    }

                    if (_catalog.Get(reader.GetInt32(0)) is { } series)
                    {
                        yield return new QueriedPoint(series, reader.GetInt64(1), reader.GetDouble(2));
                    }
                }
            }
        }
    }

    /// <summary>Disjoint, ascending windows covering the range: one per archived hour, and the gaps between.</summary>
    private static IEnumerable<TimeRange> StreamWindows(IReadOnlyList<Archive.ArchivedFile> files, TimeRange range)
    {
        var from = range.FromMicros;
        foreach (var hour in files.Select(f => f.HourStartMicros).Distinct().Order())
        {
            var start = Math.Max(hour, from);
            var end = Math.Min(hour + Archive.ArchivedFile.HourMicros, range.ToMicros);
            if (start >= end)
            {
                continue;
            }

            if (from < start)
            {
                yield return new TimeRange(from, start);
            }

            yield return new TimeRange(start, end);
            from = end;
        }

        if (from < range.ToMicros)
        {
            yield return new TimeRange(from, range.ToMicros);
        }
    }

    private static bool SameKey(QueriedPoint a, QueriedPoint b) => a.TimestampMicros == b.TimestampMicros && a.Series.Id == b.Series.Id;

    private static string BuildSql(string source, SeriesSelection selection, TimeRange range, PageCursor? cursor, long? limit)
    {
        var culture = CultureInfo.InvariantCulture;
        var sql = new StringBuilder("SELECT series_id, ts, value FROM ").Append(source).Append(" WHERE ");
        selection.AppendPredicate(sql, "series_id");
        if (range.FromMicros != long.MinValue)
        {
            sql.Append(culture, $" AND ts >= {range.FromMicros}");
        }

        if (range.ToMicros != long.MaxValue)
        {
            sql.Append(culture, $" AND ts < {range.ToMicros}");
        }

        if (cursor is { } c)
        {
            sql.Append(culture, $" AND ts >= {c.TimestampMicros} AND (ts > {c.TimestampMicros} OR series_id >= {c.SeriesId})");
        }

        sql.Append(" ORDER BY ts, series_id, value");
        if (limit is { } n)
        {
            sql.Append(culture, $" LIMIT {n}");
        }

        return sql.ToString();
    }
}
