using System.Globalization;

namespace FunctionsObservability.Pipeline.Storage;

/// <summary>
/// The statements that move rows into the clustered table and its minute rollup, sorted by time
/// slice, then series id: one integer key sorts in about two thirds of the time of the metric plus
/// two keys, and no query depends on the order within a series.
/// </summary>
internal static class ClusteredInsert
{
    /// <param name="source">A table expression with series_id, ts and value, and any WHERE clause.</param>
    public static string[] Statements(string source, int bucketSeconds)
    {
        var culture = CultureInfo.InvariantCulture;
        var bucketMicros = bucketSeconds * 1_000_000L;
        return
        [
            string.Create(culture, $"""
                INSERT INTO points_1m
                SELECT * FROM (
                    SELECT series_id, ts // 60000000 AS minute, sum(value), count(*), min(value), max(value)
                    FROM {source} GROUP BY 1, 2)
                ORDER BY (minute // {Math.Max(1, bucketMicros / 60_000_000)}) * 2147483648 + series_id
                """),
            string.Create(culture, $"""
                INSERT INTO points
                SELECT series_id, ts, value FROM {source}
                ORDER BY (ts // {bucketMicros}) * 2147483648 + series_id
                """),
        ];
    }
}
