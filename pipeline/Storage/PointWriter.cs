using System.Buffers;
using System.Diagnostics;
using DuckDB.NET.Data;
using FunctionsObservability.Pipeline.Live;
using FunctionsObservability.Pipeline.Storage.Log;
using Microsoft.Extensions.Logging;

namespace FunctionsObservability.Pipeline.Storage;

/// <summary>
/// The only code that writes to the database. A group commit is durable once the point log has
/// synced it (<see cref="PointLog"/>); its rows then wait in the in-memory head
/// (<see cref="HeadTables"/>), where queries already read them, until <see cref="Compact"/> applies
/// them to the file in one sorted chunk. Callers serialise through <see cref="Gate"/>, so the
/// single-writer rule holds for ingest, compaction and maintenance alike.
/// </summary>
public sealed partial class PointWriter : IDisposable
{
    private readonly DuckDBConnection _connection;
    private readonly MetricsDatabase _database;
    private readonly StorageOptions _options;
    private readonly ILogger<PointWriter> _logger;
    private readonly StoreDamage _damage;
    private readonly DataVersions _versions;
    private readonly ICommittedPointsObserver[] _observers;
    private readonly SeriesCatalog _catalog;
    private readonly LiveTail _tail;
    private readonly PendingKeys _pendingKeys = new();
    private ArrayBufferWriter<byte> _record = new(64 * 1024);
    private readonly WriterFailpoint _failpoint = WriterFailpoint.FromEnvironment();
    private readonly SemaphoreSlim _applyLock = new(1, 1);
    private readonly SemaphoreSlim _applyRequests = new(0, 1);
    private DuckDBConnection? _applyConnection;
    private PointLog _log = null!;
    private long _lastSequence;
    private long _appliedSequence;
    private long _purgedThrough;
    private long _recentRows;
    private long _lastWriteTimestamp;
    private long _lastApplyTimestamp;
    private long _fullSinceTicks;

    public PointWriter(
        MetricsDatabase database, SeriesCatalog catalog, StoreDamage damage, DataVersions versions, LiveTail tail, ILogger<PointWriter> logger,
        IEnumerable<ICommittedPointsObserver>? observers = null)
    {
        ArgumentNullException.ThrowIfNull(database);
        _observers = [.. observers ?? []];
        _database = database;
        _catalog = catalog;
        _damage = damage;
        _versions = versions;
        _tail = tail;
        _options = database.Options;
        _logger = logger;
        _connection = database.OpenConnection();
        try
        {
            Recover();
            tail.Start(_lastSequence);
        }
        catch
        {
            _connection.Dispose();
            throw;
        }
    }

    /// <summary>Held by whoever is writing; the ingest writer and the compactor both take it.</summary>
    public SemaphoreSlim Gate { get; } = new(1, 1);

    /// <summary>A separate connection for reads that must not wait for the gate.</summary>
    public DuckDBConnection OpenReaderConnection() => _database.OpenConnection();

    /// <summary>Acknowledged rows not yet applied to the database file.</summary>
    public long RecentRows => Interlocked.Read(ref _recentRows);

    public TimeSpan SinceLastWrite => Stopwatch.GetElapsedTime(Interlocked.Read(ref _lastWriteTimestamp));

    /// <summary>
    /// Makes the given chunks, and any series they introduce, durable as one group commit: all of
    /// it or none of it. On failure the series stay marked unpersisted for a later batch.
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
        // A key committed before (in the file, or still waiting in the head) means the redelivery
        // after a crash between commit and acknowledgement writes nothing.
        var duplicates = DedupeLedger.FindDuplicates(_connection, all, _pendingKeys);
        var chunks = duplicates.Count == 0 ? all : [.. all.Where((_, i) => !duplicates.Contains(i))];
        if (chunks.Count == 0)
        {
            return duplicates;
        }

        var newSeries = UnpersistedSeries(chunks);
        var sequence = _lastSequence + 1;
        var committedAt = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() * 1000;
        PointLogRecord.Encode(_record, sequence, newSeries, chunks, committedAt);
        var recordStart = _log.Position;
        _log.Append(_record.WrittenSpan);
        _failpoint.Reach(WriterStage.LogAppended);
        try
        {
            PersistSeries(newSeries);
            AppendToHead(sequence, chunks);
        }
        catch
        {
            // Not acknowledged, so it must not come back at replay either.
            _log.Retract(recordStart);
            throw;
        }

        _lastSequence = sequence;
        long rows = 0;
        foreach (var chunk in chunks)
        {
            if (chunk.DedupeKey is { } key)
            {
                _pendingKeys.Add(new LoggedKey(key, chunk.Batch.Count, committedAt), sequence);
            }

            CountPoints(chunk);
            rows += chunk.Batch.Count;
            BumpVersions(chunk.Series);
        }

        foreach (var observer in _observers)
        {
            observer.Committed(chunks);
        }

        Interlocked.Add(ref _recentRows, rows);
        Interlocked.Exchange(ref _lastWriteTimestamp, Stopwatch.GetTimestamp());
        _tail.Publish(sequence, chunks);
        if (_record.Capacity > MaxRetainedRecordBytes)
        {
            // One huge group must not pin its buffer for the life of the process.
            _record = new ArrayBufferWriter<byte>(64 * 1024);
        }

        return duplicates;
    }

    /// <summary>The encoding buffer is kept between commits up to this size.</summary>
    private const int MaxRetainedRecordBytes = 4 * 1024 * 1024;

    private void BumpVersions(SeriesEntry?[] series)
    {
        var lastMetric = -1;
        foreach (var entry in series)
        {
            if (entry is not null && entry.MetricId != lastMetric)
            {
                lastMetric = entry.MetricId;
                _versions.Bump(lastMetric);
            }
        }
    }

    public void Dispose()
    {
        // Shutdown leaves the file complete and the log empty; if this fails the log still holds
        // everything, and the next start replays it.
        if (_damage.Reason is null && _log is not null)
        {
            try
            {
                Gate.Wait();
                Compact();
            }
            catch (Exception exception)
            {
                LogShutdownApplyFailed(_logger, exception);
            }
        }

        _log?.Dispose();
        _applyConnection?.Dispose();
        _connection.Dispose();
        Gate.Dispose();
        _applyLock.Dispose();
        _applyRequests.Dispose();
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

    private static List<SeriesEntry> UnpersistedSeries(IReadOnlyList<PointChunk> chunks)
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

        return created ?? [];
    }

    /// <summary>New series go to the file at once (rare, and queries join on them); the log holds them too, for a crash in between.</summary>
    private void PersistSeries(IReadOnlyList<SeriesEntry> created)
    {
        if (created.Count == 0)
        {
            return;
        }

        using var transaction = _connection.BeginTransaction();
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

        transaction.Commit();
        foreach (var entry in created)
        {
            entry.Persisted = true;
        }
    }

    [LoggerMessage(EventId = LogEvents.RecentRowsClustered, Level = LogLevel.Information, Message = "Applied {Rows} rows to the file in {ElapsedMs:F0} ms")]
    private static partial void LogCompacted(ILogger logger, long rows, double elapsedMs);

    [LoggerMessage(EventId = LogEvents.ShutdownApplyFailed, Level = LogLevel.Warning, Message = "Applying the head to the file at shutdown failed; the point log keeps the rows and the next start replays them")]
    private static partial void LogShutdownApplyFailed(ILogger logger, Exception exception);
}
