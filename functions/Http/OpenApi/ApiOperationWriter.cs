using System.Globalization;
using System.Text.Json.Nodes;
using FunctionsObservability.Functions.Standalone.Security;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace FunctionsObservability.Functions.Http.OpenApi;

/// <summary>Turns an <see cref="ApiOperation"/> of the catalogue into the generator's <see cref="OpenApiOperation"/>.</summary>
internal static class ApiOperationWriter
{
    public static void Write(ApiRoute route, OpenApiOperation operation, OpenApiOperationTransformerContext context)
    {
        var method = context.Description.HttpMethod ?? HttpMethods.Get;
        var described = route.Operations.FirstOrDefault(o => HttpMethods.Equals(o.Method, method))
            ?? throw new InvalidOperationException($"{method} {route.Route} is mapped but {nameof(ApiCatalogue)} does not describe that method");
        var document = context.Document ?? throw new InvalidOperationException("the generator handed no document to the operation transformer");

        operation.OperationId = OperationId(route, described, context.Description.RelativePath);
        operation.Summary = described.Summary;
        operation.Description = described.Description;
        operation.Parameters = [.. described.Parameters.Select(Parameter)];
        operation.RequestBody = described.Body is { } body
            ? new OpenApiRequestBody { Description = body.Description, Required = body.Required, Content = Content(body.Content, document) }
            : null;
        operation.Responses = [];
        foreach (var response in described.Responses.OrderBy(r => r.Status))
        {
            operation.Responses[response.Status.ToString(CultureInfo.InvariantCulture)] = Response(response, document);
        }

        operation.Security = described.Access == RouteAccess.Public ? [] : [.. ApiSecurity.Requirements(route.Route, document)];
    }

    /// <summary>The catalogue's id where the route is mapped at its own path; suffixed elsewhere (the explorer also answers at <c>/</c>).</summary>
    private static string OperationId(ApiRoute route, ApiOperation operation, string? relativePath)
    {
        var path = (relativePath ?? "").Trim('/');
        var own = route.Route.StartsWith('/') ? route.Route : Routes.Path(route.Route);
        if (string.Equals(path, own.Trim('/'), StringComparison.OrdinalIgnoreCase))
        {
            return operation.OperationId;
        }

        var at = path.Length == 0 ? "Root" : string.Concat(path.Where(char.IsLetterOrDigit));
        return operation.OperationId + "At" + at;
    }

    /// <summary>A repeating parameter is an array in form style, exploded (<c>tag=a:1&amp;tag=b:2</c>), which is OpenAPI's default for a query.</summary>
    private static OpenApiParameter Parameter(ApiParameter parameter) => new()
    {
        Name = parameter.Name,
        In = parameter.In,
        Description = parameter.Description,
        Required = parameter.Required || parameter.In == ParameterLocation.Path,
        Schema = parameter.Repeats
            ? new OpenApiSchema { Type = JsonSchemaType.Array, Items = parameter.Type.ToSchema() }
            : parameter.Type.ToSchema(),
    };

    private static OpenApiResponse Response(ApiResponse response, OpenApiDocument document)
    {
        var answer = new OpenApiResponse { Description = response.Description };
        if (response.Content.Count > 0)
        {
            answer.Content = Content(response.Content, document);
        }

        if (response.RetryAfter)
        {
            answer.Headers = new Dictionary<string, IOpenApiHeader>(StringComparer.OrdinalIgnoreCase)
            {
                ["Retry-After"] = new OpenApiHeader
                {
                    Description = "Seconds to wait before retrying.",
                    Schema = new OpenApiSchema { Type = JsonSchemaType.Integer },
                },
            };
        }

        return answer;
    }

    private static Dictionary<string, OpenApiMediaType> Content(IReadOnlyList<ApiContent> content, OpenApiDocument document) =>
        content.ToDictionary(c => c.MediaType, c => new OpenApiMediaType
        {
            Schema = c.SchemaId is null ? new OpenApiSchema { Type = JsonSchemaType.String } : ApiSchemas.Ref(c.SchemaId, document),
            Example = c.Example is null ? null
                : c.MediaType.Contains("json", StringComparison.Ordinal) ? JsonNode.Parse(c.Example) : JsonValue.Create(c.Example),
        }, StringComparer.Ordinal);
}
