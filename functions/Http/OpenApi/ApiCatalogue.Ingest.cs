using FunctionsObservability.Functions.Standalone.Security;
using Microsoft.OpenApi;

namespace FunctionsObservability.Functions.Http.OpenApi;

/// <summary>The write routes, described against <see cref="IngestEndpoints"/>, <see cref="BodyReader"/> and <see cref="IngestResponder"/>.</summary>
internal static partial class ApiCatalogue
{
    private const string LineProtocolExample = "cpu,host=h1,region=eu usage_user=12.5,usage_system=3 1767225600000000000";

    private static ApiParameter Precision => new("precision", ParameterLocation.Query,
        "The unit of line-protocol timestamps.", ApiType.OneOf("ns", "ns", "us", "ms", "s"));

    private static ApiParameter ContentEncoding => new("Content-Encoding", ParameterLocation.Header,
        "gzip for a gzip body (expanded up to Ingest:MaxDecompressedBytes); absent or identity for a plain one.",
        ApiType.OneOf("identity", "gzip", "identity"));

    private static ApiRoute Ingest() => new(Routes.Ingest, "Ingest",
    [
        new(HttpMethods.Post, "ingest", "Write points (line protocol, JSON or NDJSON)",
            "The format comes from Content-Type. A 2xx means the points are committed: synced to the point log and readable "
            + "by the next query (ack=async: accepted into the pipeline, committed shortly). Good lines are written even when "
            + "others are bad, unless strict=true. Key: an ingest key.",
            RouteAccess.Ingest,
            [
                Precision,
                new("strict", ParameterLocation.Query, "true: if any line is bad, write nothing.", ApiType.Flag with { Default = "false" }),
                new("ack", ParameterLocation.Query, "sync: answer after the commit; async: answer 202 once the points are in the pipeline.",
                    ApiType.OneOf("sync", "sync", "async")),
                new("Idempotency-Key", ParameterLocation.Header,
                    "Makes a retry safe: a request whose key was committed within Storage:DedupeWindowHours writes nothing and answers 200 with alreadyWritten.",
                    ApiType.Text with { MaxLength = 200 }),
                ContentEncoding,
            ],
            new("Points in line protocol, JSON or NDJSON.",
            [
                new("text/plain", null, LineProtocolExample),
                new("application/x-www-form-urlencoded", null, LineProtocolExample),
                new(Json, ApiSchemas.IngestBatch, """[{"metric":"cpu_usage_user","tags":{"host":"h1"},"timestamp":"2026-01-01T00:00:00Z","value":12.5}]"""),
                new(NdJson, ApiSchemas.IngestPoint, """{"metric":"cpu_usage_user","tags":{"host":"h1"},"timestamp":1767225600000,"value":12.5}"""),
                new("application/ndjson", ApiSchemas.IngestPoint),
                new("application/jsonl", ApiSchemas.IngestPoint),
            ]),
            [
                new(200, "Every point committed (or, with alreadyWritten, committed by an earlier request with this Idempotency-Key).", [new(Json, ApiSchemas.IngestResult)]),
                new(202, "ack=async: accepted into the pipeline; committed shortly, and before a clean shutdown ends.", [new(Json, ApiSchemas.Message)]),
                new(400, "Some lines are bad: the good ones are committed and errors lists the bad ones; with strict=true, or when no line "
                    + "is valid, nothing is written. Also a bad precision, strict, ack or Idempotency-Key, or a corrupt gzip body (then only error).",
                    [new(Json, ApiSchemas.IngestResult)]),
                .. WriteRefusals(ApiSchemas.Error),
            ]),
    ]);

