using System.Globalization;
using DuckDB.NET.Data;
using FunctionsObservability.Pipeline.Archive;
using FunctionsObservability.Pipeline.Storage;
using Microsoft.Extensions.Logging;

namespace FunctionsObservability.Pipeline.Composition;

/// <summary>The database with what start-up reads from it: the series catalog and the archive manifest.</summary>
public sealed record OpenedStore(MetricsDatabase Database, SeriesCatalog Catalog, ArchiveManifest Manifest);

/// <summary>
/// Opens the store's database once, and reads the catalog and manifest from it, so damage anywhere
/// start-up reads surfaces here as one <see cref="DatabaseOpenException"/>. With
/// <see cref="StorageOptions.RecoverDamagedDatabase"/>, a damaged file is replaced by a new one
/// whose catalog and manifest are rebuilt from the archive store (<see cref="ArchiveRebuilder"/>).
/// </summary>
/// <remarks>
/// The rebuild goes into a file beside the damaged one, which takes the damaged file's place only
/// when complete: a recovery that fails (the archive store unreachable, say) leaves the damaged file
/// where it was and no half-built store behind, so a later start can neither start empty and
/// overwrite archived files, nor skip the recovery.
/// </remarks>
public sealed partial class StoreOpener
{
    private readonly MetricsStoreOptions _options;
    private readonly IArchiveStore _store;
    private readonly TimeProvider _time;
    private readonly ILogger<StoreOpener> _logger;
    private readonly Lock _lock = new();
    private Task<OpenedStore>? _opening;

    public StoreOpener(MetricsStoreOptions options, IArchiveStore store, TimeProvider time, ILogger<StoreOpener> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        _store = store;
        _time = time;
        _logger = logger;
    }

