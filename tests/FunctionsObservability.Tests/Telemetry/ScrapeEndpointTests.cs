using System.Net;
using System.Net.Http.Headers;
using FunctionsObservability.Functions.Http;
using FunctionsObservability.Functions.Standalone.Security;
using FunctionsObservability.Tests.Infrastructure;

namespace FunctionsObservability.Tests.Telemetry;

/// <summary><c>GET /metrics</c> on the real standalone app: Prometheus text, the product's meters, and its key rules.</summary>
public sealed class ScrapeEndpointTests
{
    [Fact]
    public async Task Metrics_AnswersPrometheusText_WithTheProductsMetersAfterIngestAndQuery()
    {
        await using var host = await ServiceHost.StartAsync();
        using (var ingest = await host.PostAsync("/api/ingest?precision=s", "telemetry_room,room=lab temp=21.5 1767225600"))
        {
            Assert.Equal(HttpStatusCode.OK, ingest.StatusCode);
        }

        using (var query = await host.Client.GetAsync("/api/query/points?metric=telemetry_room_temp"))
        {
            Assert.Equal(HttpStatusCode.OK, query.StatusCode);
        }

        // A query's duration is recorded when its handler returns, which may be just after the
        // client read the answer; the scrape also caches its answer briefly. So: poll, with a deadline.
        var text = await Scrapes.UntilAsync(host, body => body.Contains("route=\"query/points\"", StringComparison.Ordinal));

        Assert.Contains("# TYPE fo_query_duration_seconds histogram", text, StringComparison.Ordinal);
        Assert.Matches("fo_query_duration_seconds_count\\{[^}]*outcome=\"ok\"[^}]*route=\"query/points\"[^}]*\\} [1-9]", text);
        Assert.Contains("# TYPE fo_ingest_points_accepted_total counter", text, StringComparison.Ordinal);
        Assert.Contains("# TYPE fo_storage_series gauge", text, StringComparison.Ordinal);
        Assert.Contains("fo_storage_file_size_bytes{", text, StringComparison.Ordinal);
        Assert.Contains("fo_storage_points{", text, StringComparison.Ordinal);
        Assert.Contains("# TYPE fo_query_active gauge", text, StringComparison.Ordinal);

        // ASP.NET Core's, Kestrel's and the runtime's meters come along; the scrape itself is an active request.
        Assert.Contains("http_server_active_requests{", text, StringComparison.Ordinal);
        Assert.Contains("# TYPE kestrel_active_connections gauge", text, StringComparison.Ordinal);
        Assert.Contains("# TYPE dotnet_gc_collections_total counter", text, StringComparison.Ordinal);
        Assert.Contains("target_info{service_name=\"FunctionsObservability\"", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Metrics_WithKeys_NeedsAMetricsOrAdminKey_AsBearerHeaderOrCode()
    {
        await using var host = await ServiceHost.StartAsync(new Dictionary<string, string>
        {
            ["Auth:MetricsKeys"] = "scrape-key",
            ["Auth:QueryKeys"] = "query-key",
            ["Auth:AdminKeys"] = "admin-key",
        });

        Assert.Equal(HttpStatusCode.Unauthorized, await ScrapeStatusAsync(host, null));
        Assert.Equal(HttpStatusCode.Unauthorized, await ScrapeStatusAsync(host, new AuthenticationHeaderValue("Bearer", "wrong")));
        Assert.Equal(HttpStatusCode.Unauthorized, await ScrapeStatusAsync(host, new AuthenticationHeaderValue("Bearer", "query-key")));
        Assert.Equal(HttpStatusCode.Unauthorized, await ScrapeStatusAsync(host, new AuthenticationHeaderValue("Token", "scrape-key")));
        Assert.Equal(HttpStatusCode.OK, await ScrapeStatusAsync(host, new AuthenticationHeaderValue("Bearer", "scrape-key")));
        Assert.Equal(HttpStatusCode.OK, await ScrapeStatusAsync(host, new AuthenticationHeaderValue("Bearer", "admin-key")));

        using (var header = new HttpRequestMessage(HttpMethod.Get, Routes.Scrape))
        {
            header.Headers.Add(FunctionKeyMiddleware.KeyHeader, "scrape-key");
            using var response = await host.Client.SendAsync(header);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Contains("# TYPE ", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        using (var code = await host.Client.GetAsync(Routes.Scrape + "?code=scrape-key"))
        {
            Assert.Equal(HttpStatusCode.OK, code.StatusCode);
        }

        // A metrics key opens the scrape endpoint only, not the stored data.
        using var stored = new HttpRequestMessage(HttpMethod.Get, "/api/metrics");
        stored.Headers.Add(FunctionKeyMiddleware.KeyHeader, "scrape-key");
        using var storedResponse = await host.Client.SendAsync(stored);
        Assert.Equal(HttpStatusCode.Unauthorized, storedResponse.StatusCode);

        // Refusals are counted, by route class.
        var text = await Scrapes.UntilAsync(host, body => body.Contains("fo_auth_refused_total{", StringComparison.Ordinal), "admin-key");
        Assert.Matches("fo_auth_refused_total\\{[^}]*route_class=\"telemetry\"[^}]*\\} [1-9]", text);
    }

    [Fact]
    public async Task Metrics_IsNotRateLimited_AndNotMappedWhenPrometheusIsOff()
    {
        await using (var host = await ServiceHost.StartAsync(new Dictionary<string, string>
        {
            ["RateLimits:Query:TokensPerSecond"] = "0.001",
            ["RateLimits:Query:Burst"] = "1",
        }))
        {
            for (var i = 0; i < 5; i++)
            {
                Assert.Equal(HttpStatusCode.OK, await ScrapeStatusAsync(host, null));
            }
        }

        await using var off = await ServiceHost.StartAsync(new Dictionary<string, string> { ["Telemetry:Prometheus:Enabled"] = "false" });
        Assert.Equal(HttpStatusCode.NotFound, await ScrapeStatusAsync(off, null));
    }

    [Fact]
    public void RouteAccess_ClassifiesTheScrapePathAsTelemetry_AndStoredMetricsAsQuery()
    {
        Assert.Equal(RouteAccess.Telemetry, RouteAccessRules.Classify(Routes.Scrape));
        Assert.Equal(RouteAccess.Telemetry, RouteAccessRules.Classify("/METRICS"));
        Assert.Equal(RouteAccess.Query, RouteAccessRules.Classify("/api/metrics"));
        Assert.Equal(RouteAccess.Public, RouteAccessRules.Classify("/metricsx"));
    }

    private static async Task<HttpStatusCode> ScrapeStatusAsync(ServiceHost host, AuthenticationHeaderValue? authorization)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, Routes.Scrape);
        request.Headers.Authorization = authorization;
        using var response = await host.Client.SendAsync(request);
        if (response.StatusCode == HttpStatusCode.OK)
        {
            Assert.StartsWith("text/plain", response.Content.Headers.ContentType?.MediaType, StringComparison.Ordinal);
        }

        return response.StatusCode;
    }
}
