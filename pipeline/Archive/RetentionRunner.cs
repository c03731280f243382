using System.Diagnostics;
using System.Globalization;
using DuckDB.NET.Data;
using FunctionsObservability.Pipeline.Storage;
using Microsoft.Extensions.Logging;

namespace FunctionsObservability.Pipeline.Archive;

/// <summary>
/// Deletes what has outlived its retention. An archived file is first marked expiring in the
/// manifest (queries stop reading it at that commit), then its object is deleted, then its
/// manifest rows; a failure in between leaves it marked, and the next run finishes the delete.
/// Hot rows are deleted for age only when archiving is off: with archiving on, rows leave DuckDB
/// only once they are archived, so a failing archive never turns into data loss.
/// </summary>
public sealed partial class RetentionRunner
{
    private readonly PointWriter _writer;
    private readonly SeriesCatalog _catalog;
    private readonly ArchiveManifest _manifest;
    private readonly IArchiveStore _store;
    private readonly ArchivingOptions _options;
    private readonly MaintenanceLock _lock;
    private readonly ArchiveMetrics _metrics;
    private readonly TimeProvider _time;
    private readonly ILogger<RetentionRunner> _logger;

    public RetentionRunner(
        PointWriter writer,
        SeriesCatalog catalog,
        ArchiveManifest manifest,
        IArchiveStore store,
        ArchivingOptions options,
        MaintenanceLock maintenanceLock,
        ArchiveMetrics metrics,
        TimeProvider time,
        ILogger<RetentionRunner> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _writer = writer;
        _catalog = catalog;
        _manifest = manifest;
        _store = store;
        _options = options;
        _lock = maintenanceLock;
        _metrics = metrics;
        _time = time;
        _logger = logger;
    }

    public async Task<RetentionRunResult> RunAsync(CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        using var held = _lock.TryEnter();
        if (held is null)
        {
            LogSkipped(_logger);
            return new RetentionRunResult(true, 0, 0, 0, 0, null, TimeSpan.Zero);
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(_options.RunTimeoutSeconds));
        var token = timeout.Token;
        var now = _time.GetUtcNow().ToUnixTimeMilliseconds() * 1000;
        int files = 0;
        long archivedRows = 0, hotRows = 0, waiting = 0;
        string? error = null;
        try
        {
            var archiveHorizon = now - (_options.RetentionDays * 24 * ArchivedFile.HourMicros);
            (files, archivedRows) = await ExpireArchivedFilesAsync(archiveHorizon, token).ConfigureAwait(false);
            var hotHorizon = now - (_options.HotRetentionDays * 24 * ArchivedFile.HourMicros);
            (hotRows, waiting) = await ExpireHotRowsAsync(hotHorizon, token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            error = $"the run reached its timeout of {_options.RunTimeoutSeconds} s";
            LogStopped(_logger, error, null);
        }
        catch (Exception exception) when (!cancellationToken.IsCancellationRequested)
        {
            // Not cancelled by the caller, so a cancellation here came from below: the Blob SDK
            // reports a network timeout as a TaskCanceledException (as is, when no retry is left
            // to wrap it), and that is storage failing, not the run being called off.
            error = $"{exception.GetType().Name}: {exception.Message}";
            LogStopped(_logger, error, exception);
        }

        var result = new RetentionRunResult(false, files, archivedRows, hotRows, waiting, error, Stopwatch.GetElapsedTime(started));
        LogFinished(_logger, result.Describe());
        return result;
    }

    private async Task<(int Files, long Rows)> ExpireArchivedFilesAsync(long horizon, CancellationToken token)
    {
        // Files whose whole hour lies before the horizon are due; the mark, the catalog's figures
        // and the in-memory manifest change together, under the writer's gate.
        var culture = CultureInfo.InvariantCulture;
        await _writer.Gate.WaitAsync(token).ConfigureAwait(false);
        _manifest.BeginChange();
        try
        {
            _writer.RunMaintenance((connection, transaction) =>
            {
                using var command = connection.CreateCommand();
                command.Transaction = transaction;
                command.CommandText = string.Create(culture, $"SELECT file_id FROM archive_files WHERE NOT expiring AND hour_start + {ArchivedFile.HourMicros} <= {horizon}");
                var due = new HashSet<long>();
                using (var reader = command.ExecuteReader())
                {
                    while (reader.Read())
                    {
                        due.Add(reader.GetInt64(0));
                    }
                }

                if (due.Count == 0)
                {
                    return (false, 0L);
                }

                var ids = string.Join(',', due.Select(id => id.ToString(culture)));
                command.CommandText = $"UPDATE archive_files SET expiring = true WHERE file_id IN ({ids})";
                command.ExecuteNonQuery();
                _catalog.Refresh(connection, transaction, AffectedSeries(connection, transaction, $"SELECT DISTINCT series_id FROM archive_series WHERE file_id IN ({ids})"));
                _manifest.Remove(due);
                return (true, 0L);
            });
        }
        finally
        {
            _manifest.EndChange();
            _writer.Gate.Release();
        }

        // Every expiring file, including any a failed earlier run left behind. Rows are counted as
        // their file is deleted, so a file marked by a run that then failed is counted by the run
        // that deletes it, not by neither.
        var expiring = new List<(long Id, string Path, long Rows)>();
        using (var connection = _writer.OpenReaderConnection())
        using (var command = connection.CreateCommand())
        {
            command.CommandText = "SELECT file_id, path, rows FROM archive_files WHERE expiring ORDER BY file_id";
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                expiring.Add((reader.GetInt64(0), reader.GetString(1), reader.GetInt64(2)));
            }
        }

        var deleted = 0;
        long rows = 0;
        foreach (var (id, path, fileRows) in expiring)
        {
            await _store.DeleteAsync(path, token).ConfigureAwait(false);
            await _writer.Gate.WaitAsync(token).ConfigureAwait(false);
            try
            {
                _writer.RunMaintenance((connection, transaction) =>
                {
                    using var command = connection.CreateCommand();
                    command.Transaction = transaction;
                    command.CommandText = string.Create(culture, $"DELETE FROM archive_series WHERE file_id = {id}; DELETE FROM archive_files WHERE file_id = {id}");
                    command.ExecuteNonQuery();
                    return (true, 0);
                });
            }
            finally
            {
                _writer.Gate.Release();
            }

            deleted++;
            rows += fileRows;
            _metrics.FilesExpired.Add(1);
            _metrics.RowsExpired.Add(fileRows);
            LogFileDeleted(_logger, path);
        }

        return (deleted, rows);
    }

