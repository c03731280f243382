using System.Collections.Concurrent;
using DuckDB.NET.Data;
using FunctionsObservability.Pipeline.Model;

namespace FunctionsObservability.Pipeline.Storage;

/// <summary>
/// The in-memory index of every series: by identity for ingest, by id for query results, and by
/// metric for filters. It is bounded by <see cref="StorageOptions.MaxSeries"/>. A series enters
/// here before its row is committed; the writer persists it in the same transaction as its first
/// points, so the file never holds points of an unknown series.
/// </summary>
public sealed class SeriesCatalog
{
    private readonly ConcurrentDictionary<string, SeriesEntry> _byKey = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, MetricSeriesList> _byMetric = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, MetricIdAllocator> _allocators = new(StringComparer.Ordinal);
    private readonly Lock _idLock = new();
    private readonly int _maxSeries;
    private SeriesEntry?[] _byId = new SeriesEntry?[1024];
    private int _lastBlock;
    private int _nextMetricId;
    private int _count;

    public SeriesCatalog(int maxSeries)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxSeries);
        _maxSeries = maxSeries;
    }

    public int Count => Volatile.Read(ref _count);

    public int MaxSeries => _maxSeries;

    public ICollection<string> Metrics => _byMetric.Keys;

    /// <summary>Finds or registers a series; false when registering would exceed the limit.</summary>
    public bool TryResolve(SeriesDescriptor descriptor, out SeriesEntry entry)
    {
        ArgumentNullException.ThrowIfNull(descriptor);
        var key = descriptor.CanonicalKey;
        if (_byKey.TryGetValue(key, out entry!))
        {
            return true;
        }

        if (Interlocked.Increment(ref _count) > _maxSeries)
        {
            Interlocked.Decrement(ref _count);
            entry = null!;
            return false;
        }

        var allocator = _allocators.GetOrAdd(descriptor.Metric, _ => new MetricIdAllocator(Interlocked.Increment(ref _nextMetricId)));
        var created = new SeriesEntry(allocator.NextId(ref _lastBlock), allocator.MetricId, descriptor, persisted: false);
        entry = _byKey.GetOrAdd(key, created);
        if (!ReferenceEquals(entry, created))
        {
            // Another request registered it first; ours is discarded and its id left unused.
            Interlocked.Decrement(ref _count);
            return true;
        }

        Register(created);
        return true;
    }

    public SeriesEntry? Get(int id)
    {
        var byId = Volatile.Read(ref _byId);
        return (uint)id < (uint)byId.Length ? byId[id] : null;
    }

    /// <summary>A snapshot of the series of one metric; empty when the metric is unknown.</summary>
    public IReadOnlyList<SeriesEntry> ForMetric(string metric) =>
        _byMetric.TryGetValue(metric, out var list) ? list.Snapshot() : [];

    /// <summary>
    /// Registers a series the point log recorded but the file does not hold (a crash came between
    /// logging a group and writing its new series): with its logged id, as <see cref="Load"/> does.
    /// </summary>
    internal SeriesEntry Restore(int id, int metricId, SeriesDescriptor descriptor)
    {
        _nextMetricId = Math.Max(_nextMetricId, metricId);
        _allocators.GetOrAdd(descriptor.Metric, _ => new MetricIdAllocator(metricId)).Continue(id);
        var entry = new SeriesEntry(id, metricId, descriptor, persisted: false);
        if (!_byKey.TryAdd(descriptor.CanonicalKey, entry))
        {
            return _byKey[descriptor.CanonicalKey];
        }

        _count++;
        _lastBlock = Math.Max(_lastBlock, MetricIdAllocator.BlockOf(id));
        Register(entry);
        return entry;
    }

    /// <summary>Loads what is committed in the file; called once at start-up, before any ingest.</summary>
    public void Load(DuckDBConnection connection)
    {
        ArgumentNullException.ThrowIfNull(connection);
        var tags = new Dictionary<int, List<KeyValuePair<string, string>>>();
        using (var command = connection.CreateCommand())
        {
            command.CommandText = "SELECT series_id, tag_key, tag_value FROM series_tags";
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                var id = reader.GetInt32(0);
                if (!tags.TryGetValue(id, out var list))
                {
                    tags[id] = list = [];
                }

                list.Add(new(reader.GetString(1), reader.GetString(2)));
            }
        }

        var counts = ReadPointFigures(connection, transaction: null, seriesIds: null);

        using (var command = connection.CreateCommand())
        {
            command.CommandText = "SELECT series_id, metric, metric_id FROM series";
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                var id = reader.GetInt32(0);
                var descriptor = SeriesDescriptor.Create(reader.GetString(1), tags.TryGetValue(id, out var list) ? list : []);
                var metricId = reader.GetInt32(2);
                _nextMetricId = Math.Max(_nextMetricId, metricId);
                _allocators.GetOrAdd(descriptor.Metric, _ => new MetricIdAllocator(metricId)).Continue(id);
                var entry = new SeriesEntry(id, metricId, descriptor, persisted: true);
                if (counts.TryGetValue(id, out var stored))
                {
                    entry.AddPoints(stored.Count, stored.Min, stored.Max);
                }
                if (_byKey.TryAdd(descriptor.CanonicalKey, entry))
                {
                    _count++;
                    _lastBlock = Math.Max(_lastBlock, MetricIdAllocator.BlockOf(id));
                    Register(entry);
                }
            }
        }
    }

    /// <summary>
    /// Re-reads the point figures of the given series (hot rows plus committed archive files)
    /// after a retention run deleted some. Called with the writer's gate held, inside its transaction.
    /// </summary>
    public void Refresh(DuckDBConnection connection, DuckDBTransaction transaction, IReadOnlyCollection<int> seriesIds)
    {
        ArgumentNullException.ThrowIfNull(seriesIds);
        if (seriesIds.Count == 0)
        {
            return;
        }

        var figures = ReadPointFigures(connection, transaction, seriesIds);
        foreach (var id in seriesIds)
        {
            if (Get(id) is { } entry)
            {
                var (count, min, max) = figures.TryGetValue(id, out var found) ? found : (0, 0, 0);
                entry.ResetPoints(count, min, max);
            }
        }
    }

    /// <summary>Count and time bounds per series across the hot tables and the archive manifest.</summary>
    private static Dictionary<int, (long Count, long Min, long Max)> ReadPointFigures(DuckDBConnection connection, DuckDBTransaction? transaction, IReadOnlyCollection<int>? seriesIds)
    {
        var ids = seriesIds is null ? null : string.Join(',', seriesIds.Select(id => id.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        var hotFilter = ids is null ? "" : $" WHERE series_id IN ({ids})";
        var archiveFilter = ids is null ? "" : $" WHERE s.series_id IN ({ids})";
        var counts = new Dictionary<int, (long Count, long Min, long Max)>();
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = $"""
            SELECT series_id, CAST(sum(c) AS BIGINT), min(lo), max(hi) FROM (
                SELECT series_id, count(*) AS c, min(ts) AS lo, max(ts) AS hi FROM all_points{hotFilter} GROUP BY series_id
                UNION ALL
                SELECT s.series_id, s.rows, s.min_ts, s.max_ts FROM archive_series s
                JOIN archive_files f ON f.file_id = s.file_id AND NOT f.expiring{archiveFilter})
            GROUP BY series_id
            """;
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            counts[reader.GetInt32(0)] = (reader.GetInt64(1), reader.GetInt64(2), reader.GetInt64(3));
        }

        return counts;
    }

    private void Register(SeriesEntry entry)
    {
        lock (_idLock)
        {
            var byId = _byId;
            if (entry.Id >= byId.Length)
            {
                var grown = new SeriesEntry?[Math.Max(byId.Length * 2, entry.Id + 1)];
                byId.CopyTo(grown, 0);
                byId = grown;
            }

            byId[entry.Id] = entry;
            Volatile.Write(ref _byId, byId);
        }

        _byMetric.GetOrAdd(entry.Descriptor.Metric, static _ => new MetricSeriesList()).Add(entry);
    }

    /// <summary>
    /// Hands out series ids in blocks of consecutive ids per metric, so that sorting points by
    /// series id also groups them by metric, and one metric's series span few row groups.
    /// </summary>
    private sealed class MetricIdAllocator(int metricId)
    {
        private const int BlockSize = 256;
        private readonly Lock _lock = new();
        private int _next;
        private int _end;

        public int MetricId { get; } = metricId;

        public static int BlockOf(int id) => id / BlockSize;

        public int NextId(ref int lastBlock)
        {
            lock (_lock)
            {
                if (_next == _end)
                {
                    _next = Interlocked.Increment(ref lastBlock) * BlockSize;
                    _end = _next + BlockSize;
                }

                return _next++;
            }
        }

        /// <summary>After loading, new ids continue in the block of the highest loaded id.</summary>
        public void Continue(int loadedId)
        {
            lock (_lock)
            {
                if (loadedId + 1 > _next)
                {
                    _next = loadedId + 1;
                    _end = (BlockOf(loadedId) + 1) * BlockSize;
                }
            }
        }
    }

    private sealed class MetricSeriesList
    {
        private readonly List<SeriesEntry> _entries = [];
        private SeriesEntry[]? _snapshot;

        public void Add(SeriesEntry entry)
        {
            lock (_entries)
            {
                _entries.Add(entry);
                _snapshot = null;
            }
        }

        public SeriesEntry[] Snapshot()
        {
            lock (_entries)
            {
                return _snapshot ??= [.. _entries];
            }
        }
    }
}
