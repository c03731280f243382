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
            var logger = context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger("FunctionsObservability.Http");
            LogUnhandled(logger, context.Request.Method, context.Request.Path, exception);
            if (!context.Response.HasStarted)
            {
                await JsonOutput.ErrorAsync(context.Response, StatusCodes.Status500InternalServerError, "internal error; the service logged the details").ConfigureAwait(false);
            }
        }
    });

    [LoggerMessage(EventId = 4001, Level = LogLevel.Error, Message = "Unhandled exception for {Method} {Path}")]
    private static partial void LogUnhandled(ILogger logger, string method, string path, Exception exception);
}
