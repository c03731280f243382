using System.Net;
using FunctionsObservability.Functions.Http;
using FunctionsObservability.Functions.Queues;
using FunctionsObservability.Tests.Infrastructure;
using Microsoft.AspNetCore.Http;

namespace FunctionsObservability.Tests.Telemetry;

/// <summary>The instruments added for the service's telemetry count what they say, seen through <c>/metrics</c>.</summary>
public sealed class ServiceMetersTests
{
    [Fact]
    public async Task QueueMessages_AreCountedByOutcome()
    {
        await using var host = await ServiceHost.StartAsync();
        var processor = host.Service<QueueMessageProcessor>();
        const string Message = """{"contentType":"text/plain","precision":"s","payload":"queue_meter v=1 1767225600"}""";

        Assert.Equal(QueueDisposition.Done, (await processor.ProcessAsync(Message, "m1", 1, CancellationToken.None)).Disposition);
        Assert.Equal(QueueDisposition.Done, (await processor.ProcessAsync(Message, "m1", 2, CancellationToken.None)).Disposition);
        Assert.Equal(QueueDisposition.Poison, (await processor.ProcessAsync("", "m2", 1, CancellationToken.None)).Disposition);

        var text = await Scrapes.UntilAsync(host, body => body.Contains("outcome=\"poison\"", StringComparison.Ordinal));
        Assert.Matches("fo_queue_messages_total\\{[^}]*outcome=\"committed\"[^}]*\\} [1-9]", text);
        Assert.Matches("fo_queue_messages_total\\{[^}]*outcome=\"duplicate\"[^}]*\\} [1-9]", text);
        Assert.Matches("fo_queue_messages_total\\{[^}]*outcome=\"poison\"[^}]*\\} [1-9]", text);
    }

    [Fact]
    public async Task RateLimitRejections_AreCountedByRouteClass()
    {
        await using var host = await ServiceHost.StartAsync(new Dictionary<string, string>
        {
            ["RateLimits:Query:TokensPerSecond"] = "0.001",
            ["RateLimits:Query:Burst"] = "1",
        });

        using (var first = await host.Client.GetAsync("/api/metrics"))
        {
            Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        }

        using (var second = await host.Client.GetAsync("/api/metrics"))
        {
            Assert.Equal(HttpStatusCode.TooManyRequests, second.StatusCode);
        }

        var text = await Scrapes.UntilAsync(host, body => body.Contains("fo_ratelimit_rejected_total{", StringComparison.Ordinal));
        Assert.Matches("fo_ratelimit_rejected_total\\{[^}]*route_class=\"query\"[^}]*\\} [1-9]", text);
        Assert.Matches("fo_query_duration_seconds_count\\{[^}]*outcome=\"ok\"[^}]*route=\"metrics\"[^}]*\\} [1-9]", text);
    }

    [Theory]
    [InlineData(200, false, false, "ok")]
    [InlineData(204, false, false, "ok")]
    [InlineData(400, false, false, "client_error")]
    [InlineData(404, false, false, "client_error")]
    [InlineData(429, false, false, "busy")]
    [InlineData(503, false, false, "busy")]
    [InlineData(504, false, false, "timeout")]
    [InlineData(500, false, false, "error")]
    [InlineData(200, true, false, "error")]
    [InlineData(200, false, true, "cancelled")]
    public void QueryOutcome_HasFewValues(int status, bool threw, bool aborted, string outcome)
    {
        using var abort = new CancellationTokenSource();
        var context = new DefaultHttpContext { RequestAborted = abort.Token };
        context.Response.StatusCode = status;
        if (aborted)
        {
            abort.Cancel();
        }

        Assert.Equal(outcome, QueryTiming.Outcome(context, threw));
    }
}
