using System.Diagnostics;
using FunctionsObservability.Pipeline.Query;

namespace FunctionsObservability.Functions.Http;

/// <summary>
/// Times a query request for <see cref="QueryMetrics.Duration"/> and counts it in <see cref="QueryMetrics.Active"/>
/// while it runs, in both hosts. The outcome comes from the status the handler answered with.
/// </summary>
internal static class QueryTiming
{
    public static async Task MeasureAsync(HttpContext context, string route, Func<HttpContext, Task> handler)
    {
        var metrics = context.RequestServices.GetService<QueryMetrics>();
        if (metrics is null)
        {
            await handler(context).ConfigureAwait(false);
            return;
        }

        var routeTag = new KeyValuePair<string, object?>("route", route);
        metrics.Active.Add(1, routeTag);
        var started = Stopwatch.GetTimestamp();
        var threw = true;
        try
        {
            await handler(context).ConfigureAwait(false);
            threw = false;
        }
        finally
        {
            metrics.Active.Add(-1, routeTag);
            metrics.Duration.Record(Stopwatch.GetElapsedTime(started).TotalSeconds, routeTag,
                new KeyValuePair<string, object?>("outcome", Outcome(context, threw)));
        }
    }

    /// <summary>Few values, so the histogram keeps few series: ok, client_error, busy, timeout, error, cancelled.</summary>
    internal static string Outcome(HttpContext context, bool threw) =>
        context.RequestAborted.IsCancellationRequested ? "cancelled"
        : threw ? "error"
        : context.Response.StatusCode switch
        {
            < 400 => "ok",
            StatusCodes.Status429TooManyRequests or StatusCodes.Status503ServiceUnavailable => "busy",
            StatusCodes.Status504GatewayTimeout => "timeout",
            < 500 => "client_error",
            _ => "error",
        };
}
