using System.Text.Json.Nodes;
using Microsoft.OpenApi;

namespace FunctionsObservability.Functions.Http.OpenApi;

/// <summary>
/// The bodies the routes read and write, as component schemas. The handlers write JSON by hand
/// (<see cref="JsonOutput"/>), so there are no types the generator could describe: these schemas are
/// written against the handlers, and the HTTP tests hold the handlers to the same shapes.
/// </summary>
internal static class ApiSchemas
{
    public const string Error = "Error";
    public const string InfluxError = "InfluxError";
    public const string IngestPoint = "IngestPoint";
    public const string IngestBatch = "IngestBatch";
    public const string IngestResult = "IngestResult";
    public const string Message = "Message";
    public const string Point = "Point";
    public const string PointsPage = "PointsPage";
    public const string Aggregate = "AggregateAnswer";
    public const string MetricList = "MetricList";
    public const string MetricTags = "MetricTags";
    public const string Alive = "Alive";
    public const string Readiness = "Readiness";
    public const string ArchiveManifest = "ArchiveManifest";
    public const string ArchiveRun = "ArchiveRun";
    public const string ArchiveProgress = "ArchiveProgressLine";
    public const string PromAnswer = "PrometheusAnswer";
    public const string PromError = "PrometheusError";

    /// <summary>Every component schema, made anew for each document.</summary>
    public static Dictionary<string, IOpenApiSchema> Create(OpenApiDocument document) => new(StringComparer.Ordinal)
    {
        [Error] = Obj("Every error of the service's own routes. Query routes name the bad parameter.", ["error"],
            ("error", Str("What went wrong, and what to send instead.")),
            ("parameter", Str("The query parameter that was missing or bad."))),
        [InfluxError] = Obj("Errors of the InfluxDB-compatible routes under /api/v2, in InfluxDB's shape.", ["code", "message"],
            ("code", Str("invalid, unauthorized, request timeout, request too large, too many requests, internal error, unavailable, insufficient storage, not found, method not allowed.")),
            ("message", Str("What went wrong; for a partial write, the rejected lines."))),
        [IngestPoint] = Obj("A point to write.", ["metric", "timestamp", "value"],
            ("metric", Str("The metric's name.")),
            ("tags", StringMap("Tag keys and values; a key may appear once.")),
            ("timestamp", new OpenApiSchema
            {
                Description = "An RFC 3339 time, or Unix epoch milliseconds.",
                OneOf = [new OpenApiSchema { Type = JsonSchemaType.String, Format = "date-time" }, new OpenApiSchema { Type = JsonSchemaType.Integer, Format = "int64" }],
            }),
            ("value", new OpenApiSchema { Type = JsonSchemaType.Number | JsonSchemaType.Boolean, Description = "A finite number; true and false are stored as 1 and 0." })),
        [IngestBatch] = new OpenApiSchema
        {
            Description = "A JSON body: an array of points, or an object whose points property holds them.",
            OneOf =
            [
                Array(Ref(IngestPoint, document)),
                Obj("Points wrapped in an object.", ["points"], ("points", Array(Ref(IngestPoint, document)))),
            ],
        },
        [IngestResult] = Obj(
            "What an ingest request wrote. A 400 for a bad parameter, a bad header or a corrupt body carries only error.",
            [],
            ("error", Str("Present on a 400: why some or all lines were rejected.")),
            ("alreadyWritten", Bool("True when the Idempotency-Key was committed earlier: nothing new was written, and the counts are those of that write.")),
            ("linesReceived", Int("Lines (points of a JSON array) in the body.")),
            ("pointsWritten", Int("Points committed.")),
            ("errorCount", Int("Rejected lines in all.")),
            ("errors", Array(Obj("A rejected line.", ["line", "message"],
                ("line", Int("The physical line from 1 (line protocol, NDJSON), or the point's index from 1 (JSON array).")),
                ("message", Str("Why the line was rejected."))), "The first 100 rejected lines."))),
        [Message] = Obj("An acknowledgement or notice.", ["message"], ("message", Str("What happened."))),
        [Point] = Obj("A stored point.", ["metric", "tags", "timestamp", "value"],
            ("metric", Str("The metric's name.")),
            ("tags", StringMap("The series' tags.")),
            ("timestamp", Time("RFC 3339, UTC, to the microsecond.")),
            ("value", Num("The value."))),
        [PointsPage] = Obj("A page of points, ordered by timestamp, then series.", ["points", "nextCursor"],
            ("points", Array(Ref(Point, document))),
            ("nextCursor", new OpenApiSchema { Type = JsonSchemaType.String | JsonSchemaType.Null, Description = "Pass back as cursor for the next page; null on the last page." })),
        [Aggregate] = Obj("Time buckets per group; buckets with no points are left out.", ["series"],
            ("series", Array(Obj("One group (all matching series together without groupBy).", ["tags", "points"],
                ("tags", StringMap("The groupBy tag and its value; empty without groupBy.")),
                ("points", Array(Obj("A bucket.", ["timestamp", "value"],
                    ("timestamp", Time("The bucket's start.")),
                    ("value", Num("The function over the bucket's points."))))))))),
        [MetricList] = Obj("Metrics with points, from the in-memory catalog.", ["metrics"],
            ("metrics", Array(Obj("A metric.", ["metric", "series", "points"],
                ("metric", Str("The metric's name.")),
                ("series", Int("Series with at least one point.")),
                ("points", Long("Committed points.")))))),
        [MetricTags] = Obj("A metric's tag keys and their values, sorted.", ["metric", "tags"],
            ("metric", Str("The metric's name.")),
            ("tags", new OpenApiSchema { Type = JsonSchemaType.Object, AdditionalProperties = Array(Str("A value.")) })),
        [Alive] = Obj("Liveness.", ["status"], ("status", new OpenApiSchema { Type = JsonSchemaType.String, Const = "alive" })),
        [Readiness] = Obj("Readiness: 200 when the writer runs and accepts writes and the disk takes them, else 503.", ["status", "writer", "storage"],
            ("status", Enum("ready", "not ready")),
            ("writer", Enum("running", "draining", "stopped")),
            ("bufferDepth", Int("Requests in the pipeline.")),
            ("storage", Enum("writable", "full", "damaged")),
            ("storageFullSince", Str("When the disk filled (storage full).")),
            ("storageDamage", Str("DuckDB's message (storage damaged).")),
            ("ingestMemoryBytes", Long("Request bodies held now.")),
            ("ingestMemoryBudgetBytes", Long("Ingest:MemoryBudgetBytes.")),
            ("unclusteredRows", Long("Rows not yet re-clustered.")),
            ("series", Int("Series in the catalog.")),
            ("managedHeapBytes", Long("GC heap size.")),
            ("managedCommittedBytes", Long("GC committed memory.")),
            ("processWorkingSetBytes", Long("The process's working set.")),
            ("duckdbMemoryBytes", Long("DuckDB's own memory.")),
            ("queueListener", Enum("listening", "storage unreachable")),
            ("queueStorageFailures", Int("Failed queue storage calls (when the app listens to a queue).")),
            ("archiveEnabled", Bool("Archiving to Parquet is on.")),
            ("archivedFiles", Int("Parquet files in the manifest.")),
            ("archiveCacheBytes", Long("Archived files cached locally."))),
        [ArchiveManifest] = ArchiveSchemas.Manifest(),
        [ArchiveRun] = ArchiveSchemas.Run(),
        [ArchiveProgress] = ArchiveSchemas.ProgressLine(),
        [PromAnswer] = Obj("Prometheus's envelope. data is the route's answer as Prometheus 2.42 gives it: for queries "
            + "{resultType, result} with [seconds, \"value\"] pairs (values are strings); for series a list of label objects; "
            + "for labels and label values a list of strings.", ["status", "data"],
            ("status", Enum("success")),
            ("data", new OpenApiSchema { Description = "The answer; its shape depends on the route." }),
            ("warnings", Array(Str("A warning.")))),
        [PromError] = Obj("Prometheus's error envelope.", ["status", "errorType", "error"],
            ("status", Enum("error")),
            ("errorType", Enum("bad_data", "execution", "timeout", "unavailable", "internal")),
            ("error", Str("What went wrong: for a query, the position and the unsupported or bad part."))),
    };

