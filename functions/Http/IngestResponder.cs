using System.Globalization;
using System.Text.Json;
using FunctionsObservability.Pipeline.Ingest;

namespace FunctionsObservability.Functions.Http;

/// <summary>
/// Writes ingest answers: the product's own JSON for <c>/api/ingest</c>, and InfluxDB's
/// <c>{"code","message"}</c> shape for <c>/api/v2/write</c>, so InfluxDB clients understand them.
/// </summary>
/// <param name="noContentOnSuccess">Prometheus remote_write: 204 without a body, errors in the product's own shape.</param>
/// <param name="otlp">OTLP/HTTP: success in OTLP's answer, errors as a <c>google.rpc.Status</c> for a protobuf request.</param>
internal sealed class IngestResponder(HttpContext context, bool influxStyle, int retryAfterSeconds, bool noContentOnSuccess = false, OtlpAnswer? otlp = null)
{
    /// <summary>Freeing disk space takes an operator; a client retrying every second would only add load.</summary>
    private const int StorageFullRetryAfterSeconds = 30;

    /// <summary>A damaged file needs an operator and a restart.</summary>
    private const int StoreDamagedRetryAfterSeconds = 60;

    public Task ResultAsync(IngestResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        switch (result.Outcome)
        {
            case IngestOutcome.Written or IngestOutcome.AlreadyWritten or IngestOutcome.PartiallyWritten or IngestOutcome.Queued when otlp is not null:
                return otlp.ExportAsync(context.Response, result);
            case IngestOutcome.Rejected when otlp is not null:
                return WriteAsync(StatusCodes.Status400BadRequest, result, OtlpAnswer.Rejection(result));
            case IngestOutcome.Written or IngestOutcome.AlreadyWritten when influxStyle || noContentOnSuccess:
                context.Response.StatusCode = StatusCodes.Status204NoContent;
                return Task.CompletedTask;
            case IngestOutcome.Written:
            case IngestOutcome.AlreadyWritten:
                return WriteAsync(StatusCodes.Status200OK, result, null);
            case IngestOutcome.Queued:
                return WriteAsync(StatusCodes.Status202Accepted, result, "accepted; the points will be committed shortly");
            case IngestOutcome.PartiallyWritten:
                return WriteAsync(StatusCodes.Status400BadRequest, result,
                    $"partial write: {result.ErrorCount} of {result.LinesReceived} lines were rejected; the other {result.PointsWritten} points were written");
            case IngestOutcome.Rejected:
                return WriteAsync(StatusCodes.Status400BadRequest, result, $"{result.Message}; {result.ErrorCount} of {result.LinesReceived} lines were rejected; nothing was written");
            case IngestOutcome.Overloaded:
            case IngestOutcome.ShuttingDown:
                return ErrorAsync(StatusCodes.Status503ServiceUnavailable, $"{result.Message}; nothing was written, retry later");
            case IngestOutcome.StoreDamaged:
                return WriteAsync(StatusCodes.Status503ServiceUnavailable, null, $"{result.Message}; nothing was written", StoreDamagedRetryAfterSeconds);
            case IngestOutcome.StorageFull:
                return WriteAsync(StatusCodes.Status507InsufficientStorage, null, $"{result.Message}; nothing was written, retry once space is freed", StorageFullRetryAfterSeconds);
            default:
                return ErrorAsync(StatusCodes.Status500InternalServerError, $"{result.Message}; nothing was written, the request can be retried");
        }
    }

    public Task ErrorAsync(int status, string message) =>
        WriteAsync(status, null, message);

    private async Task WriteAsync(int status, IngestResult? result, string? message, int? retryAfter = null)
    {
        var response = context.Response;
        response.StatusCode = status;
        if (retryAfter is not null || status is StatusCodes.Status503ServiceUnavailable or StatusCodes.Status429TooManyRequests)
        {
            response.Headers.RetryAfter = (retryAfter ?? retryAfterSeconds).ToString(CultureInfo.InvariantCulture);
        }

        if (otlp is { Json: false })
        {
            await otlp.StatusAsync(response, status, message ?? "").ConfigureAwait(false);
            return;
        }

        response.ContentType = "application/json; charset=utf-8";
        var writer = new Utf8JsonWriter(response.BodyWriter, JsonOutput.WriterOptions);
        await using (writer.ConfigureAwait(false))
        {
            writer.WriteStartObject();
            if (influxStyle)
            {
                writer.WriteString("code", InfluxCode(status));
                writer.WriteString("message", InfluxMessage(message, result));
            }
            else if (message is not null)
            {
                // An acknowledgement carries a message too, but it is not an error.
                writer.WriteString(status >= StatusCodes.Status400BadRequest ? "error" : "message", message);
            }

            if (result is { Outcome: IngestOutcome.AlreadyWritten })
            {
                // A retry of a request that was committed: say so, and report what it wrote then.
                writer.WriteBoolean("alreadyWritten", true);
            }

            if (result is not null && result.Outcome != IngestOutcome.Queued)
            {
                writer.WriteNumber("linesReceived", result.LinesReceived);
                writer.WriteNumber("pointsWritten", result.PointsWritten);
                writer.WriteNumber("errorCount", result.ErrorCount);
                writer.WriteStartArray("errors");
                foreach (var error in result.Errors)
                {
                    writer.WriteStartObject();
                    writer.WriteNumber("line", error.Line);
                    writer.WriteString("message", error.Message);
                    writer.WriteEndObject();
                }

                writer.WriteEndArray();
            }

            writer.WriteEndObject();
        }
    }

    private static string InfluxCode(int status) => status switch
    {
        StatusCodes.Status400BadRequest => "invalid",
        StatusCodes.Status413PayloadTooLarge => "request too large",
        StatusCodes.Status415UnsupportedMediaType => "invalid",
        StatusCodes.Status202Accepted => "accepted",
        StatusCodes.Status503ServiceUnavailable => "unavailable",
        StatusCodes.Status429TooManyRequests => "too many requests",
        StatusCodes.Status408RequestTimeout => "request timeout",
        StatusCodes.Status507InsufficientStorage => "insufficient storage",
        StatusCodes.Status401Unauthorized => "unauthorized",
        _ => "internal error",
    };

    private static string InfluxMessage(string? message, IngestResult? result)
    {
        if (result is null || result.Errors.Count == 0)
        {
            return message ?? "";
        }

        // InfluxDB names the failing lines inside the message; clients show it as it is.
        var lines = string.Join("; ", result.Errors.Take(10).Select(e => string.Create(CultureInfo.InvariantCulture, $"line {e.Line}: {e.Message}")));
        return $"{message}: {lines}";
    }
}
