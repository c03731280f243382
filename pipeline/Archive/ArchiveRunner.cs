using System.Diagnostics;
using System.Globalization;
using FunctionsObservability.Pipeline.Storage;
using Microsoft.Extensions.Logging;

namespace FunctionsObservability.Pipeline.Archive;

/// <summary>Points in an archive run where tests inject faults.</summary>
internal enum ArchiveStage
{
    Exported,
    Verified,
    Uploaded,
}

/// <summary>
/// Moves whole hours of each metric that lie before the hot window out of DuckDB into Parquet
/// files. The order makes every failure harmless: the file is written and verified locally, then
/// uploaded with an integrity check, and only then recorded in the manifest in the same
/// transaction that deletes its rows. A crash before that commit leaves the rows hot and at most
/// an unrecorded object, which the next run overwrites, because the name depends only on the
/// partition and the number of files already committed for it.
/// </summary>
public sealed partial class ArchiveRunner
{
    /// <summary>Environment variable naming a stage after which the process kills itself: crash tests only.</summary>
    public const string FailpointVariable = "FUNCTIONSOBSERVABILITY_ARCHIVE_FAILPOINT";

    private readonly MetricsDatabase _database;
    private readonly PointWriter _writer;
    private readonly ArchiveManifest _manifest;
    private readonly IArchiveStore _store;
    private readonly ArchivingOptions _options;
    private readonly MaintenanceLock _lock;
    private readonly ArchiveMetrics _metrics;
    private readonly TimeProvider _time;
    private readonly ILogger<ArchiveRunner> _logger;
    private readonly string _workDirectory;
    private readonly string? _failpoint = Environment.GetEnvironmentVariable(FailpointVariable);

    public ArchiveRunner(
        MetricsDatabase database,
        PointWriter writer,
        ArchiveManifest manifest,
        IArchiveStore store,
        ArchivingOptions options,
        MaintenanceLock maintenanceLock,
        ArchiveMetrics metrics,
        TimeProvider time,
        ILogger<ArchiveRunner> logger)
    {
        ArgumentNullException.ThrowIfNull(database);
        ArgumentNullException.ThrowIfNull(options);
        _database = database;
        _writer = writer;
        _manifest = manifest;
        _store = store;
        _options = options;
        _lock = maintenanceLock;
        _metrics = metrics;
        _time = time;
        _logger = logger;
        _workDirectory = Path.GetFullPath(options.WorkDirectory ?? Path.Combine(database.Options.DataDirectory, "archive-work"));
    }

    /// <summary>Called after each stage of each partition; tests use it to inject failures.</summary>
    internal Func<ArchiveStage, string, CancellationToken, Task>? StageHook { get; set; }

    public Task<ArchiveRunResult> RunAsync(CancellationToken cancellationToken) => RunAsync(null, cancellationToken);

    /// <summary>One run, reporting each partition to <paramref name="progress"/> after its commit or failure.</summary>
    public async Task<ArchiveRunResult> RunAsync(IArchiveProgress? progress, CancellationToken cancellationToken)
    {
        if (!_options.Enabled)
        {
            return Disabled();
        }

        using var held = _lock.TryEnter();
        if (held is null)
        {
            LogSkipped(_logger);
            return new ArchiveRunResult(true, 0, 0, 0, 0, 0, false, null, TimeSpan.Zero);
        }

        return await RunHeldAsync(1, progress, cancellationToken).ConfigureAwait(false);
    }

    private static ArchiveRunResult Disabled() =>
        new(true, 0, 0, 0, 0, 0, false, null, TimeSpan.Zero, "archiving is turned off (Archive:Enabled)");

