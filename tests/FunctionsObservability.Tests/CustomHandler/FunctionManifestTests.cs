using System.Text.Json;
using FunctionsObservability.Tests.Infrastructure;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace FunctionsObservability.Tests.CustomHandler;

/// <summary>
/// The Functions host routes by the function.json files; the app routes by its endpoints. Both
/// sides must name the same functions, routes, methods and queues.
/// </summary>
public sealed class FunctionManifestTests
{
    private sealed record Manifest(string Name, JsonElement[] Bindings)
    {
        public JsonElement Trigger => Bindings.Single(b => b.GetProperty("direction").GetString() == "in" && b.GetProperty("type").GetString()!.EndsWith("Trigger", StringComparison.Ordinal));
    }

    private static List<Manifest> ReadManifests() =>
        Directory.GetDirectories(RepositoryPaths.FunctionsFolder)
            .Where(d => File.Exists(Path.Combine(d, "function.json")))
            .Select(d => new Manifest(
                Path.GetFileName(d),
                [.. JsonDocument.Parse(File.ReadAllText(Path.Combine(d, "function.json"))).RootElement.GetProperty("bindings").EnumerateArray().Select(b => b.Clone())]))
            .ToList();

    private static async Task<List<(string Route, string Method)>> ReadEndpointsAsync()
    {
        await using var host = await ServiceHost.StartAsync();
        return host.App.Services.GetRequiredService<EndpointDataSource>().Endpoints
            .OfType<RouteEndpoint>()
            .SelectMany(e => (e.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? ["*"]).Select(m => ("/" + e.RoutePattern.RawText!.TrimStart('/'), m)))
            .ToList();
    }

    [Fact]
    public async Task EveryFunctionJson_HasAHandlerWithTheSameRouteAndMethod()
    {
        var endpoints = await ReadEndpointsAsync();
        var manifests = ReadManifests();

        Assert.NotEmpty(manifests);
        foreach (var manifest in manifests)
        {
            var trigger = manifest.Trigger;
            if (trigger.GetProperty("type").GetString() == "httpTrigger")
            {
                var route = "/api/" + trigger.GetProperty("route").GetString();
                foreach (var method in trigger.GetProperty("methods").EnumerateArray().Select(m => m.GetString()!.ToUpperInvariant()))
                {
                    Assert.Contains((route, method), endpoints);
                }
            }
            else
            {
                // Non-HTTP triggers are posted by the host to /{FunctionName}.
                Assert.Contains(($"/{manifest.Name}", "POST"), endpoints);
            }
        }
    }

    [Fact]
    public async Task EveryHandler_HasAFunctionJson()
    {
        var endpoints = await ReadEndpointsAsync();
        var manifests = ReadManifests();
        var declared = manifests.SelectMany(m =>
            m.Trigger.GetProperty("type").GetString() == "httpTrigger"
                ? m.Trigger.GetProperty("methods").EnumerateArray().Select(x => ("/api/" + m.Trigger.GetProperty("route").GetString(), x.GetString()!.ToUpperInvariant()))
                : [($"/{m.Name}", "POST")]).ToHashSet();

        // The host reserves routes starting with "admin"; the app serves the issue's
        // /api/admin/archive standalone, and the same handlers at the function's route.
        declared.Add(("/api/admin/archive", "GET"));
        declared.Add(("/api/admin/archive", "POST"));
        Assert.All(endpoints, e => Assert.Contains(e, declared));
    }

    [Fact]
    public void NoFunction_UsesARouteOrNameTheHostReserves()
    {
        foreach (var manifest in ReadManifests())
        {
            Assert.False(manifest.Name.StartsWith("admin", StringComparison.OrdinalIgnoreCase), manifest.Name);
            if (manifest.Trigger.GetProperty("type").GetString() == "httpTrigger")
            {
                var route = manifest.Trigger.GetProperty("route").GetString()!;
                Assert.False(route.StartsWith("admin", StringComparison.OrdinalIgnoreCase) || route.StartsWith("runtime", StringComparison.OrdinalIgnoreCase), route);
            }
        }
    }

    [Fact]
    public void IngestQueue_BindingNamesAndQueues_MatchTheHandler()
    {
        var manifest = ReadManifests().Single(m => m.Name == "IngestQueue");

        var trigger = manifest.Trigger;
        Assert.Equal("queueTrigger", trigger.GetProperty("type").GetString());
        Assert.Equal("message", trigger.GetProperty("name").GetString());
        Assert.Equal("metrics-ingest", trigger.GetProperty("queueName").GetString());
        var poison = manifest.Bindings.Single(b => b.GetProperty("direction").GetString() == "out");
        Assert.Equal("poison", poison.GetProperty("name").GetString());
        Assert.Equal("metrics-ingest-poison", poison.GetProperty("queueName").GetString());
    }

    [Fact]
    public void HostJson_ConfiguresTheCustomHandlerAndQueues()
    {
        var host = JsonDocument.Parse(File.ReadAllText(Path.Combine(RepositoryPaths.Root, "host.json"))).RootElement;

        Assert.Equal("2.0", host.GetProperty("version").GetString());
        Assert.True(host.GetProperty("customHandler").GetProperty("enableForwardingHttpRequest").GetBoolean());
        Assert.Equal("[4.*, 5.0.0)", host.GetProperty("extensionBundle").GetProperty("version").GetString());
        Assert.Equal("api", host.GetProperty("extensions").GetProperty("http").GetProperty("routePrefix").GetString());
        Assert.Equal(5, host.GetProperty("extensions").GetProperty("queues").GetProperty("maxDequeueCount").GetInt32());
        Assert.Equal("base64", host.GetProperty("extensions").GetProperty("queues").GetProperty("messageEncoding").GetString());
    }
}
