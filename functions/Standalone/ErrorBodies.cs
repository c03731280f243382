using FunctionsObservability.Functions.Http;
using Microsoft.AspNetCore.Diagnostics;

namespace FunctionsObservability.Functions.Standalone;

/// <summary>
/// Refusals the framework makes without a body (no route: 404; a route without that method: 405)
/// get the documented JSON error shape, InfluxDB's on <c>/api/v2/…</c>. Kestrel's own refusals before
/// any middleware runs (a request line over 16 KiB: 414; a malformed request: 400) stay empty.
/// </summary>
internal static partial class ErrorBodies
{
    public static IApplicationBuilder UseJsonErrorBodies(this IApplicationBuilder app) =>
        app.UseStatusCodePages(static context => WriteAsync(context.HttpContext));

    private static Task WriteAsync(HttpContext context)
    {
        var request = context.Request;
        var status = context.Response.StatusCode;
        var message = status switch
        {
            StatusCodes.Status404NotFound => $"no route matches {request.Method} {request.Path}; the API is under /{Routes.Prefix}/ (see the README's HTTP API)",
            StatusCodes.Status405MethodNotAllowed => $"{request.Method} is not allowed on {request.Path}" + (context.Response.Headers.Allow.Count > 0 ? $"; use {context.Response.Headers.Allow}" : ""),
            _ => $"the request was refused with HTTP {status}",
        };
        LogRefused(context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger("FunctionsObservability.Http"), status, request.Method, request.Path);
        var influx = request.Path.StartsWithSegments("/" + Routes.Prefix + "/v2");
        return JsonOutput.WriteAsync(context.Response, writer =>
        {
            writer.WriteStartObject();
            if (influx)
            {
                writer.WriteString("code", status == StatusCodes.Status404NotFound ? "not found" : "method not allowed");
                writer.WriteString("message", message);
            }
            else
            {
                writer.WriteString("error", message);
            }

            writer.WriteEndObject();
        }, status);
    }

    [LoggerMessage(EventId = LogEvents.UnknownRoute, Level = LogLevel.Debug, Message = "Answered {Status} to {Method} {Path}: no such route or method")]
    private static partial void LogRefused(ILogger logger, int status, string method, string path);
}