    public static OpenApiSchemaReference Ref(string id, OpenApiDocument document) => new(id, document);

    public static OpenApiSchema Obj(string description, string[] required, params (string Name, IOpenApiSchema Schema)[] properties) => new()
    {
        Type = JsonSchemaType.Object,
        Description = description,
        Required = new HashSet<string>(required, StringComparer.Ordinal),
        Properties = properties.ToDictionary(p => p.Name, p => p.Schema, StringComparer.Ordinal),
    };

    public static OpenApiSchema Array(IOpenApiSchema items, string? description = null) =>
        new() { Type = JsonSchemaType.Array, Items = items, Description = description };

    public static OpenApiSchema Str(string description) => new() { Type = JsonSchemaType.String, Description = description };

    public static OpenApiSchema Int(string description) => new() { Type = JsonSchemaType.Integer, Format = "int32", Description = description };

    public static OpenApiSchema Long(string description) => new() { Type = JsonSchemaType.Integer, Format = "int64", Description = description };

    public static OpenApiSchema Num(string description) => new() { Type = JsonSchemaType.Number, Format = "double", Description = description };

    public static OpenApiSchema Bool(string description) => new() { Type = JsonSchemaType.Boolean, Description = description };

    public static OpenApiSchema Time(string description) => new() { Type = JsonSchemaType.String, Format = "date-time", Description = description };

    public static OpenApiSchema Enum(params string[] values) =>
        new() { Type = JsonSchemaType.String, Enum = [.. values.Select(v => (JsonNode)JsonValue.Create(v))] };

    private static OpenApiSchema StringMap(string description) =>
        new() { Type = JsonSchemaType.Object, AdditionalProperties = new OpenApiSchema { Type = JsonSchemaType.String }, Description = description };
}
