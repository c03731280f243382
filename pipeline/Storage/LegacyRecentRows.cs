using DuckDB.NET.Data;

namespace FunctionsObservability.Pipeline.Storage;

/// <summary>
/// Files written before the point log kept acknowledged rows in an on-disk <c>points_recent</c>
/// table until they were clustered. Opening such a file for writing clusters them into the
/// clustered table and drops it, in one transaction, so no row is lost or counted twice.
/// </summary>
internal static class LegacyRecentRows
{
    public static void Migrate(DuckDBConnection connection, int bucketSeconds)
    {
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT count(*) FROM duckdb_tables() WHERE database_name = current_database() AND schema_name = 'main' AND table_name = '{Schema.LegacyRecentTable}'";
        if (Convert.ToInt64(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture) == 0)
        {
            return;
        }

        using var transaction = connection.BeginTransaction();
        command.Transaction = transaction;
        foreach (var statement in ClusteredInsert.Statements($"main.{Schema.LegacyRecentTable}", bucketSeconds))
        {
            command.CommandText = statement;
            command.ExecuteNonQuery();
        }

        command.CommandText = $"DROP TABLE main.{Schema.LegacyRecentTable}";
        command.ExecuteNonQuery();
        transaction.Commit();
    }
}
