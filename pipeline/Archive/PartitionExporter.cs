using System.Globalization;
using DuckDB.NET.Data;
using FunctionsObservability.Pipeline.Storage;

namespace FunctionsObservability.Pipeline.Archive;

/// <summary>What was selected for one partition file: the figures its verification must match.</summary>
public readonly record struct PartitionExtent(long Rows, long MinTimestampMicros, long MaxTimestampMicros);

/// <summary>
/// Writes one time partition of one metric (its series ids, one hour) to a local ZSTD Parquet file
/// with DuckDB's COPY, sorted by series and time so readers prune by row-group statistics. The file
/// is self-describing for Spark, Synapse or DuckDB: series id, tags as a JSON object, timestamp
/// (microseconds) and value; the metric, date and hour are in the Hive path.
/// </summary>
public static class PartitionExporter
{
    public static PartitionExtent Export(DuckDBConnection connection, IReadOnlyCollection<int> seriesIds, long hourStartMicros, string localFile)
    {
        ArgumentNullException.ThrowIfNull(seriesIds);
        if (seriesIds.Count == 0)
        {
            throw new ArgumentException("a partition needs at least one series", nameof(seriesIds));
        }

        var culture = CultureInfo.InvariantCulture;
        return ExportWhere(connection, $"series_id IN ({string.Join(',', seriesIds.Select(id => id.ToString(culture)))})", hourStartMicros, localFile);
    }

    /// <summary>Every series of <paramref name="metric"/> in the hour, as the archive run selects partitions.</summary>
    public static PartitionExtent ExportMetric(DuckDBConnection connection, string metric, long hourStartMicros, string localFile) =>
        ExportWhere(connection, MetricPredicate(metric), hourStartMicros, localFile);

    /// <summary>The series of one metric; the same predicate selects what is exported, checked and deleted.</summary>
    public static string MetricPredicate(string metric)
    {
        ArgumentException.ThrowIfNullOrEmpty(metric);
        return $"series_id IN (SELECT series_id FROM series WHERE metric = {SqlText.Literal(metric)})";
    }

    private static PartitionExtent ExportWhere(DuckDBConnection connection, string seriesPredicate, long hourStartMicros, string localFile)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentException.ThrowIfNullOrEmpty(localFile);
        var end = hourStartMicros + 3_600_000_000L;
        var where = $"{seriesPredicate} AND ts >= {hourStartMicros} AND ts < {end}";

        // One transaction: the figures and the file come from the same snapshot.
        using var transaction = connection.BeginTransaction();
        PartitionExtent extent;
        using (var command = connection.CreateCommand())
        {
            command.Transaction = transaction;
            command.CommandText = $"SELECT count(*), coalesce(min(ts), 0), coalesce(max(ts), 0) FROM all_points WHERE {where}";
            using var reader = command.ExecuteReader();
            reader.Read();
            extent = new PartitionExtent(reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2));
        }

        using (var command = connection.CreateCommand())
        {
            command.Transaction = transaction;
            command.CommandText = $$"""
                COPY (
                    SELECT p.series_id, coalesce(t.tags, '{}') AS tags, make_timestamp(p.ts) AS ts, p.value
                    FROM (SELECT series_id, ts, value FROM all_points WHERE {{where}}) p
                    LEFT JOIN (SELECT series_id, CAST(json_group_object(tag_key, tag_value) AS VARCHAR) AS tags
                               FROM series_tags WHERE {{seriesPredicate}} GROUP BY series_id) t
                      ON t.series_id = p.series_id
                    ORDER BY p.series_id, p.ts, p.value)
                TO {{SqlText.Literal(localFile)}} (FORMAT PARQUET, COMPRESSION ZSTD)
                """;
            command.ExecuteNonQuery();
        }

        transaction.Commit();
        return extent;
    }
}
