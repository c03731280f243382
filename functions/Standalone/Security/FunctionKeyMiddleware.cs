using System.Net.Http.Headers;
using FunctionsObservability.Functions.Http;

namespace FunctionsObservability.Functions.Standalone.Security;

/// <summary>Who is calling, for the rate limiter: the route's class and a partition name.</summary>
/// <param name="Access">What the route needs.</param>
/// <param name="Identity">The matching key's configuration entry (<c>IngestKeys[0]</c>), or <c>ip:address</c> when anonymous.</param>
/// <param name="InfluxStyle">Errors in InfluxDB's shape.</param>
internal sealed record CallerFeature(RouteAccess Access, string Identity, bool InfluxStyle);

/// <summary>
/// authLevel "function" as Azure Functions has it: the key comes in <c>x-functions-key</c>, or in
/// <c>?code=</c>; <c>/api/v2/write</c> also takes <c>Authorization: Token &lt;key&gt;</c>. A missing
/// or wrong key gets 401 with a body that says nothing more. Public routes pass untouched. Prometheus's
/// two routes, the scrape endpoint <c>/metrics</c> and remote_write's <c>/api/v1/write</c>, also take
/// <c>Authorization: Bearer &lt;key&gt;</c>: that is what its <c>authorization</c> setting sends.
/// </summary>
internal sealed partial class FunctionKeyMiddleware(RequestDelegate next, FunctionKeys keys, SecurityMetrics metrics, ILogger<FunctionKeyMiddleware> logger)
{
    public const string KeyHeader = "x-functions-key";
    public const string KeyQueryParameter = "code";

    private static readonly PathString PrometheusWrite = Routes.Path(Routes.PrometheusWrite);

    public Task InvokeAsync(HttpContext context)
    {
        var access = RouteAccessRules.Classify(context);
        if (access == RouteAccess.Public)
        {
            return next(context);
        }

        var influx = RouteAccessRules.IsInfluxApi(context);
        string identity;
        if (keys.Enforced)
        {
            if (!keys.TryAuthorize(PresentedKey(context.Request, AuthorizationScheme(context, access, influx)), access, out var matched))
            {
                metrics.Unauthorized(access);
                LogUnauthorized(logger, context.Request.Method, context.Request.Path);
                return UnauthorizedAsync(context.Response, influx);
            }

            identity = matched;
        }
        else
        {
            identity = "ip:" + (context.Connection.RemoteIpAddress?.ToString() ?? "unknown");
        }

        context.Features.Set(new CallerFeature(access, identity, influx));
        return next(context);
    }

    private static string? AuthorizationScheme(HttpContext context, RouteAccess access, bool influx) =>
        influx ? "Token"
        : access == RouteAccess.Telemetry || context.Request.Path.StartsWithSegments(PrometheusWrite) ? "Bearer"
        : null;

    /// <summary>The first key given, in this order: header, <c>Authorization: Token</c> (Influx routes) or <c>Bearer</c> (Prometheus's routes), <c>?code=</c>.</summary>
    private static string? PresentedKey(HttpRequest request, string? authorizationScheme)
    {
        var header = request.Headers[KeyHeader].ToString();
        if (header.Length > 0)
        {
            return header;
        }

        if (authorizationScheme is not null
            && AuthenticationHeaderValue.TryParse(request.Headers.Authorization.ToString(), out var authorization)
            && string.Equals(authorization.Scheme, authorizationScheme, StringComparison.OrdinalIgnoreCase)
            && !string.IsNullOrEmpty(authorization.Parameter))
        {
            return authorization.Parameter;
        }

        var code = request.Query[KeyQueryParameter].ToString();
        return code.Length > 0 ? code : null;
    }

    private static Task UnauthorizedAsync(HttpResponse response, bool influx) =>
        JsonOutput.WriteAsync(response, writer =>
        {
            writer.WriteStartObject();
            if (influx)
            {
                writer.WriteString("code", "unauthorized");
                writer.WriteString("message", "unauthorized access");
            }
            else
            {
                writer.WriteString("error", "unauthorized");
            }

            writer.WriteEndObject();
        }, StatusCodes.Status401Unauthorized);

    [LoggerMessage(EventId = LogEvents.FunctionKeyRefused, Level = LogLevel.Debug, Message = "Refused {Method} {Path}: missing or wrong function key")]
    private static partial void LogUnauthorized(ILogger logger, string method, string path);
}
