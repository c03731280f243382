using FunctionsObservability.Pipeline.Formats;
using FunctionsObservability.Pipeline.Ingest;
using FunctionsObservability.Pipeline.Model;

namespace FunctionsObservability.Functions.Http;

/// <summary>
/// <c>POST /api/ingest</c> (format by Content-Type) and <c>POST /api/v2/write</c> (InfluxDB v2
/// compatible). Both read the body under limits, hand it to the mesh, and answer after the commit
/// unless <c>ack=async</c> asks otherwise.
/// </summary>
internal static class IngestEndpoints
{
    private const int MaxIdempotencyKeyLength = 200;

    public static Task IngestAsync(HttpContext context) => HandleAsync(context, influxStyle: false);

    public static Task InfluxWriteAsync(HttpContext context) => HandleAsync(context, influxStyle: true);

    /// <summary>
    /// Prometheus remote_write: 204 when every sample is committed; 400 for samples that can never
    /// be accepted (the good ones are committed; the sender must not retry); 429 or 503 with
    /// Retry-After under pressure (it retries). Errors are the product's own JSON.
    /// </summary>
    public static Task PrometheusWriteAsync(HttpContext context) => HandleAsync(context, influxStyle: false, remoteWrite: true);

    /// <summary>
    /// OTLP/HTTP metrics: 200 with an <c>ExportMetricsServiceResponse</c> in the request's encoding, with
    /// <c>partialSuccess</c> counting the rejected data points; 400 when none could be written; 429 or 503
    /// with Retry-After under pressure (the exporter retries). See <see cref="OtlpAnswer"/>.
    /// </summary>
    public static Task OtlpMetricsAsync(HttpContext context) => HandleAsync(context, influxStyle: false, otlp: true);

    private static async Task HandleAsync(HttpContext context, bool influxStyle, bool remoteWrite = false, bool otlp = false)
    {
        var services = context.RequestServices;
        var options = services.GetRequiredService<IngestOptions>();
        var otlpFormat = otlp ? OtlpAnswer.Format(context.Request.ContentType) : null;
        var responder = new IngestResponder(context, influxStyle, options.RetryAfterSeconds, noContentOnSuccess: remoteWrite,
            otlp: otlp ? new OtlpAnswer(otlpFormat != PayloadFormat.OtlpProtobuf) : null);
        var query = context.Request.Query;

        PayloadFormat format;
        if (remoteWrite)
        {
            format = PayloadFormat.PrometheusRemoteWrite;
        }
        else if (otlp)
        {
            if (otlpFormat is not { } known)
            {
                await responder.ErrorAsync(StatusCodes.Status415UnsupportedMediaType,
                    $"Content-Type \"{context.Request.ContentType}\" is not supported; OTLP/HTTP sends application/x-protobuf or application/json").ConfigureAwait(false);
                return;
            }

            format = known;
        }
        else if (influxStyle)
        {
            format = PayloadFormat.LineProtocol;
        }
        else if (!TryGetFormat(context.Request.ContentType, out format))
        {
            await responder.ErrorAsync(StatusCodes.Status415UnsupportedMediaType,
                $"Content-Type \"{context.Request.ContentType}\" is not supported; use text/plain (line protocol), application/json or application/x-ndjson").ConfigureAwait(false);
            return;
        }

        if (!TimestampPrecisionParser.TryParse(query["precision"], out var precision))
        {
            await responder.ErrorAsync(StatusCodes.Status400BadRequest, $"precision \"{query["precision"]}\" is not one of ns, us, ms, s").ConfigureAwait(false);
            return;
        }

        if (!TryGetFlag(query["strict"], out var strict))
        {
            await responder.ErrorAsync(StatusCodes.Status400BadRequest, $"strict \"{query["strict"]}\" is not true or false").ConfigureAwait(false);
            return;
        }

        var ack = query["ack"].ToString();
        if (ack is not ("" or "sync" or "async"))
        {
            await responder.ErrorAsync(StatusCodes.Status400BadRequest, $"ack \"{ack}\" is not sync or async").ConfigureAwait(false);
            return;
        }

        var idempotencyKey = context.Request.Headers["Idempotency-Key"].ToString();
        if (idempotencyKey.Length > MaxIdempotencyKeyLength || idempotencyKey.Any(char.IsControl))
        {
            await responder.ErrorAsync(StatusCodes.Status400BadRequest,
                $"Idempotency-Key must be at most {MaxIdempotencyKeyLength} printable characters").ConfigureAwait(false);
            return;
        }

        // No slot is taken while the body arrives: a slow sender holds only the memory its bytes
        // use (charged to the shared budget) and only until the body deadline.
        var lease = services.GetRequiredService<IngestMemoryBudget>().OpenLease(ClientAddress(context));
        IngestRequest? request = null;
        try
        {
            var aborted = context.RequestAborted;
            var body = await BodyReader.ReadAsync(context.Request, options, lease, aborted, snappyIsFormat: remoteWrite).ConfigureAwait(false);
            if (!body.Succeeded)
            {
                lease.Dispose();
                IngestHttpLog.BodyRefused(services.GetRequiredService<ILoggerFactory>().CreateLogger(IngestHttpLog.Category), body.Status, context.Request.Path, ClientAddress(context), body.Error!);
                await responder.ErrorAsync(body.Status, body.Error!).ConfigureAwait(false);
                return;
            }

            var now = services.GetRequiredService<TimeProvider>().GetUtcNow();
            var settings = new ParseSettings(precision, now.ToUnixTimeMilliseconds() * 1000, options.MaxLineBytes);
            request = new IngestRequest(body.Buffer!, body.Length, body.Pooled, format, settings, strict)
            {
                DedupeKey = idempotencyKey.Length == 0 ? null : "http:" + idempotencyKey,
                MemoryLease = lease,
            };
            var result = await services.GetRequiredService<IngestPipeline>()
                .SubmitAsync(request, waitForCommit: ack != "async", aborted).ConfigureAwait(false);
            await responder.ResultAsync(result).ConfigureAwait(false);
        }
        catch
        {
            // The mesh releases what it took; anything else goes back here.
            if (request is null)
            {
                lease.Dispose();
            }

            throw;
        }
    }

    /// <summary>The address a client's share of the memory budget is charged to.</summary>
    private static string ClientAddress(HttpContext context) =>
        context.Connection.RemoteIpAddress?.ToString() ?? "unknown";

    private static bool TryGetFormat(string? contentType, out PayloadFormat format)
    {
        var mediaType = (contentType ?? "").Split(';', 2)[0].Trim();
        format = mediaType.ToLowerInvariant() switch
        {
            // curl -d and --data-binary send form encoding unless told otherwise; the body is line protocol.
            "text/plain" or "" or "application/x-www-form-urlencoded" => PayloadFormat.LineProtocol,
            "application/json" => PayloadFormat.Json,
            "application/x-ndjson" or "application/ndjson" or "application/jsonl" => PayloadFormat.NdJson,
            _ => (PayloadFormat)(-1),
        };
        return format >= 0;
    }

    private static bool TryGetFlag(string? text, out bool value)
    {
        value = false;
        if (string.IsNullOrEmpty(text))
        {
            return true;
        }

        return bool.TryParse(text, out value);
    }
}
