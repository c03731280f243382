using System.Reflection;
using Microsoft.AspNetCore.OpenApi;

namespace FunctionsObservability.Functions.Http.OpenApi;

/// <summary>
/// Attaches a route's entry of <see cref="ApiCatalogue"/> to its endpoint, so whoever maps a route
/// describes it with one call: <c>routes.MapGet(Routes.Path(Routes.Tail), handler).Describe(Routes.Tail)</c>.
/// </summary>
internal static class ApiDescriptions
{
    /// <summary>
    /// The generator lists only endpoints whose metadata holds the handler's <see cref="MethodInfo"/>, and
    /// a <see cref="RequestDelegate"/> endpoint has none. This stand-in has a RequestDelegate's signature,
    /// so the generator infers nothing from it (an <see cref="HttpContext"/> is no parameter) and the
    /// catalogue supplies everything.
    /// </summary>
    private static readonly MethodInfo RequestDelegateShape =
        typeof(ApiDescriptions).GetMethod(nameof(Handler), BindingFlags.NonPublic | BindingFlags.Static)!;

    public static TBuilder Describe<TBuilder>(this TBuilder builder, string route)
        where TBuilder : IEndpointConventionBuilder
    {
        // Looked up now, so a route without a description fails at start-up rather than in the document.
        var described = ApiCatalogue.Find(route);
        builder.WithMetadata(RequestDelegateShape);
        builder.WithTags(described.Tag);
        return builder.AddOpenApiOperationTransformer((operation, context, _) =>
        {
            ApiOperationWriter.Write(described, operation, context);
            return Task.CompletedTask;
        });
    }

    private static Task Handler(HttpContext context) => Task.CompletedTask;
}
