using FunctionsObservability.Functions.Standalone.Security;
using Microsoft.OpenApi;

namespace FunctionsObservability.Functions.Http.OpenApi;

/// <summary>OTLP/HTTP metrics, described against <see cref="IngestEndpoints.OtlpMetricsAsync"/> and <see cref="OtlpAnswer"/>.</summary>
internal static partial class ApiCatalogue
{
    private const string Protobuf = "application/x-protobuf";

    private const string OtlpJsonExample =
        """{"resourceMetrics":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"checkout"}}]},"scopeMetrics":[{"metrics":[{"name":"queue.depth","gauge":{"dataPoints":[{"timeUnixNano":"1767225600000000000","asDouble":4,"attributes":[{"key":"queue","value":{"stringValue":"orders"}}]}]}}]}]}]}""";

    private static ApiRoute OtlpMetrics() => new(Routes.OtlpMetrics, "OpenTelemetry",
    [
        new(HttpMethods.Post, "otlpMetrics", "OTLP/HTTP metrics export",
            "An ExportMetricsServiceRequest as OpenTelemetry exporters send it: protobuf or OTLP JSON, optionally gzip. Standalone, also at /v1/metrics "
            + "(an exporter whose endpoint is http://host:port posts there); under the Functions host set the endpoint to https://app/api. "
            + "Named as Prometheus translates OTLP: a gauge keeps its name (dots and other characters become _), a monotonic cumulative sum is a "
            + "counter named …_total, a non-monotonic one a gauge, a histogram …_bucket{le}, …_sum and …_count, a summary …{quantile}, …_sum and …_count. "
            + "Data point attributes are tags; service.name (namespace/name) is job and service.instance.id instance; other resource attributes and "
            + "the scope are not kept. Delta temporality and exponential histograms are rejected per data point; data points flagged with no "
            + "recorded value are skipped. Same limits, Idempotency-Key and ack as POST /api/ingest. Key: an ingest key.",
            RouteAccess.Ingest,
            [
                new("ack", ParameterLocation.Query, "sync: answer after the commit; async: answer 200 once the points are in the pipeline (rejections are then only logged).",
                    ApiType.OneOf("sync", "sync", "async")),
                new("Idempotency-Key", ParameterLocation.Header, "As on POST /api/ingest: a committed key answers 200 and writes nothing.", ApiType.Text with { MaxLength = 200 }),
                ContentEncoding,
            ],
            new("An ExportMetricsServiceRequest.", [new(Protobuf, null, null), new(Json, null, OtlpJsonExample)]),
            [
                new(200, "Committed. An ExportMetricsServiceResponse in the request's encoding; partialSuccess counts the data points that were rejected "
                    + "(the others are written) and names the first.", [new(Protobuf, null, null), new(Json, null, """{"partialSuccess":{"rejectedDataPoints":"1","errorMessage":"1 of 3 data points were rejected: ..."}}""")]),
                new(400, "No data point could be written, or the body is not an ExportMetricsServiceRequest (the message says what and where). "
                    + "A google.rpc.Status for a protobuf request; the product's error for a JSON one.", [new(Protobuf, null, null), new(Json, ApiSchemas.IngestResult)]),
                .. WriteRefusals(ApiSchemas.Error),
            ]),
    ]);
}
