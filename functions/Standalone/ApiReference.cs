using FunctionsObservability.Functions.Http.OpenApi;

namespace FunctionsObservability.Functions.Standalone;

/// <summary>
/// The API reference page at <see cref="Path"/>: Swagger UI over the OpenAPI document. Its scripts and
/// styles are embedded in the Swashbuckle package and served from here, so the page works without
/// reaching any other host. Outside <c>/api</c>, so public, like the document.
/// </summary>
internal static class ApiReference
{
    public const string Path = "/reference";

    public static IApplicationBuilder UseApiReference(this IApplicationBuilder app) =>
        app.UseSwaggerUI(ui =>
        {
            ui.RoutePrefix = Path.TrimStart('/');
            ui.DocumentTitle = "FunctionsObservability API reference";
            ui.SwaggerEndpoint(ApiDocument.Path, "FunctionsObservability " + ApiDocument.Name);

            // Swagger UI would otherwise send the document to a public validator for its badge.
            ui.ConfigObject.ValidatorUrl = null;
        });
}
