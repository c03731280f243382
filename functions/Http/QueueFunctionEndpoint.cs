using System.Text.Json;
using FunctionsObservability.Pipeline.Formats;
using FunctionsObservability.Pipeline.Ingest;

namespace FunctionsObservability.Functions.Http;

/// <summary>
/// The custom-handler side of the <c>IngestQueue</c> function: the Functions host posts
/// <c>{"Data":{"message":...},"Metadata":{...}}</c> to <c>/IngestQueue</c> and reads back
/// <c>{"Outputs":{...},"Logs":[...],"ReturnValue":...}</c>. A 2xx is sent only after the commit;
/// a non-2xx makes the host retry and, after <c>maxDequeueCount</c>, poison the message. A message
/// that can never succeed is written to the <c>poison</c> output binding at once, with its reason.
/// </summary>
internal static partial class QueueFunctionEndpoint
{
    public const string FunctionName = "IngestQueue";
    public const string TriggerBinding = "message";
    public const string PoisonBinding = "poison";

    /// <summary>Storage queue messages are at most 64 KiB; the host's envelope adds metadata.</summary>
    private const int MaxInvocationBytes = 1024 * 1024;

    public static void MapQueueFunction(this IEndpointRouteBuilder routes) =>
        routes.MapPost($"/{FunctionName}", HandleAsync);

    private static async Task HandleAsync(HttpContext context)
    {
        var logger = context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger("FunctionsObservability.IngestQueue");
        var invocation = await ReadInvocationAsync(context).ConfigureAwait(false);
        if (invocation is null)
        {
            await WriteAsync(context, StatusCodes.Status400BadRequest, [$"the invocation is not the custom-handler JSON with Data.{TriggerBinding}"], poison: null).ConfigureAwait(false);
            return;
        }

        var (message, id, dequeueCount) = invocation.Value;
        if (!QueuePayload.TryRead(message, out var payload, out var error))
        {
            LogPoisoned(logger, id, error!);
            await WriteAsync(context, StatusCodes.Status200OK, [$"message {id} poisoned: {error}"], Poison(id, dequeueCount, error!, [], message)).ConfigureAwait(false);
            return;
        }

        var options = context.RequestServices.GetRequiredService<IngestOptions>();
        var now = context.RequestServices.GetRequiredService<TimeProvider>().GetUtcNow();
        var settings = new ParseSettings(payload!.Precision, now.ToUnixTimeMilliseconds() * 1000, options.MaxLineBytes);
        var request = new IngestRequest(payload.Body, payload.Body.Length, pooledPayload: false, payload.Format, settings, strict: false)
        {
            // A message delivered twice (visibility timeout expired mid-work, or a crash after the
            // commit and before the host deleted it) keeps its id, so its points commit once.
            DedupeKey = id == "?" ? null : "queue:" + id,
        };
        var result = await context.RequestServices.GetRequiredService<IngestPipeline>()
            .SubmitAsync(request, waitForCommit: true, context.RequestAborted).ConfigureAwait(false);

        switch (result.Outcome)
        {
            case IngestOutcome.Written:
                await WriteAsync(context, StatusCodes.Status200OK, [$"message {id}: {result.PointsWritten} points committed"], poison: null).ConfigureAwait(false);
                break;
            case IngestOutcome.AlreadyWritten:
                await WriteAsync(context, StatusCodes.Status200OK, [$"message {id}: already committed earlier; not written again"], poison: null).ConfigureAwait(false);
                break;
            case IngestOutcome.PartiallyWritten:
                LogPartial(logger, id, result.ErrorCount, result.LinesReceived);
                await WriteAsync(context, StatusCodes.Status200OK,
                    [$"message {id}: {result.PointsWritten} points committed, {result.ErrorCount} of {result.LinesReceived} lines rejected", .. result.Errors.Take(10).Select(e => $"line {e.Line}: {e.Message}")],
                    poison: null).ConfigureAwait(false);
                break;
            case IngestOutcome.Rejected:
                LogPoisoned(logger, id, result.Message ?? "rejected");
                await WriteAsync(context, StatusCodes.Status200OK, [$"message {id} poisoned: {result.Message}"],
                    Poison(id, dequeueCount, result.Message ?? "rejected", result.Errors.Select(e => (e.Line, e.Message)), message)).ConfigureAwait(false);
                break;
            default:
                // Transient: answer non-2xx so the host makes the message visible again and retries.
                await WriteAsync(context, result.Outcome == IngestOutcome.StorageFailed ? StatusCodes.Status500InternalServerError : StatusCodes.Status503ServiceUnavailable,
                    [$"message {id} not committed, will be retried: {result.Message}"], poison: null).ConfigureAwait(false);
                break;
        }
    }

