using System.Text.Json;
using FunctionsObservability.Functions.Http;

namespace FunctionsObservability.Functions.Timers;

/// <summary>
/// The custom-handler side of the timer functions: when a schedule comes due the Functions host
/// posts <c>{"Data":{"timer":{...}},"Metadata":{...}}</c> to <c>/&lt;FunctionName&gt;</c> and reads back
/// <c>{"Outputs":{},"Logs":[...],"ReturnValue":null}</c>. A non-2xx makes the host record the
/// invocation as failed; a timer invocation is not retried, the next occurrence simply runs.
/// </summary>
internal static class TimerFunctionEndpoints
{
    public const string TriggerBinding = "timer";

    /// <summary>The host's timer payload is a few hundred bytes; anything far larger is not from it.</summary>
    private const int MaxInvocationBytes = 64 * 1024;

    /// <summary>
    /// Maps one route per timer function.json deployed with the app, as the host sees them, whether
    /// or not a job is registered for it; a function without a job answers 404 with a log line,
    /// which the host records as a failure.
    /// </summary>
    public static void MapTimerFunctions(this IEndpointRouteBuilder routes)
    {
        foreach (var name in TimerSchedule.FindTimerFunctions())
        {
            routes.MapPost($"/{name}", context => HandleAsync(context, name));
        }
    }

    private static async Task HandleAsync(HttpContext context, string functionName)
    {
        var invocation = await ReadInvocationAsync(context).ConfigureAwait(false);
        if (invocation.Error is not null)
        {
            await WriteAsync(context, StatusCodes.Status400BadRequest, [invocation.Error]).ConfigureAwait(false);
            return;
        }

        // Shutdown cancels the run as well as a caller that went away, so stopping does not wait out a long job.
        var stopping = context.RequestServices.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping;
        using var cancellation = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, stopping);
        TimerRunResult result;
        try
        {
            result = await context.RequestServices.GetRequiredService<TimerJobRunner>()
                .TryRunAsync(functionName, "host", cancellation.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested && !context.RequestAborted.IsCancellationRequested)
        {
            await WriteAsync(context, StatusCodes.Status503ServiceUnavailable, [$"{functionName} was cancelled: the app is shutting down"]).ConfigureAwait(false);
            return;
        }

        var logs = new List<string>(2) { result.Describe() };
        if (invocation.PastDue)
        {
            logs.Add("the host marked this invocation past due: an occurrence was missed");
        }

        var status = result.Status switch
        {
            TimerRunStatus.Ran or TimerRunStatus.Skipped => StatusCodes.Status200OK,
            TimerRunStatus.Unknown => StatusCodes.Status404NotFound,
            _ => StatusCodes.Status500InternalServerError,
        };
        await WriteAsync(context, status, logs).ConfigureAwait(false);
    }

    /// <summary>
    /// The run needs nothing from the payload, so a missing or empty <c>Data</c> is fine (a manual
    /// POST may send no body); only what is too large or not JSON at all is refused.
    /// </summary>
    private static async Task<(bool PastDue, string? Error)> ReadInvocationAsync(HttpContext context)
    {
        var request = context.Request;
        if (request.ContentLength > MaxInvocationBytes)
        {
            return (false, $"the invocation is {request.ContentLength} bytes, more than the limit of {MaxInvocationBytes}");
        }

        using var buffer = new MemoryStream();
        var chunk = new byte[8192];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, context.RequestAborted).ConfigureAwait(false)) > 0)
        {
            if (buffer.Length + read > MaxInvocationBytes)
            {
                return (false, $"the invocation is more than the limit of {MaxInvocationBytes} bytes");
            }

            buffer.Write(chunk, 0, read);
        }

        if (buffer.Length == 0)
        {
            return (false, null);
        }

        try
        {
            using var document = JsonDocument.Parse(buffer.GetBuffer().AsMemory(0, (int)buffer.Length));
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return (false, "the invocation is not the custom-handler JSON object");
            }

            return (root.TryGetProperty("Data", out var data)
                && data.ValueKind == JsonValueKind.Object
                && data.TryGetProperty(TriggerBinding, out var timer)
                && IsPastDue(timer), null);
        }
        catch (JsonException)
        {
            return (false, "the invocation is not JSON");
        }
    }

    /// <summary>The host may pass the timer info as an object or as a JSON string.</summary>
    private static bool IsPastDue(JsonElement timer)
    {
        if (timer.ValueKind == JsonValueKind.String)
        {
            try
            {
                using var inner = JsonDocument.Parse(timer.GetString()!);
                return IsPastDue(inner.RootElement);
            }
            catch (JsonException)
            {
                return false;
            }
        }

        return timer.ValueKind == JsonValueKind.Object
            && timer.TryGetProperty("IsPastDue", out var pastDue)
            && pastDue.ValueKind == JsonValueKind.True;
    }

    private static Task WriteAsync(HttpContext context, int status, IReadOnlyList<string> logs) =>
        Http.CustomHandlerResponse.WriteAsync(context, status, logs);
}
