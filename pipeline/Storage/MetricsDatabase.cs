using System.Globalization;
using DuckDB.NET.Data;

namespace FunctionsObservability.Pipeline.Storage;

/// <summary>
/// Owns the one DuckDB database of the process. Every connection is opened through here, with one
/// normalised path, because DuckDB.NET opens an independent second instance for a different
/// spelling of the same path, and takes settings only from the first connection.
/// </summary>
public sealed class MetricsDatabase : IDisposable
{
    private readonly DuckDBConnection _anchor;
    private readonly string _fileCatalog = "";

    public MetricsDatabase(StorageOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        Options = options;
        Directory.CreateDirectory(Path.GetDirectoryName(options.DatabasePath)!);
        ConnectionString = BuildConnectionString(options, readOnly: false);

        // The anchor keeps the native database alive for the life of the process, so opening a
        // reader connection is cheap and never re-reads the file.
        _anchor = new DuckDBConnection(ConnectionString);
        try
        {
            _anchor.Open();
            using var command = _anchor.CreateCommand();
            command.CommandText = Schema.CreateStatements;
            command.ExecuteNonQuery();
            LegacyRecentRows.Migrate(_anchor, options.CompactionBucketSeconds);
            HeadTables.Attach(_anchor);
            _fileCatalog = HeadTables.FileCatalog(_anchor);
        }
        catch (DuckDBException exception)
        {
            // Damage (or a lock held by another process) becomes one exception that names the file.
            _anchor.Dispose();
            throw DatabaseDamage.Describe(exception, options.DatabasePath);
        }
    }

    public StorageOptions Options { get; }

    public string ConnectionString { get; }

    public DuckDBConnection OpenConnection()
    {
        var connection = new DuckDBConnection(ConnectionString);
        try
        {
            connection.Open();
            HeadTables.UseSearchPath(connection, _fileCatalog);
            return connection;
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    public void Dispose() => _anchor.Dispose();

    /// <summary>
    /// Opens the file read-only, in a DuckDB instance of its own that closes with the connection: to
    /// read a file that may be damaged without ever writing to it (a read-write instance writes a
    /// checkpoint when it closes, even after only creating a view). Call it only while nothing else
    /// in the process has the file open: DuckDB takes the access mode from the first connection.
    /// </summary>
    /// <exception cref="DatabaseOpenException">The file is damaged or cannot be opened.</exception>
    internal static DuckDBConnection OpenReadOnly(StorageOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var connection = new DuckDBConnection(BuildConnectionString(options, readOnly: true));
        try
        {
            connection.Open();
            return connection;
        }
        catch (DuckDBException exception)
        {
            connection.Dispose();
            throw DatabaseDamage.Describe(exception, options.DatabasePath);
        }
    }

    private static string BuildConnectionString(StorageOptions options, bool readOnly)
    {
        var builder = new DuckDBConnectionStringBuilder { DataSource = options.DatabasePath };

        // Both apply only when a file is created: 64 KiB blocks leave less of each block empty
        // than the default 256 KiB (points are written in many small segments), and need the
        // v1.5 storage format, without which DuckDB does not compress doubles in them.
        builder["storage_compatibility_version"] = "v1.5.0";
        builder["default_block_size"] = "65536";
        if (!string.IsNullOrEmpty(options.MemoryLimit))
        {
            builder["memory_limit"] = options.MemoryLimit;
        }

        if (options.Threads > 0)
        {
            builder["threads"] = options.Threads.ToString(CultureInfo.InvariantCulture);
        }

        if (readOnly)
        {
            builder["access_mode"] = "READ_ONLY";
        }

        return builder.ConnectionString;
    }
}