    private static async Task<(string Message, string Id, int DequeueCount)?> ReadInvocationAsync(HttpContext context)
    {
        if (context.Request.ContentLength > MaxInvocationBytes)
        {
            return null;
        }

        try
        {
            using var document = await JsonDocument.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted).ConfigureAwait(false);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object
                || !root.TryGetProperty("Data", out var data) || data.ValueKind != JsonValueKind.Object
                || !data.TryGetProperty(TriggerBinding, out var message))
            {
                return null;
            }

            // The host passes the message text as a JSON string; a JSON message may arrive as the value itself.
            var text = message.ValueKind == JsonValueKind.String ? message.GetString()! : message.GetRawText();
            var id = "?";
            var dequeueCount = 0;
            if (root.TryGetProperty("Metadata", out var metadata) && metadata.ValueKind == JsonValueKind.Object)
            {
                if (metadata.TryGetProperty("Id", out var idElement))
                {
                    id = idElement.ValueKind == JsonValueKind.String ? idElement.GetString()! : idElement.GetRawText();
                }

                if (metadata.TryGetProperty("DequeueCount", out var count) && count.ValueKind == JsonValueKind.Number)
                {
                    dequeueCount = count.GetInt32();
                }
            }

            return (text, id, dequeueCount);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static string Poison(string id, int dequeueCount, string reason, IEnumerable<(int Line, string Message)> errors, string message)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, JsonOutput.WriterOptions))
        {
            writer.WriteStartObject();
            writer.WriteString("messageId", id);
            writer.WriteNumber("dequeueCount", dequeueCount);
            writer.WriteString("reason", reason);
            writer.WriteStartArray("errors");
            foreach (var (line, text) in errors.Take(20))
            {
                writer.WriteStartObject();
                writer.WriteNumber("line", line);
                writer.WriteString("message", text);
                writer.WriteEndObject();
            }

            writer.WriteEndArray();

            // Queue messages are capped at 64 KiB; keep the start of the original for diagnosis.
            writer.WriteString("message", message.Length <= 16 * 1024 ? message : message[..(16 * 1024)]);
            writer.WriteEndObject();
        }

        return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
    }

    private static Task WriteAsync(HttpContext context, int status, IReadOnlyList<string> logs, string? poison) =>
        JsonOutput.WriteAsync(context.Response, writer =>
        {
            writer.WriteStartObject();
            writer.WriteStartObject("Outputs");
            if (poison is not null)
            {
                writer.WriteString(PoisonBinding, poison);
            }

            writer.WriteEndObject();
            writer.WriteStartArray("Logs");
            foreach (var line in logs)
            {
                writer.WriteStringValue(line);
            }

            writer.WriteEndArray();
            writer.WriteNull("ReturnValue");
            writer.WriteEndObject();
        }, status);

    [LoggerMessage(EventId = 5001, Level = LogLevel.Warning, Message = "Queue message {MessageId} can never be ingested and goes to the poison queue: {Reason}")]
    private static partial void LogPoisoned(ILogger logger, string messageId, string reason);

    [LoggerMessage(EventId = 5002, Level = LogLevel.Warning, Message = "Queue message {MessageId}: {Rejected} of {Lines} lines rejected; the rest was committed")]
    private static partial void LogPartial(ILogger logger, string messageId, int rejected, int lines);
}
