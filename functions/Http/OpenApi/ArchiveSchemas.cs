using Microsoft.OpenApi;
using static FunctionsObservability.Functions.Http.OpenApi.ApiSchemas;

namespace FunctionsObservability.Functions.Http.OpenApi;

/// <summary>The archive admin bodies, written against <see cref="AdminArchiveEndpoints"/>.</summary>
internal static class ArchiveSchemas
{
    public static OpenApiSchema Manifest() => Obj("The archive manifest by partition (metric and hour).",
        ["enabled", "files", "partitions", "partitionList", "truncated"],
        ("enabled", Bool("Archiving is on.")),
        ("hotWindowStart", Time("Points before this are due to be archived.")),
        ("retentionDays", Int("Archived data is deleted after this many days.")),
        ("files", Int("Parquet files in all.")),
        ("rows", Long("Rows in all.")),
        ("bytes", Long("Bytes in all.")),
        ("partitions", Int("Partitions in all (before limit).")),
        ("cache", Obj("The local cache of archived files.", ["bytes", "capacityBytes"],
            ("bytes", Long("Cached now.")),
            ("capacityBytes", Long("The cache's capacity.")))),
        ("partitionList", Array(Obj("One metric's hour.", ["metric", "hour", "files"],
            ("metric", Str("The metric.")),
            ("hour", Time("The hour's start.")),
            ("rows", Long("Rows.")),
            ("bytes", Long("Bytes.")),
            ("files", Array(Obj("A Parquet file.", ["path"],
                ("path", Str("Its path in the archive store.")),
                ("rows", Long("Rows.")),
                ("bytes", Long("Bytes.")),
                ("minTimestamp", Time("Its first point.")),
                ("maxTimestamp", Time("Its last point.")),
                ("archivedAt", Time("When it was written.")))))))),
        ("truncated", Bool("More partitions than limit.")));

    public static OpenApiSchema Run() => Obj("What an archive run did (with untilDone, every run together).",
        ["status", "summary"],
        [.. RunProperties()]);

    /// <summary>NDJSON progress: a line per partition, a line per run under untilDone, then the summary line.</summary>
    public static OpenApiSchema ProgressLine() => Obj(
        "One NDJSON line of a streamed run. partition, partitionDeferred and partitionFailed lines describe a partition; "
        + "a run line ends one run of untilDone; the last line (event completed, skipped or failed) is the summary, with the fields of ArchiveRun.",
        ["event"],
        [
            ("event", Enum("partition", "partitionDeferred", "partitionFailed", "run", "completed", "skipped", "failed")),
            ("metric", Str("The partition's metric.")),
            ("hour", Time("The partition's hour.")),
            ("rows", Long("Rows of the partition.")),
            ("bytes", Long("Bytes of the partition.")),
            ("path", Str("The Parquet file written.")),
            ("done", Int("Partitions done in this run.")),
            ("total", Int("Partitions in this run.")),
            .. RunProperties(),
        ]);

    private static IEnumerable<(string, IOpenApiSchema)> RunProperties() =>
    [
        ("run", Int("Which run of untilDone.")),
        ("status", Enum("completed", "skipped", "failed")),
        ("summary", Str("One line for people.")),
        ("filesArchived", Int("Files written.")),
        ("rowsArchived", Long("Rows archived.")),
        ("bytesArchived", Long("Bytes written.")),
        ("partitionsFailed", Int("Partitions that failed (kept in DuckDB, retried next run).")),
        ("partitionsDeferred", Int("Partitions left for a later run.")),
        ("morePending", Bool("Work is left for another run.")),
        ("elapsedMs", Num("Time taken.")),
        ("error", Str("Why the run or partition failed.")),
        ("runs", Int("Runs made (untilDone).")),
    ];
}
