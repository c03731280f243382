using FunctionsObservability.Functions.Http;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Middleware;

namespace FunctionsObservability.Functions.Worker;

/// <summary>
/// The worker's last line of defence for HTTP functions, as <see cref="UnhandledErrors"/> is
/// standalone: the exception is logged, and the client gets the same JSON 500. Queue and timer
/// functions let the exception through, because a failed invocation is what makes the host retry.
/// </summary>
internal sealed class HttpErrorsMiddleware : IFunctionsWorkerMiddleware
{
    public async Task Invoke(FunctionContext context, FunctionExecutionDelegate next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        try
        {
            await next(context).ConfigureAwait(false);
        }
        catch (Exception exception) when (context.GetHttpContext() is { } http && !http.RequestAborted.IsCancellationRequested)
        {
            await UnhandledErrors.AnswerAsync(http, exception).ConfigureAwait(false);
        }
    }
}
