using System.Diagnostics;
using System.Globalization;
using DuckDB.NET.Data;
using FunctionsObservability.Pipeline.Storage.Log;
using Microsoft.Extensions.Logging;

namespace FunctionsObservability.Pipeline.Storage;

/// <summary>Applying the head to the file, in the background or in place, and maintenance transactions.</summary>
public sealed partial class PointWriter
{
    /// <summary>
    /// Applies every acknowledged row still in the head to the file: sorted by time slice, then
    /// series (series ids come in blocks per metric, so a metric's rows lie together too), with their
    /// minute rollup, their dedupe keys, and the log sequence they reach, in one transaction. Each
    /// value is written to the file once. Readers see the rows in the head before the commit and in
    /// the file after it, never both. The log then starts over.
    /// </summary>
    /// <remarks>Callers hold <see cref="Gate"/> (the ingest writer when the head is far past its threshold, maintenance, shutdown).</remarks>
    /// <returns>The rows applied.</returns>
    public long Compact()
    {
        // An apply running in the background finishes first; it never waits for the gate meanwhile.
        _applyLock.Wait();
        try
        {
            return Guarded(() => ApplyHead(restartLog: true));
        }
        finally
        {
            _applyLock.Release();
        }
    }

    /// <summary>
    /// The same apply without holding the writer up: the gate is held only to choose the rows and
    /// seal the log file that holds them; the insert runs on a connection of its own while group
    /// commits go on into the head and a new log file. The sealed file is deleted once the file
    /// holds its rows; until then a crash replays it.
    /// </summary>
    /// <returns>The rows applied.</returns>
    public async Task<long> ApplyInBackgroundAsync(CancellationToken cancellationToken)
    {
        await Gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        long from, target, rows;
        List<LoggedKey> keys;
        try
        {
            await _applyLock.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                Guarded(() =>
                {
                    PurgeApplied();
                    return 0;
                });
                target = _lastSequence;
                from = _appliedSequence;
                rows = RecentRows;
                keys = _pendingKeys.Through(target);
                if (target == from)
                {
                    _applyLock.Release();
                    return 0;
                }

                _log.Seal(target + 1);
            }
            catch
            {
                _applyLock.Release();
                throw;
            }
        }
        finally
        {
            Gate.Release();
        }

        try
        {
            _applyConnection ??= _database.OpenConnection();
            var connection = _applyConnection;
            Guarded(() =>
            {
                ApplyRange(connection, from, target, keys, rows);
                return 0;
            });
            FinishApply(target, rows);
            try
            {
                _log.DeleteSealed();
            }
            catch (IOException exception)
            {
                LogLogRestartFailed(_logger, exception);
            }

            return rows;
        }
        finally
        {
            _applyLock.Release();
        }
    }

    /// <summary>Asks the background applier for an apply now (the head reached its threshold).</summary>
    public void RequestApply()
    {
        if (_applyRequests.CurrentCount == 0)
        {
            try
            {
                _applyRequests.Release();
            }
            catch (SemaphoreFullException)
            {
                // Requested already.
            }
        }
    }

    /// <summary>True when an apply was requested within <paramref name="timeout"/>.</summary>
    public Task<bool> WaitForApplyRequestAsync(TimeSpan timeout, CancellationToken cancellationToken) =>
        _applyRequests.WaitAsync(timeout, cancellationToken);

    private long ApplyHead(bool restartLog)
    {
        PurgeApplied();
        var target = _lastSequence;
        var from = _appliedSequence;
        if (target == from)
        {
            return 0;
        }

        var rows = RecentRows;
        ApplyRange(_connection, from, target, _pendingKeys.Through(target), rows);
        FinishApply(target, rows);
        if (restartLog)
        {
            RestartLog(target + 1);
        }

        return rows;
    }

    /// <summary>One transaction of the file: the rows of sequences (from, target], sorted, their rollup and keys, and the applied sequence.</summary>
    private void ApplyRange(DuckDBConnection connection, long from, long target, List<LoggedKey> keys, long rows)
    {
        var started = Stopwatch.GetTimestamp();
        var culture = CultureInfo.InvariantCulture;
        var source = string.Create(culture, $"{HeadTables.Catalog}.{HeadTables.RowsTable} WHERE seq > {from} AND seq <= {target}");
        using (var transaction = connection.BeginTransaction())
        {
            using var command = connection.CreateCommand();
            command.Transaction = transaction;
            foreach (var statement in ClusteredInsert.Statements(source, _options.CompactionBucketSeconds))
            {
                command.CommandText = statement;
                command.ExecuteNonQuery();
            }

            DedupeLedger.Record(connection, keys);
            var horizon = (DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - (_options.DedupeWindowHours * 3_600_000L)) * 1000;
            command.CommandText = string.Create(culture, $"DELETE FROM ingest_dedupe WHERE committed_at < {horizon}; UPDATE wal_state SET applied_seq = {target};");
            command.ExecuteNonQuery();
            _failpoint.Reach(WriterStage.Applying);
            transaction.Commit();
        }

        _failpoint.Reach(WriterStage.Applied);
        LogCompacted(_logger, rows, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
    }

    private void FinishApply(long target, long rows)
    {
        // The time first: an idle purge must not take the rows this apply just moved.
        var now = Stopwatch.GetTimestamp();
        Interlocked.Exchange(ref _lastApplyTimestamp, now);
        _appliedGenerations.Enqueue((target, now));
        Volatile.Write(ref _appliedSequence, target);
        _pendingKeys.RemoveThrough(target);
        Interlocked.Add(ref _recentRows, -rows);
    }

    /// <summary>
    /// Deletes head rows an earlier apply moved to the file. Not at once: a reader whose snapshot of
    /// the file predates that apply still reads them from the head.
    /// </summary>
    private void PurgeApplied()
    {
        // Only generations applied at least PurgeDelay ago: a reader takes its snapshots of the
        // file and of the head one after the other, and the next apply can start (and purge) the
        // moment the last one commits. A reader whose file snapshot predates that commit must
        // still find the rows in its head snapshot.
        var through = _purgedThrough;
        while (_appliedGenerations.TryPeek(out var generation) && Stopwatch.GetElapsedTime(generation.AppliedAt) >= PurgeDelay)
        {
            through = generation.Sequence;
            _appliedGenerations.TryDequeue(out _);
        }

        if (through <= _purgedThrough)
        {
            return;
        }

        using var command = _connection.CreateCommand();
        command.CommandText = string.Create(CultureInfo.InvariantCulture,
            $"DELETE FROM {HeadTables.Catalog}.{HeadTables.RowsTable} WHERE seq <= {through}");
        command.ExecuteNonQuery();
        _purgedThrough = through;
    }

    /// <summary>How long applied rows stay in the head after their apply committed.</summary>
    private static readonly TimeSpan PurgeDelay = TimeSpan.FromSeconds(1);

    /// <summary>Applied generations not yet purged from the head, oldest first: (last sequence, commit time).</summary>
    private readonly System.Collections.Concurrent.ConcurrentQueue<(long Sequence, long AppliedAt)> _appliedGenerations = new();

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

    [LoggerMessage(EventId = LogEvents.PointLogRestartFailed, Level = LogLevel.Warning, Message = "Starting a new point log file failed; the current one keeps growing, and replay skips what is applied")]
    private static partial void LogLogRestartFailed(ILogger logger, Exception exception);
}
