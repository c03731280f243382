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

    public MetricsDatabase(StorageOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        Options = options;
        Directory.CreateDirectory(Path.GetDirectoryName(options.DatabasePath)!);
        var builder = new DuckDBConnectionStringBuilder { DataSource = options.DatabasePath };
        if (!string.IsNullOrEmpty(options.MemoryLimit))
        {
            builder["memory_limit"] = options.MemoryLimit;
        }

        if (options.Threads > 0)
        {
            builder["threads"] = options.Threads.ToString(CultureInfo.InvariantCulture);
        }

        ConnectionString = builder.ConnectionString;

        // The anchor keeps the native database alive for the life of the process, so opening a
        // reader connection is cheap and never re-reads the file.
        _anchor = new DuckDBConnection(ConnectionString);
        _anchor.Open();
        using var command = _anchor.CreateCommand();
        command.CommandText = Schema.CreateStatements;
        command.ExecuteNonQuery();
    }

    public StorageOptions Options { get; }

    public string ConnectionString { get; }

    public DuckDBConnection OpenConnection()
    {
        var connection = new DuckDBConnection(ConnectionString);
        try
        {
            connection.Open();
            return connection;
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    public void Dispose() => _anchor.Dispose();
}
