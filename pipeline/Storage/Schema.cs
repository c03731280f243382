namespace FunctionsObservability.Pipeline.Storage;

/// <summary>
/// The storage layout. Points are narrow numeric rows (series id, microseconds, value): DuckDB
/// appends those several times faster than rows with text columns. Names and tags live once per
/// series. New rows land in <c>points_recent</c> in arrival order; the writer moves them into
/// <c>points</c> sorted by (time slice, metric, series), so zone maps prune by time, and
/// a metric's or a series' rows lie together within each slice. No indexes: ART indexes slowed ingest and did not speed up these queries.
/// The archive manifest (<c>archive_files</c>, with per-series figures in <c>archive_series</c>)
/// lives in the same file, so recording a Parquet file and deleting its rows is one transaction.
/// </summary>
internal static class Schema
{
    public const string CreateStatements = """
        CREATE TABLE IF NOT EXISTS series (
            series_id INTEGER NOT NULL,
            metric_id INTEGER NOT NULL,
            metric VARCHAR NOT NULL);
        CREATE TABLE IF NOT EXISTS series_tags (
            series_id INTEGER NOT NULL,
            tag_key VARCHAR NOT NULL,
            tag_value VARCHAR NOT NULL);
        CREATE TABLE IF NOT EXISTS points (
            series_id INTEGER NOT NULL,
            ts BIGINT NOT NULL,
            value DOUBLE NOT NULL);
        CREATE TABLE IF NOT EXISTS points_recent (
            series_id INTEGER NOT NULL,
            ts BIGINT NOT NULL,
            value DOUBLE NOT NULL);
        CREATE TABLE IF NOT EXISTS points_1m (
            series_id INTEGER NOT NULL,
            minute BIGINT NOT NULL,
            sum DOUBLE NOT NULL,
            count BIGINT NOT NULL,
            min DOUBLE NOT NULL,
            max DOUBLE NOT NULL);
        CREATE TABLE IF NOT EXISTS ingest_dedupe (
            dedupe_key VARCHAR NOT NULL,
            committed_at BIGINT NOT NULL,
            points INTEGER NOT NULL);
        CREATE TABLE IF NOT EXISTS archive_files (
            file_id BIGINT NOT NULL,
            metric VARCHAR NOT NULL,
            hour_start BIGINT NOT NULL,
            seq INTEGER NOT NULL,
            path VARCHAR NOT NULL,
            rows BIGINT NOT NULL,
            bytes BIGINT NOT NULL,
            min_ts BIGINT NOT NULL,
            max_ts BIGINT NOT NULL,
            min_series INTEGER NOT NULL,
            max_series INTEGER NOT NULL,
            archived_at BIGINT NOT NULL,
            expiring BOOLEAN NOT NULL);
        CREATE TABLE IF NOT EXISTS archive_series (
            file_id BIGINT NOT NULL,
            series_id INTEGER NOT NULL,
            rows BIGINT NOT NULL,
            min_ts BIGINT NOT NULL,
            max_ts BIGINT NOT NULL);
        CREATE OR REPLACE VIEW all_points AS
            SELECT series_id, ts, value FROM points
            UNION ALL
            SELECT series_id, ts, value FROM points_recent;
        """;
}
