using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using FunctionsObservability.Tests.Infrastructure;

namespace FunctionsObservability.Tests.Http;

/// <summary>What a new user meets first: curl's defaults, unknown routes, and answers that say what they mean.</summary>
public sealed class FirstUseTests
{
    private static readonly long Seconds = MeshFixture.BaseSeconds;

    [Fact]
    public async Task Ingest_CurlsDefaultFormContentType_IsReadAsLineProtocol()
    {
        await using var host = await ServiceHost.StartAsync();
        using var content = new StringContent($"curl,host=h1 v=1 {Seconds}\n", Encoding.UTF8);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/x-www-form-urlencoded");

        using var response = await host.Client.PostAsync("/api/ingest?precision=s", content);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var page = await host.GetJsonAsync("/api/query/points?metric=curl_v");
        Assert.Single(page.GetProperty("points").EnumerateArray());
    }

    [Fact]
    public async Task Ingest_AsyncAcknowledgement_CarriesAMessageNotAnError()
    {
        await using var host = await ServiceHost.StartAsync();

        using var response = await host.PostAsync("/api/ingest?precision=s&ack=async", $"async,host=h1 v=1 {Seconds}\n");
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.False(body.RootElement.TryGetProperty("error", out _));
        Assert.Contains("accepted", body.RootElement.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Ingest_StrictWithABadLine_SaysNothingWasWrittenOnce()
    {
        await using var host = await ServiceHost.StartAsync();

        using var response = await host.PostAsync("/api/ingest?precision=s&strict=true", $"strict,host=h1 v=1 {Seconds}\nstrict,host=h1 v=oops {Seconds}\n");
        var message = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("error").GetString()!;

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("strict mode", message, StringComparison.Ordinal);
        Assert.Single(System.Text.RegularExpressions.Regex.Matches(message, "nothing was written"));
    }

    [Theory]
    [InlineData("GET", "/nothing-here", "error")]
    [InlineData("GET", "/api/nope", "error")]
    [InlineData("GET", "/api/ingest", "error")]
    [InlineData("DELETE", "/api/query/points", "error")]
    [InlineData("GET", "/api/v2/write", "message")]
    public async Task UnknownRouteOrMethod_AnswersTheDocumentedJsonShape(string method, string path, string messageKey)
    {
        await using var host = await ServiceHost.StartAsync();

        using var response = await host.Client.SendAsync(new HttpRequestMessage(new HttpMethod(method), path));
        var text = await response.Content.ReadAsStringAsync();

        Assert.True(response.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.MethodNotAllowed, $"{(int)response.StatusCode}: {text}");
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        var message = JsonDocument.Parse(text).RootElement.GetProperty(messageKey).GetString();
        Assert.Contains(path, message, StringComparison.Ordinal);
    }
}
