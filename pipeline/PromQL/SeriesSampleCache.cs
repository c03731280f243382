using System.Diagnostics;
using FunctionsObservability.Pipeline.Query;
using FunctionsObservability.Pipeline.Storage;

namespace FunctionsObservability.Pipeline.PromQL;

/// <summary>
/// Samples the PromQL engine read from the store, kept per series with the time range they cover,
/// so a later query over the same range or a narrower one evaluates from memory instead of
/// scanning DuckDB again: dashboards repeat their queries. Each entry is valid while the data
/// version of its metric (<see cref="DataVersions"/>) stays what it was when its read started; the
/// writer moves it before acknowledging points, and archive and retention move every version, so
/// no entry is served after a change it does not contain. Memory is bounded by the arrays' bytes
/// against <see cref="PromQLOptions.SampleCacheBytes"/>, least recently used first; a series above
/// an eighth of the budget is not kept. The arrays are shared with the queries that use them:
/// nobody writes to them once they are stored.
/// </summary>
[DebuggerDisplay("{Count} series, {SizeBytes} of {_budget} bytes")]
public sealed class SeriesSampleCache
{
    private const int MaxShareOfBudget = 8;

    /// <summary>Dictionary, list node and entry, roughly.</summary>
    private const int EntryOverheadBytes = 160;

    private readonly DataVersions _versions;
    private readonly QueryMetrics _metrics;
    private readonly long _budget;
    private readonly Lock _lock = new();
    private readonly Dictionary<int, LinkedListNode<Entry>> _entries = [];

    /// <summary>Most recently used first.</summary>
    private readonly LinkedList<Entry> _recency = new();
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
    /// The version to store samples under; read before the store is, so a change that lands while
    /// the read runs leaves them stored under a version that is already old.
    /// </summary>
    public long VersionOf(int metricId) => _versions.Current(metricId);

    /// <summary>
    /// Looks up each series for the range [<paramref name="fromMicros"/>, <paramref name="toMicros"/>)
    /// at <paramref name="version"/>: <paramref name="found"/>[i] is the cached samples of
    /// <paramref name="series"/>[i], or null on a miss.
    /// </summary>
    /// <returns>How many were found.</returns>
    public int Find(IReadOnlyList<SeriesEntry> series, long version, long fromMicros, long toMicros, CachedSamples?[] found)
    {
        ArgumentNullException.ThrowIfNull(series);
        ArgumentNullException.ThrowIfNull(found);
        if (!Enabled)
        {
            return 0;
        }

        var hits = 0;
        lock (_lock)
        {
            for (var i = 0; i < series.Count; i++)
            {
                found[i] = null;
                if (!_entries.TryGetValue(series[i].Id, out var node))
                {
                    continue;
                }

                var entry = node.Value;
                if (entry.Version != version)
                {
                    // Its data changed: it can never be served again.
                    Remove(node);
                    continue;
                }

                if (entry.FromMicros <= fromMicros && entry.ToMicros >= toMicros)
                {
                    _recency.Remove(node);
                    _recency.AddFirst(node);
                    found[i] = entry.Samples;
                    hits++;
                }
            }
        }

        _metrics.SampleCacheHits.Add(hits);
        _metrics.SampleCacheMisses.Add(series.Count - hits);
        return hits;
    }

    /// <summary>Keeps the samples of <paramref name="series"/> over [from, to), read from data at <paramref name="version"/>.</summary>
    public void Add(SeriesEntry series, long version, long fromMicros, long toMicros, CachedSamples samples)
    {
        ArgumentNullException.ThrowIfNull(series);
        ArgumentNullException.ThrowIfNull(samples);
        if (!Enabled || _versions.Current(series.MetricId) != version)
        {
            return;
        }

        var bytes = samples.SizeBytes + EntryOverheadBytes;
        if (bytes > _budget / MaxShareOfBudget)
        {
            return;
        }

        var evicted = 0;
        lock (_lock)
        {
            if (_entries.TryGetValue(series.Id, out var existing))
            {
                var old = existing.Value;
                if (old.Version > version || (old.Version == version && old.FromMicros <= fromMicros && old.ToMicros >= toMicros))
                {
                    // What is kept is newer, or already covers this range.
                    return;
                }

                Remove(existing);
            }

            while (_size + bytes > _budget && _recency.Last is { } oldest)
            {
                Remove(oldest);
                evicted++;
            }

            var node = _recency.AddFirst(new Entry(series.Id, version, fromMicros, toMicros, samples, bytes));
            _entries[series.Id] = node;
            Interlocked.Add(ref _size, bytes);
        }

        if (evicted > 0)
        {
            _metrics.SampleCacheEvictions.Add(evicted);
        }
    }

    private void Remove(LinkedListNode<Entry> node)
    {
        _recency.Remove(node);
        _entries.Remove(node.Value.SeriesId);
        Interlocked.Add(ref _size, -node.Value.Bytes);
    }

    private sealed record Entry(int SeriesId, long Version, long FromMicros, long ToMicros, CachedSamples Samples, long Bytes);
}

/// <summary>One series' samples in time order (Unix milliseconds), the first <see cref="Count"/> entries of the arrays.</summary>
public sealed class CachedSamples
{
    public CachedSamples(long[] timestampsMs, double[] values, int count)
    {
        ArgumentNullException.ThrowIfNull(timestampsMs);
        ArgumentNullException.ThrowIfNull(values);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, Math.Min(timestampsMs.Length, values.Length));
        TimestampsMs = timestampsMs;
        Values = values;
        Count = count;
    }

    /// <summary>No sample in the range read.</summary>
    public static CachedSamples Empty { get; } = new([], [], 0);

    private int[]? _counterResets;

    public long[] TimestampsMs { get; }

    public double[] Values { get; }

    public int Count { get; }

    /// <summary>The arrays, and room for <see cref="CounterResets"/> at its largest.</summary>
    public long SizeBytes => (((long)TimestampsMs.Length + Values.Length) * sizeof(long)) + ((long)Count * sizeof(int));

    /// <summary>
    /// Indexes of the samples lower than the one before them, found on first use and then kept:
    /// every rate, increase and delta over these samples needs them.
    /// </summary>
    public int[] CounterResets => Volatile.Read(ref _counterResets) ?? SetResets(CounterResetIndex.Find(Values, 0, Count));

    private int[] SetResets(int[] resets)
    {
        // Two queries finding them at once find the same indexes; either array will do.
        Interlocked.CompareExchange(ref _counterResets, resets, null);
        return _counterResets;
    }

    /// <summary>The samples at [<paramref name="minMs"/>, <paramref name="maxMs"/>], as a series with <paramref name="labels"/>.</summary>
    public PromSeries? Slice(PromLabels labels, long minMs, long maxMs)
    {
        var start = LowerBound(minMs);
        var end = maxMs == long.MaxValue ? Count : LowerBound(maxMs + 1);
        return end > start ? new PromSeries(labels, this, start, end) : null;
    }

    private int LowerBound(long ms)
    {
        int lo = 0, hi = Count;
        while (lo < hi)
        {
            var middle = (int)((uint)(lo + hi) >> 1);
            if (TimestampsMs[middle] < ms)
            {
                lo = middle + 1;
            }
            else
            {
                hi = middle;
            }
        }

        return lo;
    }
}
