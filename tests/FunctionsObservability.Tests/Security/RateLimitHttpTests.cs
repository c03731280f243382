using System.Net;
using FunctionsObservability.Tests.Infrastructure;
using static FunctionsObservability.Tests.Security.SecurityRequests;

namespace FunctionsObservability.Tests.Security;

/// <summary>
/// Per-caller token buckets. The tiny buckets here refill one token per 100 s (TokensPerSecond
/// 0.01), so no refill can land between the requests of a test and the counts are exact.
/// </summary>
public sealed class RateLimitHttpTests
{
    private const int Burst = 2;

    private static Dictionary<string, string> TinyBuckets(Dictionary<string, string>? settings = null, string tokensPerSecond = "0.01")
    {
        var all = settings ?? [];
        all["RateLimits:Ingest:TokensPerSecond"] = tokensPerSecond;
        all["RateLimits:Ingest:Burst"] = Burst.ToString(System.Globalization.CultureInfo.InvariantCulture);
        all["RateLimits:Query:TokensPerSecond"] = tokensPerSecond;
        all["RateLimits:Query:Burst"] = Burst.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return all;
    }

    private static async Task<List<HttpResponseMessage>> RepeatAsync(int count, Func<Task<HttpResponseMessage>> send)
    {
        var responses = new List<HttpResponseMessage>();
        for (var i = 0; i < count; i++)
        {
            responses.Add(await send());
        }

        return responses;
    }

    private static async Task AssertThrottledAsync(HttpResponseMessage response, string bodyFragment)
    {
        Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
        var retryAfter = response.Headers.RetryAfter?.Delta;
        Assert.NotNull(retryAfter);
        Assert.True(retryAfter >= TimeSpan.FromSeconds(1), $"Retry-After {retryAfter}");
        Assert.Contains(bodyFragment, await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Ingest_MoreRequestsThanTheBurst_RefusesTheRestWith429AndRetryAfter()
    {
        await using var host = await ServiceHost.StartAsync(TinyBuckets(Keys()));

        var responses = await RepeatAsync(5, () => IngestAsync(host, IngestKey));

        Assert.Equal(Burst, responses.Count(r => r.IsSuccessStatusCode));
        foreach (var refused in responses.Where(r => !r.IsSuccessStatusCode))
        {
            await AssertThrottledAsync(refused, "\"error\":\"rate limit reached");
        }

        responses.ForEach(r => r.Dispose());
    }

    [Fact]
    public async Task Ingest_OneTokenPerSecond_RefusesPastTheBurst()
    {
        await using var host = await ServiceHost.StartAsync(TinyBuckets(Keys(), tokensPerSecond: "1"));

        var responses = await RepeatAsync(5, () => QueryAsync(host, QueryKey));

        // A refill lands at most once a second; five loopback requests take far less.
        Assert.InRange(responses.Count(r => r.IsSuccessStatusCode), Burst, Burst + 1);
        await AssertThrottledAsync(responses[^1], "rate limit reached");
        responses.ForEach(r => r.Dispose());
    }

    [Fact]
    public async Task V2Write_Throttled_AnswersInInfluxShape()
    {
        await using var host = await ServiceHost.StartAsync(TinyBuckets(Keys()));

        var responses = await RepeatAsync(Burst + 1, () => SendAsync(host, HttpMethod.Post, "/api/v2/write?precision=s", token: IngestKey));

        Assert.All(responses.Take(Burst), r => Assert.Equal(HttpStatusCode.NoContent, r.StatusCode));
        await AssertThrottledAsync(responses[^1], "\"code\":\"too many requests\"");
        responses.ForEach(r => r.Dispose());
    }

    [Fact]
    public async Task Ingest_FirstKeyThrottled_SecondKeyStillGetsThrough()
    {
        await using var host = await ServiceHost.StartAsync(TinyBuckets(Keys()));

        var first = await RepeatAsync(Burst + 1, () => IngestAsync(host, IngestKey));
        var second = await RepeatAsync(Burst, () => IngestAsync(host, SecondIngestKey));
        using var firstAgain = await IngestAsync(host, IngestKey);

        Assert.Equal(HttpStatusCode.TooManyRequests, first[^1].StatusCode);
        Assert.All(second, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        Assert.Equal(HttpStatusCode.TooManyRequests, firstAgain.StatusCode);
        first.Concat(second).ToList().ForEach(r => r.Dispose());
    }

    [Fact]
    public async Task Query_IngestBucketEmpty_QueryBucketIsSeparate()
    {
        await using var host = await ServiceHost.StartAsync(TinyBuckets(Keys()));

        var ingest = await RepeatAsync(Burst + 1, () => IngestAsync(host, AdminKey));
        using var query = await QueryAsync(host, AdminKey);

        Assert.Equal(HttpStatusCode.TooManyRequests, ingest[^1].StatusCode);
        Assert.Equal(HttpStatusCode.OK, query.StatusCode);
        ingest.ForEach(r => r.Dispose());
    }

    [Fact]
    public async Task Ingest_NoKeysConfigured_LimitsPerClientIp()
    {
        await using var host = await ServiceHost.StartAsync(TinyBuckets());

        var responses = await RepeatAsync(5, () => IngestAsync(host));

        Assert.Equal(Burst, responses.Count(r => r.IsSuccessStatusCode));
        await AssertThrottledAsync(responses[^1], "rate limit reached");
        responses.ForEach(r => r.Dispose());
    }

    [Fact]
    public async Task Health_TinyBuckets_IsNeverThrottled()
    {
        await using var host = await ServiceHost.StartAsync(TinyBuckets(Keys()));

        var responses = await RepeatAsync(10, () => QueryAsync(host, path: "/api/health"));

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        responses.ForEach(r => r.Dispose());
    }

    [Fact]
    public async Task Unauthorized_TinyBuckets_Returns401Not429()
    {
        await using var host = await ServiceHost.StartAsync(TinyBuckets(Keys()));

        var responses = await RepeatAsync(Burst + 2, () => IngestAsync(host, "wrong-key"));

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.Unauthorized, r.StatusCode));
        responses.ForEach(r => r.Dispose());
    }

    [Fact]
    public async Task Ingest_TokensPerSecondZero_IsNotLimited()
    {
        await using var host = await ServiceHost.StartAsync(new Dictionary<string, string>
        {
            ["RateLimits:Ingest:TokensPerSecond"] = "0",
            ["RateLimits:Ingest:Burst"] = "1",
        });

        var responses = await RepeatAsync(5, () => IngestAsync(host));

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        responses.ForEach(r => r.Dispose());
    }
}
