using System.Net;
using System.Text;
using FunctionsObservability.Tests.Infrastructure;
using static FunctionsObservability.Tests.Security.SecurityRequests;

namespace FunctionsObservability.Tests.Security;

/// <summary>authLevel "function" in standalone mode: keys from configuration, checked by the app.</summary>
public sealed class FunctionKeyHttpTests
{
    private const string Unauthorized = """{"error":"unauthorized"}""";
    private const string InfluxUnauthorized = """{"code":"unauthorized","message":"unauthorized access"}""";

    private static async Task AssertUnauthorizedAsync(HttpResponseMessage response, string body = Unauthorized)
    {
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal(body, await response.Content.ReadAsStringAsync());
        Assert.False(response.Headers.Contains("Retry-After"));
    }

    [Fact]
    public async Task Ingest_NoKey_Returns401WithABodyThatRevealsNothing()
    {
        await using var host = await ServiceHost.StartAsync(Keys());

        using var response = await IngestAsync(host);

        await AssertUnauthorizedAsync(response);
        Assert.Empty(host.Service<FunctionsObservability.Pipeline.Storage.SeriesCatalog>().ForMetric("sec_v"));
    }

    [Fact]
    public async Task Query_NoKey_Returns401OnEveryQueryRoute()
    {
        await using var host = await ServiceHost.StartAsync(Keys());

        foreach (var path in new[] { "/api/metrics", "/api/metrics/sec_v/tags", "/api/query/points?metric=sec_v", "/api/query/aggregate?metric=sec_v&from=2000-01-01T00:00:00Z&step=1h" })
        {
            using var response = await QueryAsync(host, path: path);
            await AssertUnauthorizedAsync(response);
        }
    }

    [Fact]
    public async Task V2Write_NoKey_Returns401InInfluxShape()
    {
        await using var host = await ServiceHost.StartAsync(Keys());

        using var response = await IngestAsync(host, path: "/api/v2/write?precision=s");

        await AssertUnauthorizedAsync(response, InfluxUnauthorized);
    }

    [Fact]
    public async Task Ingest_WrongKey_Returns401()
    {
        await using var host = await ServiceHost.StartAsync(Keys());

        using var wrong = await IngestAsync(host, "not-a-key");
        using var prefix = await IngestAsync(host, IngestKey[..^1]);
        using var longer = await IngestAsync(host, IngestKey + "x");
        using var wrongCode = await IngestAsync(host, path: "/api/ingest?precision=s&code=not-a-key");
        using var wrongToken = await SendAsync(host, HttpMethod.Post, "/api/v2/write?precision=s", token: "not-a-key");

        await AssertUnauthorizedAsync(wrong);
        await AssertUnauthorizedAsync(prefix);
        await AssertUnauthorizedAsync(longer);
        await AssertUnauthorizedAsync(wrongCode);
        await AssertUnauthorizedAsync(wrongToken, InfluxUnauthorized);
    }

    [Fact]
    public async Task Ingest_IngestKeyInHeader_Returns200()
    {
        await using var host = await ServiceHost.StartAsync(Keys());

        using var first = await IngestAsync(host, IngestKey);
        using var second = await IngestAsync(host, SecondIngestKey);

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
    }

    [Fact]
    public async Task Ingest_IngestKeyInCodeParameter_Returns200()
    {
        await using var host = await ServiceHost.StartAsync(Keys());

        using var ingest = await IngestAsync(host, path: $"/api/ingest?precision=s&code={IngestKey}");
        using var v2 = await IngestAsync(host, path: $"/api/v2/write?precision=s&code={IngestKey}");

        Assert.Equal(HttpStatusCode.OK, ingest.StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, v2.StatusCode);
    }

    [Fact]
    public async Task V2Write_AuthorizationToken_Returns204()
    {
        await using var host = await ServiceHost.StartAsync(Keys());

        using var response = await SendAsync(host, HttpMethod.Post, "/api/v2/write?org=o&bucket=b&precision=s", token: IngestKey);

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
    }

    [Fact]
    public async Task Ingest_AuthorizationTokenOutsideInfluxApi_Returns401()
    {
        await using var host = await ServiceHost.StartAsync(Keys());

        using var response = await SendAsync(host, HttpMethod.Post, "/api/ingest?precision=s", token: IngestKey);

        await AssertUnauthorizedAsync(response);
    }

    [Fact]
    public async Task Query_IngestKey_Returns401()
    {
        await using var host = await ServiceHost.StartAsync(Keys());

        using var metrics = await QueryAsync(host, IngestKey);
        using var points = await QueryAsync(host, path: $"/api/query/points?metric=sec_v&code={IngestKey}");

        await AssertUnauthorizedAsync(metrics);
        await AssertUnauthorizedAsync(points);
    }

