using FunctionsObservability.Functions.Standalone.Security;
using Microsoft.OpenApi;

namespace FunctionsObservability.Functions.Http.OpenApi;

/// <summary>How a key is presented (<see cref="FunctionKeyMiddleware"/>): each spelling is a security scheme, any one of them will do.</summary>
internal static class ApiSecurity
{
    public const string HeaderKey = "functionKey";
    public const string QueryKey = "functionKeyQuery";
    public const string InfluxToken = "influxToken";
    public const string PrometheusBearer = "bearerKey";

    private const string Scopes = " Which key opens which route: an ingest key the write routes, a query key the read routes "
        + "(and the live tail), a metrics key the scrape endpoint /metrics, an admin key every route. With no key configured every route is open (the service then listens on loopback only).";

    public static Dictionary<string, IOpenApiSecurityScheme> Schemes() => new(StringComparer.Ordinal)
    {
        [HeaderKey] = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.ApiKey,
            In = ParameterLocation.Header,
            Name = FunctionKeyMiddleware.KeyHeader,
            Description = "A function key in the x-functions-key header, as Azure Functions takes it." + Scopes,
        },
        [QueryKey] = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.ApiKey,
            In = ParameterLocation.Query,
            Name = FunctionKeyMiddleware.KeyQueryParameter,
            Description = "A function key in the code query parameter (the header wins when both are given)." + Scopes,
        },
        [InfluxToken] = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.ApiKey,
            In = ParameterLocation.Header,
            Name = "Authorization",
            Description = "InfluxDB's spelling, on /api/v2/write only: Authorization: Token <ingest key>.",
        },
        [PrometheusBearer] = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.Http,
            Scheme = "bearer",
            Description = "On Prometheus's routes only, /metrics (a metrics or admin key) and /api/v1/write (an ingest or admin key): "
                + "Authorization: Bearer <key>, as the authorization setting of a scrape job or of remote_write sends it.",
        },
    };

    /// <summary>Alternatives (one requirement each): the header or the query key, and on the Influx route the token too.</summary>
    public static IEnumerable<OpenApiSecurityRequirement> Requirements(string route, OpenApiDocument document)
    {
        yield return Requirement(HeaderKey, document);
        if (route == Routes.InfluxWrite)
        {
            yield return Requirement(InfluxToken, document);
        }

        if (route is Routes.Scrape or Routes.PrometheusWrite)
        {
            yield return Requirement(PrometheusBearer, document);
        }

        yield return Requirement(QueryKey, document);
    }

    private static OpenApiSecurityRequirement Requirement(string scheme, OpenApiDocument document) =>
        new() { [new OpenApiSecuritySchemeReference(scheme, document)] = [] };
}
