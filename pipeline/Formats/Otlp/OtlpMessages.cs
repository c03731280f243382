using Google.Protobuf;

namespace FunctionsObservability.Pipeline.Formats.Otlp;

/// <summary>
/// The answers of <c>POST /v1/metrics</c>, in the request's encoding: an <c>ExportMetricsServiceResponse</c>
/// (with <c>partialSuccess</c> when some data points were rejected) and a <c>google.rpc.Status</c>.
/// The generated messages stay internal to the pipeline; the HTTP layer asks for bytes.
/// </summary>
public static class OtlpMessages
{
    public const string ProtobufMediaType = "application/x-protobuf";
    public const string JsonMediaType = "application/json";

    /// <summary>An export answer; without <c>partialSuccess</c> when nothing was rejected.</summary>
    public static byte[] ExportResponse(bool json, long rejectedDataPoints, string? errorMessage)
    {
        var response = new ExportMetricsServiceResponse();
        if (rejectedDataPoints > 0 || !string.IsNullOrEmpty(errorMessage))
        {
            response.PartialSuccess = new ExportMetricsPartialSuccess { RejectedDataPoints = rejectedDataPoints, ErrorMessage = errorMessage ?? "" };
        }

        return Encode(json, response);
    }

    /// <summary>A <c>google.rpc.Status</c> with a gRPC status code (3 invalid argument, 8 resource exhausted, 14 unavailable, ...).</summary>
    public static byte[] Status(bool json, int code, string message) =>
        Encode(json, new Status { Code = code, Message = message });

    private static byte[] Encode(bool json, IMessage message) =>
        json ? System.Text.Encoding.UTF8.GetBytes(JsonFormatter.Default.Format(message)) : message.ToByteArray();
}
