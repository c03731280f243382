using System.Diagnostics;
using FunctionsObservability.Pipeline.Query;
using FunctionsObservability.Pipeline.Storage;

namespace FunctionsObservability.Pipeline.PromQL;

/// <summary>
/// Samples the PromQL engine read from the store, kept per series with the time range they cover,
/// so a later query over the same range or a narrower one evaluates from memory instead of
/// scanning DuckDB again: dashboards repeat their queries. A series read up to its newest point
/// covers an open range, and the writer's commits (<see cref="ICommittedPointsObserver"/>) append
/// its new points, so a dashboard over live data keeps being served; a committed point the cache
/// cannot simply append (inside a closed range, or not after the newest sample) drops the series.
/// A series committed to while it is being read is not kept, and archive and retention (which move
/// every <see cref="DataVersions"/> version) empty the cache. Memory is bounded by the arrays' bytes
/// against <see cref="PromQLOptions.SampleCacheBytes"/>, least recently used first; a series above
/// an eighth of the budget is not kept. Queries get the arrays themselves: they are only ever
/// written past the samples any query was given.
/// </summary>
[DebuggerDisplay("{Count} series, {SizeBytes} of {_budget} bytes")]
public sealed partial class SeriesSampleCache : ICommittedPointsObserver
{
    private const int MaxShareOfBudget = 8;

    private readonly DataVersions _versions;
    private readonly QueryMetrics _metrics;
    private readonly long _budget;
    private readonly Lock _lock = new();
    private readonly Dictionary<int, LinkedListNode<CachedSeries>> _entries = [];
    private readonly List<SampleFill> _fills = [];

    /// <summary>Most recently used first.</summary>
    private readonly LinkedList<CachedSeries> _recency = new();
    private long _size;

    public SeriesSampleCache(DataVersions versions, PromQLOptions options, QueryMetrics metrics)
    {
        ArgumentNullException.ThrowIfNull(versions);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(metrics);
        _versions = versions;
        _metrics = metrics;
        _budget = options.SampleCacheBytes;
        metrics.ObserveSampleCacheSize(() => SizeBytes);
    }

    public bool Enabled => _budget > 0;

    public long SizeBytes => Interlocked.Read(ref _size);

    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _entries.Count;
            }
        }
    }

    /// <summary>
    /// Starts reading <paramref name="series"/> from the store; call it before the read begins and
    /// dispose of the fill after its samples are added. Commits to these series meanwhile keep
    /// them out of the cache, since the read may or may not have seen them.
    /// </summary>
    public SampleFill BeginFill(IEnumerable<SeriesEntry> series)
    {
        var fill = new SampleFill(this, _versions.AllMetrics, series);
        if (Enabled)
        {
            lock (_lock)
            {
                _fills.Add(fill);
            }
        }

        return fill;
    }

    /// <summary>
    /// Looks up each series for the range [<paramref name="fromMicros"/>, <paramref name="toMicros"/>):
    /// <paramref name="found"/>[i] is the cached samples of <paramref name="series"/>[i], or null on a miss.
    /// </summary>
    /// <returns>How many were found.</returns>
    public int Find(IReadOnlyList<SeriesEntry> series, long fromMicros, long toMicros, CachedSamples?[] found)
    {
        ArgumentNullException.ThrowIfNull(series);
        ArgumentNullException.ThrowIfNull(found);
        if (!Enabled)
        {
            return 0;
        }

        var hits = 0;
        var all = _versions.AllMetrics;
        lock (_lock)
        {
            for (var i = 0; i < series.Count; i++)
            {
                found[i] = null;
                if (!_entries.TryGetValue(series[i].Id, out var node))
                {
                    continue;
                }

                if (node.Value.AllMetricsVersion != all)
                {
                    // Archived or deleted since: it can never be served again.
                    Remove(node);
                    continue;
                }

                if (node.Value.Covers(fromMicros, toMicros))
                {
                    _recency.Remove(node);
                    _recency.AddFirst(node);
                    found[i] = node.Value.Snapshot();
                    hits++;
                }
            }
        }

        _metrics.SampleCacheHits.Add(hits);
        _metrics.SampleCacheMisses.Add(series.Count - hits);
        return hits;
    }

    /// <summary>
    /// Keeps the samples <paramref name="fill"/> read for <paramref name="series"/> over [from, to);
    /// <paramref name="toMicros"/> = <see cref="long.MaxValue"/> when the read had no upper bound.
    /// </summary>
    public void Add(SampleFill fill, SeriesEntry series, long fromMicros, long toMicros, CachedSamples samples)
    {
        ArgumentNullException.ThrowIfNull(fill);
        ArgumentNullException.ThrowIfNull(series);
        ArgumentNullException.ThrowIfNull(samples);
        if (!Enabled || samples.SizeBytes + CachedSeries.OverheadBytes > _budget / MaxShareOfBudget)
        {
            return;
        }

        var evicted = 0;
        lock (_lock)
        {
            if (fill.AllMetricsVersion != _versions.AllMetrics || fill.Touched(series.Id))
            {
                return;
            }

            if (_entries.TryGetValue(series.Id, out var existing))
            {
                if (existing.Value.AllMetricsVersion == fill.AllMetricsVersion && existing.Value.Covers(fromMicros, toMicros))
                {
                    return;
                }

                Remove(existing);
            }

            var entry = new CachedSeries(series.Id, fill.AllMetricsVersion, fromMicros, toMicros, samples);
            evicted += MakeRoom(entry.Bytes);
            _entries[series.Id] = _recency.AddFirst(entry);
            Interlocked.Add(ref _size, entry.Bytes);
        }

        if (evicted > 0)
        {
            _metrics.SampleCacheEvictions.Add(evicted);
        }
    }

    internal void EndFill(SampleFill fill)
    {
        lock (_lock)
        {
            _fills.Remove(fill);
        }
    }

    /// <summary>Evicts the least recently used series until <paramref name="bytes"/> more fit.</summary>
    private int MakeRoom(long bytes)
    {
        var evicted = 0;
        while (_size + bytes > _budget && _recency.Last is { } oldest)
        {
            Remove(oldest);
            evicted++;
        }

        return evicted;
    }

    private void Remove(LinkedListNode<CachedSeries> node)
    {
        if (node.List is not null)
        {
            _recency.Remove(node);
        }

        _entries.Remove(node.Value.SeriesId);
        Interlocked.Add(ref _size, -node.Value.Bytes);
    }
}