    private static ApiRoute InfluxWrite() => new(Routes.InfluxWrite, "InfluxDB",
    [
        new(HttpMethods.Post, "influxWrite", "Write line protocol (InfluxDB v2 write API)",
            "InfluxDB v2 clients and Telegraf write here unchanged. One point per numeric field, named measurement_field. "
            + "Same limits and behaviour as POST /api/ingest; errors in InfluxDB's {\"code\",\"message\"} shape. "
            + "Key: an ingest key, also as Authorization: Token <key>.",
            RouteAccess.Ingest,
            [
                new("org", ParameterLocation.Query, "Accepted for InfluxDB clients; not used.", ApiType.Text),
                new("bucket", ParameterLocation.Query, "Accepted for InfluxDB clients; not used: every point goes to the one store.", ApiType.Text),
                Precision,
                new("Idempotency-Key", ParameterLocation.Header, "As on POST /api/ingest: a committed key answers 204 and writes nothing.", ApiType.Text with { MaxLength = 200 }),
                ContentEncoding,
            ],
            new("Line protocol, whatever the Content-Type.", [new("text/plain", null, LineProtocolExample)]),
            [
                new(204, "Every point committed.", []),
                new(400, "invalid: some lines are bad (the good ones are written; message names the bad lines), a bad parameter, or a corrupt gzip body.",
                    ErrorBody(ApiSchemas.InfluxError)),
                .. WriteRefusals(ApiSchemas.InfluxError),
            ]),
    ]);

    private static ApiRoute PrometheusWrite() => new(Routes.PrometheusWrite, "Prometheus",
    [
        new(HttpMethods.Post, "prometheusRemoteWrite", "Prometheus remote_write 1.0",
            "A snappy block (not the framed format) around a protobuf WriteRequest, as Prometheus' remote_write sends it "
            + "(Content-Encoding: snappy, Content-Type: application/x-protobuf, X-Prometheus-Remote-Write-Version: 0.1.0). "
            + "A series' __name__ label is the metric and its other labels are tags; each sample is a point. Stale markers are skipped. "
            + "Each time series is one unit: error messages number them from 1 in request order. "
            + "Key: an ingest key; also as Authorization: Bearer <key> (remote_write's authorization setting).",
            RouteAccess.Ingest,
            [
                new("Content-Encoding", ParameterLocation.Header, "snappy: the format's own block compression, decoded under Ingest:MaxDecompressedBytes.", ApiType.Text),
                new("X-Prometheus-Remote-Write-Version", ParameterLocation.Header, "0.1.0, as Prometheus sends it; not checked.", ApiType.Text),
            ],
            new("Snappy-compressed protobuf WriteRequest.", [new("application/x-protobuf", null, null)]),
            [
                new(204, "Every sample committed (stale markers skipped).", []),
                new(400, "Samples that can never be accepted (the good ones are written, and errors numbers the bad series from 1; the sender must not retry), "
                    + "or a body that is not a snappy WriteRequest.",
                    [new(Json, ApiSchemas.IngestResult)]),
                .. WriteRefusals(ApiSchemas.Error),
            ]),
    ]);

    /// <summary>The refusals both write routes share, in the route's error shape.</summary>
    private static ApiResponse[] WriteRefusals(string error) =>
    [
        Unauthorized(error),
        new(408, "The whole body did not arrive within Ingest:BodyTimeoutSeconds, or arrived slower than Kestrel's minimum data rate. Nothing was written.", ErrorBody(error)),
        new(413, "The body is larger than Ingest:MaxBodyBytes, or a gzip body expands past Ingest:MaxDecompressedBytes.", ErrorBody(error)),
        new(415, "Unsupported Content-Type or Content-Encoding.", ErrorBody(error)),
        RateLimited(error, " (RateLimits:Ingest), or this client's bodies in flight hold its share of the memory budget (Ingest:ClientMemoryBudgetBytes). Nothing was written"),
        InternalError("The commit failed: nothing of this request was written; it may be retried.", error),
        new(503, "The pipeline stayed full past Ingest:AdmissionTimeoutMilliseconds, the ingest memory budget is spent, the service is shutting down, "
            + "or the store is damaged. Nothing was written.", ErrorBody(error), RetryAfter: true),
        new(507, "The disk is full. Nothing was written; writes resume once space is freed.", ErrorBody(error), RetryAfter: true),
    ];
}
