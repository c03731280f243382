using System.Globalization;
using FunctionsObservability.Pipeline.Storage.Log;
using Microsoft.Extensions.Logging;

namespace FunctionsObservability.Pipeline.Storage;

/// <summary>Recovery from the point log at start.</summary>
public sealed partial class PointWriter
{
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

    [LoggerMessage(EventId = LogEvents.PointLogReplayed, Level = LogLevel.Information, Message = "Replayed {Records} group commits ({Rows} rows) from the point log in {Directory}")]
    private static partial void LogReplayed(ILogger logger, long records, long rows, string directory);
}