    /// <summary>Opens (or recovers) the store the first time; later calls get the same outcome.</summary>
    public Task<OpenedStore> OpenAsync(CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            return _opening ??= OpenCoreAsync(cancellationToken);
        }
    }

    /// <summary>For the container's factories, when nothing opened the store before it was resolved.</summary>
    internal OpenedStore Open() => OpenAsync(CancellationToken.None).GetAwaiter().GetResult();

    private async Task<OpenedStore> OpenCoreAsync(CancellationToken cancellationToken)
    {
        var storage = _options.Storage;
        if (DamagedDatabaseFiles.FinishInterruptedRecovery(storage.DatabasePath))
        {
            LogRecoveryFinished(_logger, storage.DatabasePath);
        }

        try
        {
            return Load(storage);
        }
        catch (DatabaseOpenException damaged) when (damaged.Failure == DatabaseOpenFailure.Damaged && storage.RecoverDamagedDatabase)
        {
            LogRecovering(_logger, storage.DatabasePath, damaged.Reason);
            var lastWrite = DamagedDatabaseFiles.LastWrite(storage.DatabasePath);
            var rebuilt = await RebuildAsync(storage, damaged, cancellationToken).ConfigureAwait(false);
            var aside = DamagedDatabaseFiles.MoveAside(storage.DatabasePath, _time.GetUtcNow());
            DamagedDatabaseFiles.MoveInto(DamagedDatabaseFiles.RebuiltPath(storage.DatabasePath), storage.DatabasePath);
            var opened = Load(storage);
            var lostFrom = rebuilt.NewestHourEndMicros is { } end
                ? DateTimeOffset.FromUnixTimeMilliseconds(end / 1000).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture)
                : "the first write (nothing is archived)";
            LogRecovered(_logger, aside, rebuilt.Files, rebuilt.Rows, rebuilt.Series, rebuilt.Metrics, rebuilt.UnreadableFiles,
                lostFrom, lastWrite.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture));
            return opened;
        }
    }

    /// <summary>Rebuilds into a file beside the damaged one, closed and renamed to <see cref="DamagedDatabaseFiles.RebuiltPath"/> once complete.</summary>
    private async Task<ArchiveRebuildResult> RebuildAsync(StorageOptions storage, DatabaseOpenException damaged, CancellationToken cancellationToken)
    {
        var rebuild = new StorageOptions
        {
            DataDirectory = storage.DataDirectory,
            DatabaseFileName = Path.GetFileName(DamagedDatabaseFiles.RebuildingPath(storage.DatabasePath)),
            MemoryLimit = storage.MemoryLimit,
            Threads = storage.Threads,
        };
        DamagedDatabaseFiles.Delete(rebuild.DatabasePath);
        try
        {
            ArchiveRebuildResult result;
            var work = Path.GetFullPath(_options.Archiving.WorkDirectory ?? Path.Combine(storage.DataDirectory, "archive-work"));

            // Disposed before the rename: the last connection closing checkpoints the new file and releases it.
            using (var database = new MetricsDatabase(rebuild))
            {
                result = await ArchiveRebuilder.RebuildAsync(database, _store, work, _logger, cancellationToken).ConfigureAwait(false);
            }

            DamagedDatabaseFiles.MoveInto(rebuild.DatabasePath, DamagedDatabaseFiles.RebuiltPath(storage.DatabasePath));
            return result;
        }
        catch (Exception exception) when (exception is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            DamagedDatabaseFiles.Delete(rebuild.DatabasePath);
            throw new DatabaseOpenException(DatabaseOpenFailure.RecoveryFailed, storage.DatabasePath,
                $"{damaged.Reason}; rebuilding the store from the archive failed: {exception.GetType().Name}: {DatabaseDamage.Shorten(exception.Message)}", exception);
        }
    }

    /// <summary>
    /// Reads the catalog and manifest from an existing file read-only first, so a damaged file is
    /// never written to (it stays as it was found, for the operator and any salvage), then opens it
    /// for writing. The catalog's scan of the point columns also finds damaged data blocks.
    /// </summary>
    private static OpenedStore Load(StorageOptions storage)
    {
        var read = File.Exists(storage.DatabasePath) ? TryReadOnly(storage) : null;
        var database = new MetricsDatabase(storage);
        try
        {
            if (read is null)
            {
                using var connection = database.OpenConnection();
                read = Read(connection, storage);
            }

            return new OpenedStore(database, read.Value.Catalog, read.Value.Manifest);
        }
        catch (DuckDBException exception) when (DatabaseDamage.IsDamage(exception))
        {
            database.Dispose();
            throw DatabaseDamage.Describe(exception, storage.DatabasePath);
        }
        catch
        {
            database.Dispose();
            throw;
        }
    }

    /// <summary>The catalog and manifest read without the right to write; null when the file lacks some table (an older layout), which the read-write open creates.</summary>
    private static (SeriesCatalog Catalog, ArchiveManifest Manifest)? TryReadOnly(StorageOptions storage)
    {
        using var connection = MetricsDatabase.OpenReadOnly(storage);
        try
        {
            // The catalog reads all_points, which lives beside the in-memory head.
            HeadTables.Attach(connection);
            return Read(connection, storage);
        }
        catch (DuckDBException exception) when (DatabaseDamage.IsDamage(exception))
        {
            throw DatabaseDamage.Describe(exception, storage.DatabasePath);
        }
        catch (DuckDBException)
        {
            return null;
        }
    }

    private static (SeriesCatalog Catalog, ArchiveManifest Manifest) Read(DuckDBConnection connection, StorageOptions storage)
    {
        var catalog = new SeriesCatalog(storage.MaxSeries);
        var manifest = new ArchiveManifest();
        catalog.Load(connection);
        manifest.Load(connection);
        return (catalog, manifest);
    }

    [LoggerMessage(EventId = LogEvents.DamagedDatabaseRecoveryCompleted, Level = LogLevel.Warning,
        Message = "Found {DatabasePath} missing beside a complete rebuilt file: a recovery was interrupted after moving the damaged file aside; moved the rebuilt file into place")]
    private static partial void LogRecoveryFinished(ILogger logger, string databasePath);

    [LoggerMessage(EventId = LogEvents.DamagedDatabaseRecovering, Level = LogLevel.Warning,
        Message = "Database file {DatabasePath} is damaged: {Reason}. Storage:RecoverDamagedDatabase is set: rebuilding the store from the archive")]
    private static partial void LogRecovering(ILogger logger, string databasePath, string reason);

    [LoggerMessage(EventId = LogEvents.DamagedDatabaseRecovered, Level = LogLevel.Warning,
        Message = "Recovered the store from the archive: {Files} files, {Rows} rows, {Series} series of {Metrics} metrics ({Unreadable} files unreadable); " +
                  "hot data from {LostFrom} to {LostTo} is lost (from the end of the newest archived hour to the damaged file's last write); " +
                  "the damaged file is kept as {AsidePath}. Remove Storage:RecoverDamagedDatabase")]
    private static partial void LogRecovered(ILogger logger, string asidePath, int files, long rows, int series, int metrics, int unreadable, string lostFrom, string lostTo);
}
