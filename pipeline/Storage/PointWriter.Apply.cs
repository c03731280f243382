using System.Diagnostics;
using System.Globalization;
using DuckDB.NET.Data;
using FunctionsObservability.Pipeline.Storage.Log;
using Microsoft.Extensions.Logging;

namespace FunctionsObservability.Pipeline.Storage;

/// <summary>Applying the head to the file, maintenance transactions, and recovery from the point log at start.</summary>
public sealed partial class PointWriter
{
    /// <summary>
    /// Applies every acknowledged row still in the head to the file: sorted by time slice, then
    /// series (series ids come in blocks per metric, so a metric's rows lie together too), with their
    /// minute rollup, their dedupe keys, and the log sequence they reach, in one transaction. Each
    /// value is written to the file once. Readers see the rows in the head before the commit and in
    /// the file after it, never both. The log then starts over.
    /// </summary>
    /// <remarks>Callers hold <see cref="Gate"/> (the ingest writer, the idle compactor, maintenance).</remarks>
    /// <returns>The rows applied.</returns>
    public long Compact() => Guarded(() => ApplyHead(restartLog: true));

    private long ApplyHead(bool restartLog)
    {
        PurgeApplied();
        var target = _lastSequence;
        var from = _appliedSequence;
        if (target == from)
        {
            return 0;
        }

        var started = Stopwatch.GetTimestamp();
        var culture = CultureInfo.InvariantCulture;
        var source = string.Create(culture, $"{HeadTables.Catalog}.{HeadTables.RowsTable} WHERE seq > {from} AND seq <= {target}");
        var applied = Interlocked.Read(ref _recentRows);
        using (var transaction = _connection.BeginTransaction())
        {
            using var command = _connection.CreateCommand();
            command.Transaction = transaction;
            foreach (var statement in ClusteredInsert.Statements(source, _options.CompactionBucketSeconds))
            {
                command.CommandText = statement;
                command.ExecuteNonQuery();
            }

            DedupeLedger.Record(_connection, _pendingKeys.Through(target));
            var horizon = (DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - (_options.DedupeWindowHours * 3_600_000L)) * 1000;
            command.CommandText = string.Create(culture, $"DELETE FROM ingest_dedupe WHERE committed_at < {horizon}; UPDATE wal_state SET applied_seq = {target};");
            command.ExecuteNonQuery();
            _failpoint.Reach(WriterStage.Applying);
            transaction.Commit();
        }

        _failpoint.Reach(WriterStage.Applied);

        _appliedSequence = target;
        _pendingKeys.RemoveThrough(target);
        Interlocked.Exchange(ref _recentRows, 0);
        Interlocked.Exchange(ref _lastApplyTimestamp, Stopwatch.GetTimestamp());
        if (restartLog)
        {
            RestartLog(target + 1);
        }

        LogCompacted(_logger, applied, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        return applied;
    }

    /// <summary>
    /// Deletes head rows an earlier apply moved to the file. Not at once: a reader whose snapshot of
    /// the file predates that apply still reads them from the head.
    /// </summary>
    private void PurgeApplied()
    {
        if (_purgedThrough >= _appliedSequence)
        {
            return;
        }

        using var command = _connection.CreateCommand();
        command.CommandText = string.Create(CultureInfo.InvariantCulture,
            $"DELETE FROM {HeadTables.Catalog}.{HeadTables.RowsTable} WHERE seq <= {_appliedSequence}");
        command.ExecuteNonQuery();
        _purgedThrough = _appliedSequence;
    }

    /// <summary>Frees the head's applied rows once writes have paused for a while (the compactor calls it, holding <see cref="Gate"/>).</summary>
    public void PurgeAppliedWhenIdle(TimeSpan after)
    {
        if (_purgedThrough < _appliedSequence && Stopwatch.GetElapsedTime(Interlocked.Read(ref _lastApplyTimestamp)) >= after)
        {
            Guarded(() =>
            {
                PurgeApplied();
                return 0;
            });
        }
    }

    /// <summary>Whether the head holds rows already applied to the file.</summary>
    public bool HasAppliedRowsInHead => _purgedThrough < _appliedSequence;

    private void RestartLog(long firstSequence)
    {
        try
        {
            _log.Restart(firstSequence);
        }
        catch (IOException exception)
        {
            // The old file stays and keeps growing; its records up to the applied sequence are skipped at replay.
            LogLogRestartFailed(_logger, exception);
        }
    }

    /// <summary>
    /// Runs archive or retention work in one transaction on the writer's connection, after applying
    /// the head, so the work sees every acknowledged row in the file and never interleaves with
    /// ingest. <paramref name="work"/> returns false to roll back. Callers hold <see cref="Gate"/>.
    /// </summary>
    public T RunMaintenance<T>(Func<DuckDBConnection, DuckDBTransaction, (bool Commit, T Result)> work)
    {
        ArgumentNullException.ThrowIfNull(work);
        Compact();
        using var transaction = _connection.BeginTransaction();
        var (commit, result) = work(_connection, transaction);
        if (!commit)
        {
            transaction.Rollback();
            return result;
        }

        transaction.Commit();
        _versions.BumpAll();
        return result;
    }

    /// <summary>
    /// Replays what the log holds beyond the file's applied sequence: series first, then the rows
    /// into the head with their dedupe keys, and applies them, so the store starts with the file
    /// complete and an empty log.
    /// </summary>
    private void Recover()
    {
        using (var command = _connection.CreateCommand())
        {
            command.CommandText = "SELECT applied_seq FROM wal_state";
            _appliedSequence = Convert.ToInt64(command.ExecuteScalar(), CultureInfo.InvariantCulture);
        }

        _purgedThrough = _appliedSequence;
        _lastSequence = _appliedSequence;
        var directory = PointLog.DirectoryFor(_options.DatabasePath);
        var replay = new PointLogReplay(_catalog, _logger);
        foreach (var record in replay.Read(directory, _appliedSequence))
        {
            PersistSeries(replay.Register(record));
            using (var transaction = _connection.BeginTransaction())
            {
                using (var appender = _connection.CreateAppender(HeadTables.Catalog, "main", HeadTables.RowsTable))
                {
                    for (var i = 0; i < record.SeriesIds.Length; i++)
                    {
                        appender.CreateRow().AppendValue(record.Sequence).AppendValue(record.SeriesIds[i])
                            .AppendValue(record.Timestamps[i]).AppendValue(record.Values[i]).EndRow();
                    }
                }

                transaction.Commit();
            }

            foreach (var key in record.Keys)
            {
                _pendingKeys.Add(key, record.Sequence);
            }

            Interlocked.Add(ref _recentRows, record.SeriesIds.Length);
            _lastSequence = record.Sequence;
        }

        if (_lastSequence > _appliedSequence)
        {
            LogReplayed(_logger, _lastSequence - _appliedSequence, RecentRows, directory);
            ApplyHead(restartLog: false);
            PurgeApplied();
        }

        // Everything the old files held is in the file now.
        _log = PointLog.StartNew(directory, _lastSequence + 1);
    }

    [LoggerMessage(EventId = LogEvents.PointLogRestartFailed, Level = LogLevel.Warning, Message = "Starting a new point log file failed; the current one keeps growing, and replay skips what is applied")]
    private static partial void LogLogRestartFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = LogEvents.PointLogReplayed, Level = LogLevel.Information, Message = "Replayed {Records} group commits ({Rows} rows) from the point log in {Directory}")]
    private static partial void LogReplayed(ILogger logger, long records, long rows, string directory);
}
