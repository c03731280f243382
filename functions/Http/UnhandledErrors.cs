namespace FunctionsObservability.Functions.Http;

/// <summary>
/// The last line of defence: an unexpected exception is logged with its stack, and the client
/// gets a 500 with a JSON body instead of an empty answer.
/// </summary>
internal static partial class UnhandledErrors
{
    public static IApplicationBuilder UseUnhandledErrors(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        try
        {
            await next(context).ConfigureAwait(false);
        }
        catch (Exception exception) when (!context.RequestAborted.IsCancellationRequested)
        {
            await AnswerAsync(context, exception).ConfigureAwait(false);
        }
    });

    /// <summary>Logs the exception with its stack and answers 500 in JSON, unless the answer has begun.</summary>
    public static Task AnswerAsync(HttpContext context, Exception exception)
    {
        ArgumentNullException.ThrowIfNull(context);
        var logger = context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger("FunctionsObservability.Http");
        LogUnhandled(logger, context.Request.Method, context.Request.Path, exception);
        return context.Response.HasStarted
            ? Task.CompletedTask
            : JsonOutput.ErrorAsync(context.Response, StatusCodes.Status500InternalServerError, "internal error; the service logged the details");
    }

    [LoggerMessage(EventId = LogEvents.UnhandledRequestException, Level = LogLevel.Error, Message = "Unhandled exception for {Method} {Path}")]
    private static partial void LogUnhandled(ILogger logger, string method, string path, Exception exception);
}
