using DuckDB.NET.Data;

namespace FunctionsObservability.Pipeline.Storage;

/// <summary>
/// Points acknowledged but not yet applied to the database file live in an in-memory database
/// attached as <c>head</c>: appending there commits without a disk write (the point log made them
/// durable already), and queries still read them with everything DuckDB offers. Each row carries
/// the log sequence of its group commit; <c>head.points_recent</c> shows only the rows above the
/// sequence the file records as applied, so a reader sees each point exactly once, in the file or
/// in the head, whichever its snapshot holds. Applied rows are deleted a generation later, so a
/// reader's snapshot of the file never meets a head that lost them already.
/// </summary>
/// <remarks>
/// Every connection of the process resolves unqualified names in the file's catalog first, then in
/// the head's: <c>points_recent</c> and <c>all_points</c> mean the same as they always did.
/// </remarks>
internal static class HeadTables
{
    public const string Catalog = "head";
    public const string RowsTable = "recent_rows";

    /// <summary>Attaches the head to the database of <paramref name="connection"/> (once per process) and creates its tables and views.</summary>
    public static void Attach(DuckDBConnection connection)
    {
        var file = FileCatalog(connection);
        Execute(connection, $"""
            ATTACH IF NOT EXISTS ':memory:' AS {Catalog};
            CREATE TABLE IF NOT EXISTS {Catalog}.{RowsTable} (
                seq BIGINT NOT NULL,
                series_id INTEGER NOT NULL,
                ts BIGINT NOT NULL,
                value DOUBLE NOT NULL);
            CREATE OR REPLACE VIEW {Catalog}.points_recent AS
                SELECT series_id, ts, value FROM {Catalog}.{RowsTable}
                WHERE seq > (SELECT applied_seq FROM {Quote(file)}.main.wal_state);
            CREATE OR REPLACE VIEW {Catalog}.all_points AS
                SELECT series_id, ts, value FROM {Quote(file)}.main.points
                UNION ALL
                SELECT series_id, ts, value FROM {Catalog}.points_recent;
            """);
        UseSearchPath(connection, file);
    }

    /// <summary>Makes a new connection resolve names in the file's catalog, then in the head's.</summary>
    public static void UseSearchPath(DuckDBConnection connection, string? fileCatalog = null)
    {
        fileCatalog ??= FileCatalog(connection);
        Execute(connection, $"SET search_path = '{fileCatalog.Replace("'", "''", StringComparison.Ordinal)}.main,{Catalog}.main'");
    }

    /// <summary>The catalog name DuckDB gave the file (its name without the extension).</summary>
    public static string FileCatalog(DuckDBConnection connection)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT current_database()";
        return (string)command.ExecuteScalar()!;
    }

    private static string Quote(string identifier) => "\"" + identifier.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    private static void Execute(DuckDBConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
}
