namespace FunctionsObservability.Pipeline.Formats;

public enum PayloadFormat
{
    /// <summary>InfluxDB line protocol (<c>text/plain</c>).</summary>
    LineProtocol,

    /// <summary>A JSON array of point objects, or <c>{"points":[...]}</c> (<c>application/json</c>).</summary>
    Json,

    /// <summary>One JSON point object per line (<c>application/x-ndjson</c>).</summary>
    NdJson,

    /// <summary>Prometheus remote_write 1.0: a snappy block around a protobuf <c>WriteRequest</c>.</summary>
    PrometheusRemoteWrite,

    /// <summary>OTLP/HTTP metrics: a protobuf <c>ExportMetricsServiceRequest</c> (<c>application/x-protobuf</c>).</summary>
    OtlpProtobuf,

    /// <summary>OTLP/HTTP metrics: an <c>ExportMetricsServiceRequest</c> in OTLP's JSON (<c>application/json</c>).</summary>
    OtlpJson,
}
