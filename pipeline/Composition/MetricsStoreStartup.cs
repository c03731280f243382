using FunctionsObservability.Pipeline.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace FunctionsObservability.Pipeline.Composition;

/// <summary>
/// Opens the store before the host starts, in both hosting modes (<c>Program</c> calls it between
/// building the host and running it). A database file the store cannot use then ends the process
/// with one log line, naming the file, what is wrong and what to do, and an exit code a supervisor
/// can act on, instead of an unhandled exception (SIGABRT, exit code 134, a long stack trace) and a
/// crash loop.
/// </summary>
/// <remarks>
/// <code>
/// Exit code  Meaning
/// 0          the store opened and the host ran and stopped normally
/// 3          DatabaseDamaged: the DuckDB file or its WAL is damaged (truncated, a header or block
///            failing its checksum, not a DuckDB file), or recovery from it failed. Restarting fails
///            the same way: an operator starts once with Storage:RecoverDamagedDatabase=true.
/// 4          DatabaseUnavailable: the file could not be opened for another reason (locked by
///            another process, permissions, a newer DuckDB format). Nothing is moved; a restart can
///            succeed once the cause is gone.
/// </code>
/// </remarks>
public static partial class MetricsStoreStartup
{
    public const int Opened = 0;
    public const int DatabaseDamagedExitCode = 3;
    public const int DatabaseUnavailableExitCode = 4;

    /// <summary>Opens the store; returns <see cref="Opened"/>, or an exit code after logging why the process must stop.</summary>
    public static async Task<int> OpenAsync(IServiceProvider services, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(services);
        var logger = services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(MetricsStoreStartup));
        try
        {
            await services.GetRequiredService<StoreOpener>().OpenAsync(cancellationToken).ConfigureAwait(false);

            // Resolved now, first, so the container owns the database from here on and disposes it last.
            services.GetRequiredService<MetricsDatabase>();
            return Opened;
        }
        catch (DatabaseOpenException exception)
        {
            switch (exception.Failure)
            {
                case DatabaseOpenFailure.Damaged:
                    LogDamaged(logger, exception.DatabasePath, exception.Reason, DatabaseDamagedExitCode);
                    return DatabaseDamagedExitCode;
                case DatabaseOpenFailure.RecoveryFailed:
                    LogRecoveryFailed(logger, exception.DatabasePath, exception.Reason, DatabaseDamagedExitCode);
                    return DatabaseDamagedExitCode;
                default:
                    LogUnavailable(logger, exception.DatabasePath, exception.Reason, DatabaseUnavailableExitCode);
                    return DatabaseUnavailableExitCode;
            }
        }
    }

    [LoggerMessage(EventId = LogEvents.DatabaseDamaged, Level = LogLevel.Critical,
        Message = "Database file {DatabasePath} is damaged: {Reason}. The store cannot start on it. To recover, start once with " +
                  "Storage:RecoverDamagedDatabase=true (moves the file aside, starts an empty hot store and rebuilds the series catalog " +
                  "and archive manifest from the archive; hot data not yet archived is lost). Exiting with code {ExitCode}")]
    private static partial void LogDamaged(ILogger logger, string databasePath, string reason, int exitCode);

    [LoggerMessage(EventId = LogEvents.DamagedDatabaseRecoveryFailed, Level = LogLevel.Critical,
        Message = "Database file {DatabasePath} is damaged and was left in place: {Reason}. Fix the cause and start again with " +
                  "Storage:RecoverDamagedDatabase=true. Exiting with code {ExitCode}")]
    private static partial void LogRecoveryFailed(ILogger logger, string databasePath, string reason, int exitCode);

    [LoggerMessage(EventId = LogEvents.DatabaseUnavailable, Level = LogLevel.Critical,
        Message = "Database file {DatabasePath} could not be opened: {Reason}. It is not damaged, and nothing was changed. Exiting with code {ExitCode}")]
    private static partial void LogUnavailable(ILogger logger, string databasePath, string reason, int exitCode);
}