    [Fact]
    public async Task Ingest_QueryKey_Returns401()
    {
        await using var host = await ServiceHost.StartAsync(Keys());

        using var ingest = await IngestAsync(host, QueryKey);
        using var v2 = await SendAsync(host, HttpMethod.Post, "/api/v2/write?precision=s", token: QueryKey);

        await AssertUnauthorizedAsync(ingest);
        await AssertUnauthorizedAsync(v2, InfluxUnauthorized);
    }

    [Fact]
    public async Task Query_QueryKey_IsAccepted()
    {
        await using var host = await ServiceHost.StartAsync(Keys());

        using var metrics = await QueryAsync(host, QueryKey);
        using var points = await QueryAsync(host, path: $"/api/query/points?metric=sec_v&code={QueryKey}");

        // Past the key check: the metric has no points yet, which only an authorised caller is told.
        Assert.Equal(HttpStatusCode.OK, metrics.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, points.StatusCode);
        Assert.Contains("has no points", await points.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AdminKey_IngestAndQueryRoutes_Succeeds()
    {
        await using var host = await ServiceHost.StartAsync(Keys());

        using var ingest = await IngestAsync(host, AdminKey);
        using var v2 = await SendAsync(host, HttpMethod.Post, "/api/v2/write?precision=s", token: AdminKey);
        using var query = await QueryAsync(host, AdminKey, "/api/query/points?metric=sec_v");

        Assert.Equal(HttpStatusCode.OK, ingest.StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, v2.StatusCode);
        Assert.Equal(HttpStatusCode.OK, query.StatusCode);
        Assert.Contains("\"sec_v\"", await query.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AdminRoute_OnlyAdminKeyGetsPastTheKeyCheck()
    {
        await using var host = await ServiceHost.StartAsync(Keys());

        using var none = await QueryAsync(host, path: "/api/admin/anything");
        using var ingest = await QueryAsync(host, IngestKey, "/api/admin/anything");
        using var query = await QueryAsync(host, QueryKey, "/api/admin/anything");
        using var unknown = await QueryAsync(host, QueryKey, "/api/unknown");
        using var admin = await QueryAsync(host, AdminKey, "/api/admin/anything");

        await AssertUnauthorizedAsync(none);
        await AssertUnauthorizedAsync(ingest);
        await AssertUnauthorizedAsync(query);
        await AssertUnauthorizedAsync(unknown);
        Assert.Equal(HttpStatusCode.NotFound, admin.StatusCode);
    }

    [Fact]
    public async Task Health_NoKey_Returns200()
    {
        await using var host = await ServiceHost.StartAsync(Keys());

        using var alive = await QueryAsync(host, path: "/api/health");
        using var ready = await QueryAsync(host, path: "/api/health/ready");

        Assert.Equal(HttpStatusCode.OK, alive.StatusCode);
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
    }

    [Fact]
    public async Task RouteOutsideApi_NoKey_IsNotRefusedForTheKey()
    {
        await using var host = await ServiceHost.StartAsync(Keys());

        using var other = await QueryAsync(host, path: "/not-api");

        Assert.Equal(HttpStatusCode.NotFound, other.StatusCode);
    }

    [Fact]
    public async Task Ingest_OddPathSpellings_StillNeedAKey()
    {
        await using var host = await ServiceHost.StartAsync(Keys());
        var root = host.Client.BaseAddress!.GetLeftPart(UriPartial.Authority);

        foreach (var path in new[] { "/API/INGEST?precision=s", "/api/ingest/?precision=s", "//api/ingest?precision=s", "/api/./ingest?precision=s", "/api/%69ngest?precision=s" })
        {
            using var response = await SendAsync(host, HttpMethod.Post, root + path);
            Assert.False(response.IsSuccessStatusCode, $"{path} answered {(int)response.StatusCode} without a key");
        }

        Assert.Empty(host.Service<FunctionsObservability.Pipeline.Storage.SeriesCatalog>().ForMetric("sec_v"));
    }

    [Fact]
    public async Task Ingest_CommaSeparatedKeys_EachKeyWorks()
    {
        await using var host = await ServiceHost.StartAsync(new Dictionary<string, string> { ["Auth:IngestKeys"] = "first-key, second-key" });

        using var first = await IngestAsync(host, "first-key");
        using var second = await IngestAsync(host, "second-key");
        using var both = await IngestAsync(host, "first-key, second-key");

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        await AssertUnauthorizedAsync(both);
    }

    [Fact]
    public async Task AllRoutes_NoKeysConfigured_AreOpen()
    {
        await using var host = await ServiceHost.StartAsync();

        using var ingest = await IngestAsync(host);
        using var v2 = await IngestAsync(host, path: "/api/v2/write?precision=s");
        using var query = await QueryAsync(host, path: "/api/query/points?metric=sec_v");
        using var wrongKeyIgnored = await QueryAsync(host, "whatever");

        Assert.Equal(HttpStatusCode.OK, ingest.StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, v2.StatusCode);
        Assert.Equal(HttpStatusCode.OK, query.StatusCode);
        Assert.Equal(HttpStatusCode.OK, wrongKeyIgnored.StatusCode);
    }
}
