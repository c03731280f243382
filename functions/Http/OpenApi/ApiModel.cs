using System.Text.Json.Nodes;
using FunctionsObservability.Functions.Standalone.Security;
using Microsoft.OpenApi;

namespace FunctionsObservability.Functions.Http.OpenApi;

/// <summary>One route of <see cref="Routes"/> as the OpenAPI document shows it: its tag and one operation per method.</summary>
internal sealed record ApiRoute(string Route, string Tag, IReadOnlyList<ApiOperation> Operations);

/// <summary>One method of a route. <paramref name="Access"/> is the key it needs (<see cref="RouteAccessRules"/> enforces it).</summary>
internal sealed record ApiOperation(
    string Method,
    string OperationId,
    string Summary,
    string Description,
    RouteAccess Access,
    IReadOnlyList<ApiParameter> Parameters,
    ApiBody? Body,
    IReadOnlyList<ApiResponse> Responses);

/// <summary>A query, header or path parameter. <paramref name="Repeats"/>: the parameter may be given more than once.</summary>
internal sealed record ApiParameter(
    string Name,
    ParameterLocation In,
    string Description,
    ApiType Type,
    bool Required = false,
    bool Repeats = false);

/// <summary>
/// A parameter's type. Schemas are made anew for every document: the generator and its transformers
/// may change what they are handed, and the catalogue is shared by every request for the document.
/// </summary>
internal sealed record ApiType(JsonSchemaType Type, string? Format = null, IReadOnlyList<string>? Values = null, string? Default = null, int? MaxLength = null)
{
    public static readonly ApiType Text = new(JsonSchemaType.String);
    public static readonly ApiType Flag = new(JsonSchemaType.Boolean);
    public static readonly ApiType WholeNumber = new(JsonSchemaType.Integer, "int32");

    public static ApiType OneOf(string defaultValue, params string[] values) => new(JsonSchemaType.String, Values: values, Default: defaultValue);

    public OpenApiSchema ToSchema()
    {
        var schema = new OpenApiSchema { Type = Type, Format = Format, MaxLength = MaxLength };
        if (Values is not null)
        {
            schema.Enum = [.. Values.Select(v => (JsonNode)JsonValue.Create(v))];
        }

        if (Default is not null)
        {
            schema.Default = Type == JsonSchemaType.Boolean ? JsonValue.Create(bool.Parse(Default)) : JsonValue.Create(Default);
        }

        return schema;
    }
}

/// <summary>A request body: one schema per accepted media type.</summary>
internal sealed record ApiBody(string Description, IReadOnlyList<ApiContent> Content, bool Required = true);

/// <summary>
/// A media type and the component schema it carries (an id of <see cref="ApiSchemas"/>), or a plain
/// string when <paramref name="SchemaId"/> is null (line protocol, HTML, an event stream).
/// </summary>
internal sealed record ApiContent(string MediaType, string? SchemaId, string? Example = null);

/// <summary>One status of an operation. <paramref name="RetryAfter"/>: the answer carries <c>Retry-After</c>.</summary>
internal sealed record ApiResponse(int Status, string Description, IReadOnlyList<ApiContent> Content, bool RetryAfter = false);
