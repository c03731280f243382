using System.Reflection;
using System.Text.Json;
using System.Text.RegularExpressions;
using FunctionsObservability.Functions.Http;
using FunctionsObservability.Functions.Http.OpenApi;
using FunctionsObservability.Tests.Infrastructure;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Patterns;

namespace FunctionsObservability.Tests.Http;

/// <summary>The OpenAPI document at /openapi/v1.json and the reference page at /reference, on the real app.</summary>
public sealed partial class OpenApiTests
{
    [Fact]
    public async Task Document_IsOpenApi31_AndListsEveryMappedRouteWithItsMethods()
    {
        await using var host = await ServiceHost.StartAsync();

        var document = await host.GetJsonAsync(ApiDocument.Path);

        Assert.StartsWith("3.1.", document.GetProperty("openapi").GetString(), StringComparison.Ordinal);
        var paths = document.GetProperty("paths");

        // Every endpoint the app maps, so a route mapped later without a description fails here.
        var endpoints = host.Service<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => !string.Equals(e.RoutePattern.RawText, "/openapi/{documentName}.json", StringComparison.Ordinal))
            .ToList();
        Assert.True(endpoints.Count >= 10, $"only {endpoints.Count} endpoints are mapped");
        foreach (var endpoint in endpoints)
        {
            var path = DocumentPath(endpoint.RoutePattern);
            var methods = endpoint.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods;
            Assert.True(methods is { Count: > 0 }, $"{path} is mapped for every method; the document cannot describe it");
            Assert.True(paths.TryGetProperty(path, out var operations), $"{path} is mapped but missing from the OpenAPI document");
            foreach (var method in methods)
            {
                Assert.True(operations.TryGetProperty(method.ToLowerInvariant(), out var operation), $"{method} {path} is missing from the OpenAPI document");
                Assert.False(string.IsNullOrEmpty(operation.GetProperty("summary").GetString()), $"{method} {path} has no summary");
                Assert.Contains(operation.GetProperty("responses").EnumerateObject(), r => r.Name.StartsWith('2'));
            }
        }
    }

    [Fact]
    public void Catalogue_DescribesEveryRouteOfTheRouteTable()
    {
        // The live tail and the explorer are described before they are mapped: whoever maps them calls Describe.
        var routes = typeof(Routes).GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(f => f.IsLiteral && f.Name != nameof(Routes.Prefix))
            .Select(f => (string)f.GetRawConstantValue()!)
            .ToList();

        Assert.Contains(Routes.Tail, routes);
        foreach (var route in routes)
        {
            var described = ApiCatalogue.Find(route);
            Assert.NotEmpty(described.Operations);
            Assert.All(described.Operations, o => Assert.Contains(o.Responses, r => r.Status is >= 200 and < 300));
        }

        Assert.Equal(routes.Order(StringComparer.Ordinal), ApiCatalogue.All.Select(r => r.Route).Order(StringComparer.Ordinal));
        Assert.Throws<KeyNotFoundException>(() => ApiCatalogue.Find("no/such/route"));
    }

    [Fact]
    public async Task Document_DescribesParametersBodiesStatusesAndKeys()
    {
        await using var host = await ServiceHost.StartAsync();

        var document = await host.GetJsonAsync(ApiDocument.Path);
        var paths = document.GetProperty("paths");

        var aggregate = paths.GetProperty("/api/query/aggregate").GetProperty("get");
        Assert.Equal(["fn", "from", "groupBy", "metric", "step", "tag", "to"], ParameterNames(aggregate));
        Assert.True(Parameter(aggregate, "step").GetProperty("required").GetBoolean());
        Assert.Equal("array", Parameter(aggregate, "tag").GetProperty("schema").GetProperty("type").GetString());
        Assert.Equal(["200", "400", "401", "404", "429", "500", "503", "504"], Statuses(aggregate));

        var points = paths.GetProperty("/api/query/points").GetProperty("get");
        Assert.Equal(["cursor", "from", "limit", "metric", "tag", "to"], ParameterNames(points));
        Assert.Equal(["application/json", "application/x-ndjson"], ContentTypes(points.GetProperty("responses").GetProperty("200")));
        Assert.True(points.GetProperty("responses").GetProperty("503").GetProperty("headers").TryGetProperty("Retry-After", out _));

        var ingest = paths.GetProperty("/api/ingest").GetProperty("post");
        Assert.Contains("Content-Encoding", ParameterNames(ingest));
        Assert.Contains("Idempotency-Key", ParameterNames(ingest));
        var bodyTypes = ContentTypes(ingest.GetProperty("requestBody"));
        Assert.Contains("text/plain", bodyTypes);
        Assert.Contains("application/json", bodyTypes);
        Assert.Contains("application/x-ndjson", bodyTypes);
        Assert.Equal(["200", "202", "400", "401", "408", "413", "415", "429", "500", "503", "507"], Statuses(ingest));

        // The InfluxDB route answers errors in InfluxDB's shape and also takes Authorization: Token.
        var influx = paths.GetProperty("/api/v2/write").GetProperty("post");
        Assert.Equal("#/components/schemas/InfluxError", influx.GetProperty("responses").GetProperty("413")
            .GetProperty("content").GetProperty("application/json").GetProperty("schema").GetProperty("$ref").GetString());
        Assert.Contains("influxToken", SecuritySchemes(influx));

        var schemes = document.GetProperty("components").GetProperty("securitySchemes");
        Assert.Equal("x-functions-key", schemes.GetProperty("functionKey").GetProperty("name").GetString());
        Assert.Equal("code", schemes.GetProperty("functionKeyQuery").GetProperty("name").GetString());
        Assert.Equal("query", schemes.GetProperty("functionKeyQuery").GetProperty("in").GetString());
        Assert.Equal(["functionKey", "functionKeyQuery"], SecuritySchemes(aggregate));
        Assert.Empty(SecuritySchemes(paths.GetProperty("/api/health").GetProperty("get")));

        Assert.Equal(["metric"], ParameterNames(paths.GetProperty("/api/metrics/{metric}/tags").GetProperty("get")));
        Assert.Contains("409", Statuses(paths.GetProperty("/api/admin/archive").GetProperty("post")));
    }

    [Fact]
    public async Task ReferencePage_LoadsOnlyAssetsTheServiceServes()
    {
        await using var host = await ServiceHost.StartAsync();

        using var page = await host.Client.GetAsync("/reference");
        var html = await page.Content.ReadAsStringAsync();
        Assert.Equal(200, (int)page.StatusCode);
        Assert.Contains("swagger-ui", html, StringComparison.Ordinal);
        Assert.Empty(ExternalUrls(html));

        var pageUri = page.RequestMessage!.RequestUri!;
        var assets = AssetReference().Matches(html).Select(m => m.Groups["url"].Value).ToList();
        Assert.Contains(assets, a => a.EndsWith(".js", StringComparison.Ordinal));
        Assert.Contains(assets, a => a.EndsWith(".css", StringComparison.Ordinal));
        foreach (var asset in assets)
        {
            var uri = new Uri(pageUri, asset);
            Assert.Equal(pageUri.Authority, uri.Authority);
            using var response = await host.Client.GetAsync(uri);
            Assert.True(response.IsSuccessStatusCode, $"{asset} answered {(int)response.StatusCode}");
            if (asset.EndsWith(".css", StringComparison.Ordinal))
            {
                var css = await response.Content.ReadAsStringAsync();
                Assert.All(CssUrl().Matches(css), m => Assert.DoesNotMatch("^['\"]?(https?:)?//", m.Groups["url"].Value));
            }
        }

        // index.js is the page's own script: it configures Swagger UI with the document's local path and
        // no validator, so the vendored bundle fetches nothing else. The bundle itself is not scanned: it
        // holds documentation links as strings, which it never loads.
        var script = await host.Client.GetStringAsync(new Uri(pageUri, "index.js"));
        Assert.Contains($"\"url\":\"{ApiDocument.Path}\"", script, StringComparison.Ordinal);
        Assert.Empty(ExternalUrls(WithoutComments(script)));
        using var document = await host.Client.GetAsync(ApiDocument.Path);
        Assert.True(document.IsSuccessStatusCode);
    }

    /// <summary>The path the generator writes for a route pattern: parameters bare (<c>{*asset}</c> is <c>{asset}</c>).</summary>
    private static string DocumentPath(RoutePattern pattern) =>
        "/" + string.Join('/', pattern.PathSegments.Select(segment => string.Concat(segment.Parts.Select(part => part switch
        {
            RoutePatternLiteralPart literal => literal.Content,
            RoutePatternParameterPart parameter => "{" + parameter.Name + "}",
            RoutePatternSeparatorPart separator => separator.Content,
            _ => "",
        }))));

    private static List<string> ParameterNames(JsonElement operation) =>
        [.. operation.GetProperty("parameters").EnumerateArray().Select(p => p.GetProperty("name").GetString()!).Order(StringComparer.Ordinal)];

    private static JsonElement Parameter(JsonElement operation, string name) =>
        operation.GetProperty("parameters").EnumerateArray().Single(p => p.GetProperty("name").GetString() == name);

    private static List<string> Statuses(JsonElement operation) =>
        [.. operation.GetProperty("responses").EnumerateObject().Select(r => r.Name).Order(StringComparer.Ordinal)];

    private static List<string> ContentTypes(JsonElement withContent) =>
        [.. withContent.GetProperty("content").EnumerateObject().Select(c => c.Name).Order(StringComparer.Ordinal)];

    private static List<string> SecuritySchemes(JsonElement operation) =>
        operation.TryGetProperty("security", out var security)
            ? [.. security.EnumerateArray().SelectMany(r => r.EnumerateObject().Select(s => s.Name)).Order(StringComparer.Ordinal)]
            : [];

    /// <summary>http(s) URLs, less the SVG namespace: a name in inline images, never fetched.</summary>
    private static List<string> ExternalUrls(string text) =>
        [.. Url().Matches(text).Select(m => m.Value).Where(u => !u.StartsWith("http://www.w3.org/2000/svg", StringComparison.Ordinal))];

    private static string WithoutComments(string script) => LineComment().Replace(BlockComment().Replace(script, ""), "");

    [GeneratedRegex(@"https?://[^\s""'<>)]+")]
    private static partial Regex Url();

    [GeneratedRegex(@"(?:src|href)\s*=\s*""(?<url>[^""]+)""")]
    private static partial Regex AssetReference();

    [GeneratedRegex(@"url\((?<url>[^)]*)\)")]
    private static partial Regex CssUrl();

    [GeneratedRegex(@"/\*.*?\*/", RegexOptions.Singleline)]
    private static partial Regex BlockComment();

    [GeneratedRegex(@"^\s*//.*$", RegexOptions.Multiline)]
    private static partial Regex LineComment();
}
