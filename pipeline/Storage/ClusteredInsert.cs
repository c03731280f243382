using System.Globalization;

namespace FunctionsObservability.Pipeline.Storage;

/// <summary>
/// The statements that move rows into the clustered table and its minute rollup. Points are sorted
/// by time slice, then blocks of 64 series ids, then time, then series: within a block the many
/// series sharing each timestamp make <c>ts</c> nearly constant over a 2,048-row vector, which
/// bitpacks to almost nothing, where sorting by series first put a jump back of a whole slice into
/// almost every vector (measured on the bench's data: 2.96 bytes per value against 6.66, with
/// one-series, one-metric and keyset reads as fast or faster). Blocks of 64 keep a metric's ids
/// (handed out 256 at a time) together.
/// </summary>
internal static class ClusteredInsert
{
    // The four sort keys are folded into two integers: DuckDB sorts fixed-size integer keys much
    // faster than the variable-size key it builds for four columns (that key's construction was
    // the top DuckDB symbol of an ingest profile). Series blocks stay below 2^26 (ids are below
    // 2^31), and microseconds times 64 stay below 2^63 until the year 6537.

    /// <summary>Series ids per block in the sort; a divisor of the catalog's 256-id blocks.</summary>
    public const int SeriesBlock = 64;

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
                ORDER BY (ts // {bucketMicros}) * 67108864 + series_id // {SeriesBlock}, ts * {SeriesBlock} + series_id % {SeriesBlock}
                """),
        ];
    }
}
