using System.Text.Json;
using FunctionsObservability.Pipeline.PromQL;
using FunctionsObservability.Pipeline.Query;
using FunctionsObservability.Pipeline.Storage;

namespace FunctionsObservability.Functions.Http.Prometheus;

/// <summary>
/// Prometheus's answer envelope: <c>{"status":"success","data":…}</c>, or
/// <c>{"status":"error","errorType":…,"error":…}</c> with the status code Prometheus gives that type.
/// </summary>
internal static class PromApiOutput
{
    public static Task SuccessAsync(HttpResponse response, Action<Utf8JsonWriter> writeData) =>
        JsonOutput.WriteAsync(response, writer =>
        {
            writer.WriteStartObject();
            writer.WriteString("status", "success");
            writer.WritePropertyName("data");
            writeData(writer);
            writer.WriteEndObject();
        });

    public static Task ErrorAsync(HttpResponse response, PromQueryException exception)
    {
        var status = exception.ErrorType switch
        {
            PromErrorType.BadData => StatusCodes.Status400BadRequest,
            PromErrorType.Execution => StatusCodes.Status422UnprocessableEntity,
            _ => StatusCodes.Status503ServiceUnavailable,
        };
        if (exception.ErrorType == PromErrorType.Unavailable)
        {
            response.Headers.RetryAfter = "1";
        }

        return JsonOutput.WriteAsync(response, writer =>
        {
            writer.WriteStartObject();
            writer.WriteString("status", "error");
            writer.WriteString("errorType", exception.ErrorTypeName);
            writer.WriteString("error", exception.Message);
            writer.WriteEndObject();
        }, status);
    }

    /// <summary>
    /// Runs a handler and answers its failures in Prometheus's shape: a bad parameter or query is
    /// bad_data, a timeout is timeout, a busy store is unavailable with Retry-After.
    /// </summary>
    public static async Task RunAsync(HttpContext context, Func<HttpContext, Task> handler)
    {
        try
        {
            await handler(context).ConfigureAwait(false);
        }
        catch (PromQueryException exception) when (!context.Response.HasStarted)
        {
            await ErrorAsync(context.Response, exception).ConfigureAwait(false);
        }
        catch (QueryFailedException exception) when (!context.Response.HasStarted)
        {
            var type = exception.Failure switch
            {
                QueryFailure.BadParameter => PromErrorType.BadData,
                QueryFailure.Timeout => PromErrorType.Timeout,
                _ => PromErrorType.Unavailable,
            };
            await ErrorAsync(context.Response, new PromQueryException(type, exception.Message)).ConfigureAwait(false);
        }
        catch (Exception exception) when (context.RequestServices.GetRequiredService<StoreDamage>().TryReport(exception))
        {
            if (!context.Response.HasStarted)
            {
                await JsonOutput.WriteAsync(context.Response, writer =>
                {
                    writer.WriteStartObject();
                    writer.WriteString("status", "error");
                    writer.WriteString("errorType", "internal");
                    writer.WriteString("error", context.RequestServices.GetRequiredService<StoreDamage>().Describe());
                    writer.WriteEndObject();
                }, StatusCodes.Status500InternalServerError).ConfigureAwait(false);
            }
            else
            {
                context.Abort();
            }
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // The client went away; the evaluation and DuckDB were cancelled with it.
        }
    }
}
