using Microsoft.Extensions.Logging;

namespace FunctionsObservability.Pipeline.Storage;

/// <summary>
/// Every write goes through <see cref="Guarded{T}"/>: a full disk or a damaged file is noticed once,
/// logged once, and turned into an exception the mesh answers with the right status.
/// </summary>
public sealed partial class PointWriter
{
    /// <summary>Since when writes fail for lack of disk space; null while they succeed.</summary>
    public DateTimeOffset? FullSince => Interlocked.Read(ref _fullSinceTicks) is var ticks and > 0 ? new DateTimeOffset(ticks, TimeSpan.Zero) : null;

    /// <summary>
    /// Runs one write (a commit or a clustering move). A failure for lack of space becomes a
    /// <see cref="StorageFullException"/>, logged once when it starts, and once more when a write
    /// succeeds again, instead of once per failed request.
    /// </summary>
    private T Guarded<T>(Func<T> write)
    {
        if (_damage.Reason is not null)
        {
            throw new StoreDamagedException(_damage.Describe());
        }

        T result;
        try
        {
            result = write();
        }
        catch (Exception exception) when (_damage.TryReport(exception))
        {
            throw new StoreDamagedException(_damage.Describe(), exception);
        }
        catch (Exception exception) when (StorageFullException.IsOutOfSpace(exception))
        {
            if (Interlocked.CompareExchange(ref _fullSinceTicks, DateTimeOffset.UtcNow.UtcTicks, 0) == 0)
            {
                LogDiskFull(_logger, _database.Options.DatabasePath, exception.Message);
            }

            throw new StorageFullException($"the disk holding {_database.Options.DatabasePath} is full: {exception.Message}", exception);
        }

        if (Interlocked.Exchange(ref _fullSinceTicks, 0) > 0)
        {
            LogDiskWritable(_logger, _database.Options.DatabasePath);
        }

        return result;
    }

    [LoggerMessage(EventId = LogEvents.DiskFull, Level = LogLevel.Error, Message = "The disk holding {DatabasePath} is full: writes are refused (507) until space is freed, and nothing accepted is lost. {Reason}")]
    private static partial void LogDiskFull(ILogger logger, string databasePath, string reason);

    [LoggerMessage(EventId = LogEvents.DiskWritableAgain, Level = LogLevel.Information, Message = "The disk holding {DatabasePath} takes writes again")]
    private static partial void LogDiskWritable(ILogger logger, string databasePath);
}
