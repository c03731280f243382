using System.Text;
using DuckDB.NET.Data;

namespace FunctionsObservability.Pipeline.Storage;

/// <summary>
/// Remembers which dedupe keys were committed, inside the writer's transaction. Records older
/// than <see cref="StorageOptions.DedupeWindowHours"/> are pruned by the clustering run.
/// </summary>
internal static class DedupeLedger
{
    public static HashSet<int> FindDuplicates(DuckDBConnection connection, IReadOnlyList<PointChunk> chunks)
    {
        var duplicates = new HashSet<int>();
        var keyed = new List<int>();
        for (var i = 0; i < chunks.Count; i++)
        {
            if (chunks[i].DedupeKey is not null)
            {
                keyed.Add(i);
            }
        }

        if (keyed.Count == 0)
        {
            return duplicates;
        }

        var sql = new StringBuilder("SELECT dedupe_key FROM ingest_dedupe WHERE dedupe_key IN (");
        for (var i = 0; i < keyed.Count; i++)
        {
            sql.Append(i == 0 ? "'" : ",'").Append(chunks[keyed[i]].DedupeKey!.Replace("'", "''", StringComparison.Ordinal)).Append('\'');
        }

        sql.Append(')');
        var committed = new HashSet<string>(StringComparer.Ordinal);
        using (var command = connection.CreateCommand())
        {
            command.CommandText = sql.ToString();
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                committed.Add(reader.GetString(0));
            }
        }

        var inBatch = new HashSet<string>(StringComparer.Ordinal);
        foreach (var i in keyed)
        {
            var key = chunks[i].DedupeKey!;
            if (committed.Contains(key) || !inBatch.Add(key))
            {
                duplicates.Add(i);
            }
        }

        return duplicates;
    }

    public static void Record(DuckDBConnection connection, IReadOnlyList<PointChunk> written, long nowMicros)
    {
        DuckDBAppender? appender = null;
        try
        {
            foreach (var chunk in written)
            {
                if (chunk.DedupeKey is { } key)
                {
                    appender ??= connection.CreateAppender("ingest_dedupe");
                    appender.CreateRow().AppendValue(key).AppendValue(nowMicros).AppendValue(chunk.Batch.Count).EndRow();
                }
            }
        }
        finally
        {
            appender?.Dispose();
        }
    }
}
