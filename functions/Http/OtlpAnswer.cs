using System.Globalization;
using FunctionsObservability.Pipeline.Formats;
using FunctionsObservability.Pipeline.Formats.Otlp;
using FunctionsObservability.Pipeline.Ingest;

namespace FunctionsObservability.Functions.Http;

/// <summary>
/// OTLP/HTTP's answers, in the request's encoding. Success (some data points may be rejected) is 200
/// with an <c>ExportMetricsServiceResponse</c> whose <c>partialSuccess</c> counts the rejected data
/// points and names the first; a failure is a <c>google.rpc.Status</c> for a protobuf request and the
/// product's JSON error for a JSON one (whose <c>error</c> is the same text).
/// </summary>
/// <param name="Json">The request was OTLP JSON (or its Content-Type was not understood).</param>
internal sealed record OtlpAnswer(bool Json)
{
    /// <summary>How many rejected data points a message names; the count covers them all.</summary>
    private const int NamedErrors = 10;

    /// <summary>The format for a Content-Type, or null when OTLP/HTTP does not send it.</summary>
    public static PayloadFormat? Format(string? contentType) =>
        (contentType ?? "").Split(';', 2)[0].Trim().ToLowerInvariant() switch
        {
            OtlpMessages.ProtobufMediaType => PayloadFormat.OtlpProtobuf,
            OtlpMessages.JsonMediaType => PayloadFormat.OtlpJson,
            _ => null,
        };

    /// <summary>200 with the export answer. ack=async (Queued) knows of no rejection yet: its rejections are only logged.</summary>
    public Task ExportAsync(HttpResponse response, IngestResult result)
    {
        ArgumentNullException.ThrowIfNull(response);
        ArgumentNullException.ThrowIfNull(result);
        var rejected = result.Outcome == IngestOutcome.Queued ? 0 : result.ErrorCount;
        var message = rejected == 0 ? null
            : string.Create(CultureInfo.InvariantCulture, $"{rejected} of {result.LinesReceived} data points were rejected: {Describe(result)}");
        return WriteAsync(response, StatusCodes.Status200OK, OtlpMessages.ExportResponse(Json, rejected, message));
    }

    /// <summary>A failure as a <c>google.rpc.Status</c>, the status already set by the caller.</summary>
    public Task StatusAsync(HttpResponse response, int status, string message)
    {
        ArgumentNullException.ThrowIfNull(response);
        return WriteAsync(response, status, OtlpMessages.Status(Json, GrpcCode(status), message));
    }

    /// <summary>Why nothing of the request was written: a body that does not decode, or no data point that is valid.</summary>
    public static string Rejection(IngestResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        if (result.LinesReceived == 0)
        {
            return $"nothing was written: {Describe(result)}";
        }

        // No data point was valid (some may have been skipped as unrecorded), or strict=true and one was not.
        return string.Create(CultureInfo.InvariantCulture,
            $"nothing was written: {result.ErrorCount} of {result.LinesReceived} data points were rejected: {Describe(result)}");
    }

    /// <summary>The first rejected data points, by number (unit 0 is the body itself).</summary>
    private static string Describe(IngestResult result)
    {
        var named = string.Join("; ", result.Errors.Take(NamedErrors).Select(static e =>
            e.Line == 0 || e.Message.StartsWith("data point ", StringComparison.Ordinal) ? e.Message
                : string.Create(CultureInfo.InvariantCulture, $"data point {e.Line}: {e.Message}")));
        var more = result.ErrorCount - Math.Min(result.Errors.Count, NamedErrors);
        return more > 0 ? string.Create(CultureInfo.InvariantCulture, $"{named}; and {more} more") : named;
    }

    /// <summary>google.rpc.Code for an HTTP status, as OTLP/HTTP pairs them.</summary>
    private static int GrpcCode(int status) => status switch
    {
        StatusCodes.Status400BadRequest or StatusCodes.Status415UnsupportedMediaType => 3, // INVALID_ARGUMENT
        StatusCodes.Status401Unauthorized => 16, // UNAUTHENTICATED
        StatusCodes.Status408RequestTimeout => 4, // DEADLINE_EXCEEDED
        StatusCodes.Status413PayloadTooLarge or StatusCodes.Status429TooManyRequests or StatusCodes.Status507InsufficientStorage => 8, // RESOURCE_EXHAUSTED
        StatusCodes.Status503ServiceUnavailable => 14, // UNAVAILABLE
        StatusCodes.Status500InternalServerError => 13, // INTERNAL
        _ => 2, // UNKNOWN
    };

    private async Task WriteAsync(HttpResponse response, int status, byte[] body)
    {
        response.StatusCode = status;
        response.ContentType = Json ? OtlpMessages.JsonMediaType : OtlpMessages.ProtobufMediaType;
        response.ContentLength = body.Length;
        await response.Body.WriteAsync(body).ConfigureAwait(false);
    }
}