    private async Task<ArchiveRunResult> RunPartitionsAsync(int run, IArchiveProgress? progress, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(_options.RunTimeoutSeconds));
        var token = timeout.Token;
        int files = 0, failed = 0, deferred = 0, done = 0, total = 0;
        long rows = 0, bytes = 0;
        string? error = null;
        var more = false;
        (string Metric, long HourStart)? current = null;
        try
        {
            PrepareWorkDirectory();
            var cutoff = HotWindowStart();
            var partitions = FindDuePartitions(cutoff, _options.MaxPartitionsPerRun + 1);
            more = partitions.Count > _options.MaxPartitionsPerRun;
            total = Math.Min(partitions.Count, _options.MaxPartitionsPerRun);
            foreach (var (metric, hourStart) in partitions.Take(_options.MaxPartitionsPerRun))
            {
                token.ThrowIfCancellationRequested();
                current = (metric, hourStart);
                ArchivePartitionProgress report;
                try
                {
                    var file = await ArchivePartitionAsync(metric, hourStart, token).ConfigureAwait(false);
                    done++;
                    if (file is null)
                    {
                        deferred++;
                        report = new(run, metric, hourStart, ArchivePartitionOutcome.Deferred, 0, 0, null, null, done, total);
                    }
                    else
                    {
                        files++;
                        rows += file.Rows;
                        bytes += file.Bytes;
                        report = new(run, metric, hourStart, ArchivePartitionOutcome.Archived, file.Rows, file.Bytes, file.Path, null, done, total);
                    }
                }
                catch (ArchiveVerificationException exception)
                {
                    // A bad file for one partition says nothing about the others: go on with them.
                    done++;
                    failed++;
                    _metrics.PartitionFailures.Add(1);
                    LogPartitionFailed(_logger, metric, FormatHour(hourStart), exception);
                    report = new(run, metric, hourStart, ArchivePartitionOutcome.Failed, 0, 0, null, exception.Message, done, total);
                }

                current = null;
                await ReportAsync(progress, report, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            error = $"the run reached its timeout of {_options.RunTimeoutSeconds} s";
            failed++;
            _metrics.PartitionFailures.Add(1);
            LogRunStopped(_logger, error, null);
        }
        catch (Exception exception) when (!cancellationToken.IsCancellationRequested && exception is not ArchiveProgressException)
        {
            // Storage down or slow, disk full: stop here, rows stay hot, the next run catches up.
            // Not cancelled by the caller, so a cancellation here came from below: the Blob SDK
            // reports a network timeout as a TaskCanceledException (as is, when no retry is left
            // to wrap it), and that is storage failing, not the run being called off.
            error = $"{exception.GetType().Name}: {exception.Message}";
            failed++;
            _metrics.PartitionFailures.Add(1);
            LogRunStopped(_logger, error, exception);
        }

        if (error is not null && current is { } stopped)
        {
            await ReportAsync(progress, new(run, stopped.Metric, stopped.HourStart, ArchivePartitionOutcome.Failed, 0, 0, null, error, done + 1, total), cancellationToken)
                .ConfigureAwait(false);
        }

        var result = new ArchiveRunResult(false, files, rows, bytes, failed, deferred, more, error, Stopwatch.GetElapsedTime(started));
        LogRunFinished(_logger, result.Describe());
        return result;
    }

    /// <summary>The first instant that stays hot: whole hours before it are due for archiving.</summary>
    public long HotWindowStart()
    {
        var now = _time.GetUtcNow().ToUnixTimeMilliseconds() * 1000;
        var start = now - (_options.HotWindowHours * ArchivedFile.HourMicros);
        return start - (start % ArchivedFile.HourMicros);
    }

    private List<(string Metric, long HourStart)> FindDuePartitions(long cutoff, int limit)
    {
        using var connection = _database.OpenConnection();
        using var command = connection.CreateCommand();
        command.CommandText = string.Create(CultureInfo.InvariantCulture, $"""
            SELECT s.metric, (p.ts // {ArchivedFile.HourMicros}) * {ArchivedFile.HourMicros} AS hour
            FROM all_points p JOIN series s ON s.series_id = p.series_id
            WHERE p.ts < {cutoff}
            GROUP BY ALL ORDER BY hour, s.metric LIMIT {limit}
            """);
        using var reader = command.ExecuteReader();
        var partitions = new List<(string, long)>();
        while (reader.Read())
        {
            partitions.Add((reader.GetString(0), reader.GetInt64(1)));
        }

        return partitions;
    }

    private async Task HitAsync(ArchiveStage stage, string localFile, CancellationToken token)
    {
        if (StageHook is { } hook)
        {
            await hook(stage, localFile, token).ConfigureAwait(false);
        }

        if (string.Equals(_failpoint, stage.ToString(), StringComparison.OrdinalIgnoreCase))
        {
            // A crash test asked for the process to die here, without any clean-up.
            LogFailpoint(_logger, stage.ToString());
            Process.GetCurrentProcess().Kill();
        }
    }

    private void PrepareWorkDirectory()
    {
        Directory.CreateDirectory(_workDirectory);

        // Files left by a run that crashed are useless: their partitions were never committed.
        foreach (var stale in Directory.EnumerateFiles(_workDirectory, "*.parquet"))
        {
            TryDelete(stale);
        }
    }

    private void TryDelete(string file)
    {
        try
        {
            File.Delete(file);
        }
        catch (IOException exception)
        {
            LogCleanupFailed(_logger, file, exception);
        }
        catch (UnauthorizedAccessException exception)
        {
            LogCleanupFailed(_logger, file, exception);
        }
    }

    private static string FormatHour(long hourStart) =>
        DateTimeOffset.FromUnixTimeMilliseconds(hourStart / 1000).ToString("yyyy-MM-dd'T'HH'Z'", CultureInfo.InvariantCulture);

    [LoggerMessage(EventId = LogEvents.ArchiveRunSkipped, Level = LogLevel.Information, Message = "Archive run skipped: another archive or retention run is in progress")]
    private static partial void LogSkipped(ILogger logger);

    [LoggerMessage(EventId = LogEvents.PartitionArchived, Level = LogLevel.Information, Message = "Archived {Path}: {Rows} rows, {Bytes} bytes")]
    private static partial void LogArchived(ILogger logger, string path, long rows, long bytes);

    [LoggerMessage(EventId = LogEvents.PartitionChangedDuringExport, Level = LogLevel.Information, Message = "Partition {Metric} {Hour} changed while it was exported; the next run archives it")]
    private static partial void LogDeferred(ILogger logger, string metric, string hour);

    [LoggerMessage(EventId = LogEvents.PartitionVerificationFailed, Level = LogLevel.Error, Message = "Partition {Metric} {Hour} failed verification and stays hot")]
    private static partial void LogPartitionFailed(ILogger logger, string metric, string hour, Exception exception);

    [LoggerMessage(EventId = LogEvents.ArchiveRunStopped, Level = LogLevel.Warning, Message = "Archive run stopped early, rows not yet archived stay hot: {Reason}")]
    private static partial void LogRunStopped(ILogger logger, string reason, Exception? exception);

    [LoggerMessage(EventId = LogEvents.ArchiveRunFinished, Level = LogLevel.Information, Message = "Archive run: {Summary}")]
    private static partial void LogRunFinished(ILogger logger, string summary);

    [LoggerMessage(EventId = LogEvents.ArchiveWorkFileDeleteFailed, Level = LogLevel.Warning, Message = "Could not delete the work file {File}")]
    private static partial void LogCleanupFailed(ILogger logger, string file, Exception exception);

    [LoggerMessage(EventId = LogEvents.ArchiveFailpointReached, Level = LogLevel.Critical, Message = "Failpoint {Stage} reached: killing the process")]
    private static partial void LogFailpoint(ILogger logger, string stage);
}
