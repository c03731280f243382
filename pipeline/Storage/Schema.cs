namespace FunctionsObservability.Pipeline.Storage;

/// <summary>
/// The storage layout. Points are narrow numeric rows (series id, microseconds, value): DuckDB
/// appends those several times faster than rows with text columns. Names and tags live once per
/// series. New rows are made durable by the point log (<see cref="Log.PointLog"/>) and wait in
/// memory (<see cref="HeadTables"/>); the writer applies them to <c>points</c> in large chunks
/// sorted by (time slice, metric, series), so zone maps prune by time, and a metric's or a series'
/// rows lie together within each slice. <c>wal_state</c> records the last log sequence applied, in
/// the same transaction as the rows. No indexes: ART indexes slowed ingest and did not speed up these queries.
/// The archive manifest (<c>archive_files</c>, with per-series figures in <c>archive_series</c>)
/// lives in the same file, so recording a Parquet file and deleting its rows is one transaction.
/// </summary>
internal static class Schema
{
    /// <summary>Files written before the point log kept unapplied rows here, on disk.</summary>
    public const string LegacyRecentTable = "points_recent";

    public const string CreateStatements = """
        DROP VIEW IF EXISTS all_points;
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
        CREATE TABLE IF NOT EXISTS wal_state (
            applied_seq BIGINT NOT NULL);
        INSERT INTO wal_state SELECT 0 WHERE NOT EXISTS (SELECT 1 FROM wal_state);
        """;
}
