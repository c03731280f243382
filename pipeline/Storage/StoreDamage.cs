using DuckDB.NET.Data;
using Microsoft.Extensions.Logging;

namespace FunctionsObservability.Pipeline.Storage;

/// <summary>
/// Damage found while serving: a data block that fails its checksum when a query or a commit first
/// reads it (start-up only reads the series and time columns). From then on the file is known to
/// be damaged: readiness says so, writes into it are refused, and the queries that hit the damage
/// fail with its cause. Logged once.
/// </summary>
public sealed partial class StoreDamage(StorageOptions options, ILogger<StoreDamage> logger)
{
    private string? _reason;
    private long _sinceTicks;

    /// <summary>DuckDB's message, shortened, or null while no damage was seen.</summary>
    public string? Reason => Volatile.Read(ref _reason);

    public DateTimeOffset? Since => Interlocked.Read(ref _sinceTicks) is var ticks and > 0 ? new DateTimeOffset(ticks, TimeSpan.Zero) : null;

    /// <summary>What to tell a client whose request met the damage.</summary>
    public string Describe() =>
        $"the database file {options.DatabasePath} is damaged ({Reason}); the service takes no more writes into it. "
        + "Restart it once with Storage:RecoverDamagedDatabase=true to recover (hot data not yet archived is lost; see the README, \"Damaged database file\")";

    /// <summary>Records <paramref name="exception"/> when it (or one it wraps) is DuckDB reporting damage; false for any other failure.</summary>
    public bool TryReport(Exception? exception)
    {
        for (var current = exception; current is not null; current = current.InnerException)
        {
            if (current is DuckDBException duckdb && DatabaseDamage.IsDamage(duckdb))
            {
                var reason = DatabaseDamage.Shorten(duckdb.Message);
                if (Interlocked.CompareExchange(ref _reason, reason, null) is null)
                {
                    Interlocked.Exchange(ref _sinceTicks, DateTimeOffset.UtcNow.UtcTicks);
                    LogDamaged(logger, options.DatabasePath, reason);
                }

                return true;
            }
        }

        return false;
    }

    [LoggerMessage(EventId = LogEvents.DatabaseDamagedWhileServing, Level = LogLevel.Critical,
        Message = "The database file {DatabasePath} is damaged: {Reason}. Readiness is now not ready and writes into it are refused; restart once with Storage:RecoverDamagedDatabase=true to recover")]
    private static partial void LogDamaged(ILogger logger, string databasePath, string reason);
}

/// <summary>A write refused because the database file is known to be damaged.</summary>
public sealed class StoreDamagedException : IOException
{
    public StoreDamagedException()
    {
    }

    public StoreDamagedException(string message)
        : base(message)
    {
    }

    public StoreDamagedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
