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

    [Theory]
    [InlineData("/api/query/points?metric=cpu")]
    [InlineData("/api/query/aggregate?metric=cpu&from=0&step=1h")]
    [InlineData("/api/metrics/cpu/tags")]
    public async Task Query_MetricPrefixOfRealMetrics_Answers404SuggestingThem(string path)
    {
        await using var host = await ServiceHost.StartAsync();
        using (var write = await host.PostAsync("/api/ingest?precision=s", $"cpu,host=h1 usage_user=1,usage_system=2 {Seconds}\n"))
        {
            Assert.Equal(HttpStatusCode.OK, write.StatusCode);
        }

        using var response = await host.Client.GetAsync(path);
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("metric", body.GetProperty("parameter").GetString());
        Assert.Contains("cpu_usage_system, cpu_usage_user", body.GetProperty("error").GetString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("from")]
    [InlineData("to")]
    public async Task Query_EpochSecondsWhereMillisecondsAreRead_Answers400SayingWhatWasUnderstood(string parameter)
    {
        await using var host = await ServiceHost.StartAsync();

        using var response = await host.Client.GetAsync($"/api/query/points?metric=cpu_usage_user&{parameter}=1763805600");
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(parameter, body.GetProperty("parameter").GetString());
        Assert.Contains("is 1970-01-21T09:56:45.600Z; for epoch seconds send 1763805600000", body.GetProperty("error").GetString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("", "1,000,000,000 times larger")]
    [InlineData("&precision=s", "1,000 times smaller")]
    public async Task Ingest_TimestampInTheWrongUnit_SaysWhatItWouldBeAndHowToSendIt(string precision, string hint)
    {
        await using var host = await ServiceHost.StartAsync();
        var value = precision.Length == 0 ? $"{Seconds}" : $"{Seconds}000";

        using var response = await host.PostAsync($"/api/ingest?{precision.TrimStart('&')}", $"unit,host=h1 v=1 {value}\n");
        var message = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("errors")[0].GetProperty("message").GetString()!;

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(hint, message, StringComparison.Ordinal);
        // The day the timestamp meant (digits lost to the wrong unit may move it back up to 1,000 s).
        var days = new[] { Seconds, Seconds - 1000 }.Select(s => DateTimeOffset.FromUnixTimeSeconds(s).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture));
        Assert.Contains(days, day => message.Contains($"on {day} if it were", StringComparison.Ordinal));
        Assert.Contains("precision=s", message, StringComparison.Ordinal);
    }
}