    private async Task<(long Deleted, long Waiting)> ExpireHotRowsAsync(long horizon, CancellationToken token)
    {
        var culture = CultureInfo.InvariantCulture;
        await _writer.Gate.WaitAsync(token).ConfigureAwait(false);
        try
        {
            return _writer.RunMaintenance((connection, transaction) =>
            {
                using var command = connection.CreateCommand();
                command.Transaction = transaction;
                command.CommandText = string.Create(culture, $"SELECT count(*) FROM all_points WHERE ts < {horizon}");
                var due = Convert.ToInt64(command.ExecuteScalar(), culture);
                if (due == 0)
                {
                    return (false, (0L, 0L));
                }

                if (_options.Enabled)
                {
                    // Not archived yet (archiving is failing or behind): kept, and said so.
                    return (false, (0L, due));
                }

                var affected = AffectedSeries(connection, transaction, string.Create(culture, $"SELECT DISTINCT series_id FROM all_points WHERE ts < {horizon}"));
                command.CommandText = string.Create(culture, $"""
                    DELETE FROM points WHERE ts < {horizon};
                    DELETE FROM points_1m WHERE minute < {horizon / 60_000_000};
                    """);
                command.ExecuteNonQuery();
                _catalog.Refresh(connection, transaction, affected);
                _metrics.RowsExpired.Add(due);
                return (true, (due, 0L));
            });
        }
        finally
        {
            _writer.Gate.Release();
        }
    }

    private static List<int> AffectedSeries(DuckDBConnection connection, DuckDBTransaction transaction, string sql)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        using var reader = command.ExecuteReader();
        var ids = new List<int>();
        while (reader.Read())
        {
            ids.Add(reader.GetInt32(0));
        }

        return ids;
    }

    [LoggerMessage(EventId = LogEvents.RetentionRunSkipped, Level = LogLevel.Information, Message = "Retention run skipped: another archive or retention run is in progress")]
    private static partial void LogSkipped(ILogger logger);

    [LoggerMessage(EventId = LogEvents.RetentionFileDeleted, Level = LogLevel.Information, Message = "Retention deleted the archived file {Path}")]
    private static partial void LogFileDeleted(ILogger logger, string path);

    [LoggerMessage(EventId = LogEvents.RetentionRunStopped, Level = LogLevel.Warning, Message = "Retention run stopped early; the next run continues: {Reason}")]
    private static partial void LogStopped(ILogger logger, string reason, Exception? exception);

    [LoggerMessage(EventId = LogEvents.RetentionRunFinished, Level = LogLevel.Information, Message = "Retention run: {Summary}")]
    private static partial void LogFinished(ILogger logger, string summary);
}
