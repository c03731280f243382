using System.Text.Json;
using FunctionsObservability.Functions.Queues;

namespace FunctionsObservability.Functions.Http;

/// <summary>
/// The custom-handler side of the <c>IngestQueue</c> function: the Functions host posts
/// <c>{"Data":{"message":...},"Metadata":{...}}</c> to <c>/IngestQueue</c> and reads back
/// <c>{"Outputs":{...},"Logs":[...],"ReturnValue":...}</c>. A 2xx is sent only after the commit;
/// a non-2xx makes the host retry and, after <c>maxDequeueCount</c>, poison the message. A message
/// that can never succeed is written to the <c>poison</c> output binding at once, with its reason.
/// </summary>
internal static class QueueFunctionEndpoint
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
        var invocation = await ReadInvocationAsync(context).ConfigureAwait(false);
        if (invocation is null)
        {
            await WriteAsync(context, StatusCodes.Status400BadRequest, [$"the invocation is not the custom-handler JSON with Data.{TriggerBinding}"], poison: null).ConfigureAwait(false);
            return;
        }

        var (message, id, dequeueCount) = invocation.Value;
        var outcome = await context.RequestServices.GetRequiredService<QueueMessageProcessor>()
            .ProcessAsync(message, id == "?" ? null : id, dequeueCount, context.RequestAborted).ConfigureAwait(false);
        var status = outcome.Disposition switch
        {
            // A poisoned message is answered 200: the host writes it to the poison output and
            // deletes the original instead of retrying what can never succeed.
            QueueDisposition.Done or QueueDisposition.Poison => StatusCodes.Status200OK,

            // Non-2xx makes the host make the message visible again and retry it.
            _ => outcome.StorageFailed ? StatusCodes.Status500InternalServerError : StatusCodes.Status503ServiceUnavailable,
        };
        await WriteAsync(context, status, outcome.Logs, outcome.PoisonRecord).ConfigureAwait(false);
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

    private static Task WriteAsync(HttpContext context, int status, IReadOnlyList<string> logs, string? poison) =>
        CustomHandlerResponse.WriteAsync(context, status, logs, PoisonBinding, poison);
}
