using System.Text;
using DuckDB.NET.Data;
using FunctionsObservability.Pipeline.Storage.Log;

namespace FunctionsObservability.Pipeline.Storage;

/// <summary>
/// Remembers which dedupe keys were committed: in the point log first (<see cref="PendingKeys"/>),
/// then in the file, in the same transaction that applies their rows. Records older than
/// <see cref="StorageOptions.DedupeWindowHours"/> are pruned when the head is applied.
/// </summary>
internal static class DedupeLedger
{
    public static HashSet<int> FindDuplicates(DuckDBConnection connection, IReadOnlyList<PointChunk> chunks, PendingKeys pending)
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
            if (committed.Contains(key) || pending.Contains(key) || !inBatch.Add(key))
            {
                duplicates.Add(i);
            }
        }

        return duplicates;
    }

    public static void Record(DuckDBConnection connection, IReadOnlyList<LoggedKey> keys)
    {
        if (keys.Count == 0)
        {
            return;
        }

        using var appender = connection.CreateAppender("ingest_dedupe");
        foreach (var key in keys)
        {
            appender.CreateRow().AppendValue(key.Key).AppendValue(key.CommittedAtMicros).AppendValue(key.Points).EndRow();
        }
    }
}
