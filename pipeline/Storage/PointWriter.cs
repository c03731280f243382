using System.Diagnostics;
using DuckDB.NET.Data;
using FunctionsObservability.Pipeline.Model;
using Microsoft.Extensions.Logging;

namespace FunctionsObservability.Pipeline.Storage;

/// <summary>
/// The only code that writes to the database. Each call commits one transaction; callers
/// serialise through <see cref="Gate"/>, so the single-writer rule holds even for maintenance.
/// </summary>
public sealed partial class PointWriter : IDisposable
{
    private readonly DuckDBConnection _connection;
    private readonly MetricsDatabase _database;
    private readonly StorageOptions _options;
    private readonly ILogger<PointWriter> _logger;
    private readonly StoreDamage _damage;
    private readonly DataVersions _versions;
    private long _recentRows;
    private long _lastWriteTimestamp;
    private long _fullSinceTicks;

    public PointWriter(MetricsDatabase database, StoreDamage damage, DataVersions versions, ILogger<PointWriter> logger)
    {
        ArgumentNullException.ThrowIfNull(database);
        _database = database;
        _damage = damage;
        _versions = versions;
        _options = database.Options;
        _logger = logger;
        _connection = database.OpenConnection();
        using var command = _connection.CreateCommand();
        command.CommandText = "SELECT count(*) FROM points_recent";
        _recentRows = Convert.ToInt64(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>Held by whoever is writing; the ingest writer and the compactor both take it.</summary>
    public SemaphoreSlim Gate { get; } = new(1, 1);

    /// <summary>A separate connection for reads that must not wait for the gate.</summary>
    public DuckDBConnection OpenReaderConnection() => _database.OpenConnection();

    public long RecentRows => Interlocked.Read(ref _recentRows);

    public TimeSpan SinceLastWrite => Stopwatch.GetElapsedTime(Interlocked.Read(ref _lastWriteTimestamp));

    /// <summary>
    /// Appends the given chunks and any series they introduce in one transaction. Either all of it
    /// is committed or none of it; on failure the series stay marked unpersisted for a later batch.
    /// </summary>
    /// <returns>
    /// The indexes of chunks whose dedupe key was already committed (or repeated in this batch):
    /// those were not written again.
    /// </returns>
    public IReadOnlySet<int> Write(IReadOnlyList<PointChunk> all)
    {
        ArgumentNullException.ThrowIfNull(all);
        return Guarded(() => WriteCore(all));
    }

    private IReadOnlySet<int> WriteCore(IReadOnlyList<PointChunk> all)
    {
        using var transaction = _connection.BeginTransaction();

        // The dedupe records commit in the same transaction as the points, so a redelivery after
        // a crash between commit and acknowledgement finds its key and writes nothing.
        var duplicates = DedupeLedger.FindDuplicates(_connection, all);
        var chunks = duplicates.Count == 0 ? all : [.. all.Where((_, i) => !duplicates.Contains(i))];
        var newSeries = AppendNewSeries(chunks);
        using (var appender = _connection.CreateAppender("points_recent"))
        {
            foreach (var chunk in chunks)
            {
                var indexes = chunk.Batch.SeriesIndexes;
                var timestamps = chunk.Batch.Timestamps;
                var values = chunk.Batch.Values;
                for (var i = 0; i < indexes.Length; i++)
                {
                    appender.CreateRow()
                        .AppendValue(chunk.Series[indexes[i]]!.Id)
                        .AppendValue(timestamps[i])
                        .AppendValue(values[i])
                        .EndRow();
                }
            }
        }

        DedupeLedger.Record(_connection, chunks, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() * 1000);
        transaction.Commit();

        long rows = 0;
        foreach (var entry in newSeries)
        {
            entry.Persisted = true;
        }

        foreach (var chunk in chunks)
        {
            CountPoints(chunk);
            rows += chunk.Batch.Count;
            var lastMetric = -1;
            foreach (var entry in chunk.Series)
            {
                if (entry is not null && entry.MetricId != lastMetric)
                {
                    lastMetric = entry.MetricId;
                    _versions.Bump(lastMetric);
                }
            }
        }

        Interlocked.Add(ref _recentRows, rows);
        Interlocked.Exchange(ref _lastWriteTimestamp, Stopwatch.GetTimestamp());
        return duplicates;
    }

    /// <summary>
    /// Moves rows in arrival order into the clustered table, sorted by time slice, then series,
    /// so that time-range, one-metric and one-series reads all prune by zone maps: series ids
    /// are handed out in blocks per metric (<see cref="SeriesCatalog"/>), so sorting by id also
    /// keeps a metric's rows together. One integer key sorts in about two thirds of the time of
    /// a join on the metric plus two keys; no query depends on the order within a series. Readers see either the
    /// rows before or after the move, never both, because it is one transaction.
    /// </summary>
    /// <remarks>Uses the writer's connection: callers hold <see cref="Gate"/> (the ingest writer and the idle compactor do).</remarks>
    public long Compact() => Guarded(CompactCore);

    private long CompactCore()
    {
        var started = Stopwatch.GetTimestamp();
        var bucketMicros = _options.CompactionBucketSeconds * 1_000_000L;
        using var transaction = _connection.BeginTransaction();
        long moved;
        using (var command = _connection.CreateCommand())
        {
            command.Transaction = transaction;
            command.CommandText = $"""
                INSERT INTO points_1m
                SELECT * FROM (
                    SELECT series_id, ts // 60000000 AS minute, sum(value), count(*), min(value), max(value)
                    FROM points_recent GROUP BY 1, 2)
                ORDER BY (minute // {Math.Max(1, bucketMicros / 60_000_000)}) * 2147483648 + series_id
                """;
            command.ExecuteNonQuery();
            command.CommandText = $"""
                INSERT INTO points
                SELECT series_id, ts, value FROM points_recent
                ORDER BY (ts // {bucketMicros}) * 2147483648 + series_id
                """;
            moved = command.ExecuteNonQuery();
            command.CommandText = "DELETE FROM points_recent";
            command.ExecuteNonQuery();
            var horizon = (DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - (_options.DedupeWindowHours * 3_600_000L)) * 1000;
            command.CommandText = $"DELETE FROM ingest_dedupe WHERE committed_at < {horizon}";
            command.ExecuteNonQuery();
        }

        transaction.Commit();
        Interlocked.Add(ref _recentRows, -moved);
        LogCompacted(_logger, moved, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        return moved;
    }

    /// <summary>
    /// Runs archive or retention work in one transaction on the writer's connection, so moving
    /// rows out of the hot tables never interleaves with ingest. <paramref name="work"/> returns
    /// false to roll back. Callers hold <see cref="Gate"/>.
    /// </summary>
    public T RunMaintenance<T>(Func<DuckDBConnection, DuckDBTransaction, (bool Commit, T Result)> work)
    {
        ArgumentNullException.ThrowIfNull(work);
        using var transaction = _connection.BeginTransaction();
        var (commit, result) = work(_connection, transaction);
        if (!commit)
        {
            transaction.Rollback();
            return result;
        }

        long recent;
        using (var command = _connection.CreateCommand())
        {
            command.Transaction = transaction;
            command.CommandText = "SELECT count(*) FROM points_recent";
            recent = Convert.ToInt64(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
        }

        transaction.Commit();
        _versions.BumpAll();
        Interlocked.Exchange(ref _recentRows, recent);
        return result;
    }

    public void Dispose()
    {
        _connection.Dispose();
        Gate.Dispose();
    }

    private static void CountPoints(PointChunk chunk)
    {
        // Totals per distinct series of the chunk keep the shared counters' contention low.
        var series = chunk.Series.Length;
        var counts = new int[series];
        var min = new long[series];
        var max = new long[series];
        var indexes = chunk.Batch.SeriesIndexes;
        var timestamps = chunk.Batch.Timestamps;
        for (var i = 0; i < indexes.Length; i++)
        {
            var index = indexes[i];
            var timestamp = timestamps[i];
            if (counts[index]++ == 0)
            {
                min[index] = timestamp;
                max[index] = timestamp;
            }
            else
            {
                min[index] = Math.Min(min[index], timestamp);
                max[index] = Math.Max(max[index], timestamp);
            }
        }

        for (var i = 0; i < series; i++)
        {
            if (counts[i] > 0)
            {
                chunk.Series[i]!.AddPoints(counts[i], min[i], max[i]);
            }
        }
    }

    private List<SeriesEntry> AppendNewSeries(IReadOnlyList<PointChunk> chunks)
    {
        List<SeriesEntry>? created = null;
        HashSet<int>? seen = null;
        foreach (var chunk in chunks)
        {
            foreach (var entry in chunk.Series)
            {
                if (entry is { Persisted: false } && (seen ??= []).Add(entry.Id))
                {
                    (created ??= []).Add(entry);
                }
            }
        }

        if (created is null)
        {
            return [];
        }

        using (var appender = _connection.CreateAppender("series"))
        {
            foreach (var entry in created)
            {
                appender.CreateRow().AppendValue(entry.Id).AppendValue(entry.MetricId).AppendValue(entry.Descriptor.Metric).EndRow();
            }
        }

        using (var appender = _connection.CreateAppender("series_tags"))
        {
            foreach (var entry in created)
            {
                foreach (var (key, value) in entry.Descriptor.Tags)
                {
                    appender.CreateRow().AppendValue(entry.Id).AppendValue(key).AppendValue(value).EndRow();
                }
            }
        }

        return created;
    }

    [LoggerMessage(EventId = LogEvents.RecentRowsClustered, Level = LogLevel.Information, Message = "Clustered {Rows} rows in {ElapsedMs:F0} ms")]
    private static partial void LogCompacted(ILogger logger, long rows, double elapsedMs);
}
