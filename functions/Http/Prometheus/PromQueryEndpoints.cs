using FunctionsObservability.Pipeline.PromQL;

namespace FunctionsObservability.Functions.Http.Prometheus;

/// <summary>
/// <c>/api/v1/query</c> and <c>/api/v1/query_range</c>, by GET or form POST, checked and answered as
/// Prometheus 2.42 does: the same parameter forms, checks, messages and answer shape.
/// </summary>
internal static class PromQueryEndpoints
{
    public static Task InstantAsync(HttpContext context) =>
        QueryTiming.MeasureAsync(context, Routes.PromQuery, c => PromApiOutput.RunAsync(c, WriteInstantAsync));

    public static Task RangeAsync(HttpContext context) =>
        QueryTiming.MeasureAsync(context, Routes.PromQueryRange, c => PromApiOutput.RunAsync(c, WriteRangeAsync));

    private static async Task WriteInstantAsync(HttpContext context)
    {
        var parameters = await PromApiParameters.ReadAsync(context.Request, context.RequestAborted).ConfigureAwait(false);
        var now = context.RequestServices.GetRequiredService<TimeProvider>().GetUtcNow().ToUnixTimeMilliseconds();
        var time = parameters.Time("time", now);
        var timeout = Timeout(parameters);
        var query = parameters.Require("query");
        var service = context.RequestServices.GetRequiredService<PromQueryService>();
        var result = await service.InstantAsync(query, time, timeout, context.RequestAborted).ConfigureAwait(false);
        await PromApiOutput.SuccessAsync(context.Response, writer => PromJson.WriteData(writer, result)).ConfigureAwait(false);
    }

    private static async Task WriteRangeAsync(HttpContext context)
    {
        var parameters = await PromApiParameters.ReadAsync(context.Request, context.RequestAborted).ConfigureAwait(false);
        var start = PromApiParameters.ParseTime("start", parameters.Require("start"));
        var end = PromApiParameters.ParseTime("end", parameters.Require("end"));
        if (end < start)
        {
            throw new PromQueryException(PromErrorType.BadData, "invalid parameter \"end\": end timestamp must not be before start time");
        }

        var step = PromApiParameters.ParseDuration("step", parameters.Require("step"));
        if (step <= 0)
        {
            throw new PromQueryException(PromErrorType.BadData,
                "invalid parameter \"step\": zero or negative query resolution step widths are not accepted. Try a positive integer");
        }

        var service = context.RequestServices.GetRequiredService<PromQueryService>();
        if ((end - start) / step >= service.Options.MaxSteps)
        {
            throw new PromQueryException(PromErrorType.BadData,
                $"exceeded maximum resolution of {service.Options.MaxSteps:N0} points per timeseries. Try decreasing the query resolution (?step=XX)");
        }

        var timeout = Timeout(parameters);
        var query = parameters.Require("query");
        var result = await service.RangeAsync(query, start, end, step, timeout, context.RequestAborted).ConfigureAwait(false);
        await PromApiOutput.SuccessAsync(context.Response, writer => PromJson.WriteData(writer, result)).ConfigureAwait(false);
    }

    /// <summary>The request's timeout; one longer than a day cannot shorten Query:TimeoutSeconds, so it is ignored rather than overflowing.</summary>
    private static TimeSpan? Timeout(PromApiParameters parameters) =>
        parameters.Duration("timeout") is { } milliseconds && milliseconds < 86_400_000 ? TimeSpan.FromMilliseconds(milliseconds) : null;
}
