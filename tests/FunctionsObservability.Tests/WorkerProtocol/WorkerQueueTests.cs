using System.Globalization;
using System.Net;
using System.Text.Json;
using FunctionsObservability.Tests.WorkerProtocol.Rpc;

namespace FunctionsObservability.Tests.WorkerProtocol;

/// <summary>The queue function and a timer function, invoked as the host invokes them.</summary>
[Collection(WorkerCollection.Name)]
public sealed class WorkerQueueTests(WorkerFixture fixture)
{
    private WorkerHarness Worker => fixture.Worker;

    /// <summary>A queue message as the store's senders write it: line protocol with second timestamps.</summary>
    internal static string Envelope(string lines) =>
        JsonSerializer.Serialize(new { contentType = "text/plain", precision = "s", payload = lines });

    internal static string RecentLine(string host, double value) =>
        string.Create(CultureInfo.InvariantCulture, $"cpu,host={host} usage={value} {DateTimeOffset.UtcNow.ToUnixTimeSeconds() - 600}");

    [Fact]
    public async Task IngestQueue_GoodMessage_Succeeds_AndQueryPointsSeesThePoint()
    {
        using var timeout = new CancellationTokenSource(WorkerHarness.InvocationTimeout * 2);
        var host = "q" + Guid.NewGuid().ToString("N")[..8];

        var invocation = await Worker.InvokeQueueAsync("IngestQueue", Envelope(RecentLine(host, 1)), Guid.NewGuid().ToString(), 1, timeout.Token);

        Assert.True(invocation.Result.Status == StatusResult.Types.Status.Success, Worker.Describe(invocation));
        Assert.True(string.IsNullOrEmpty(WorkerHarness.ReturnText(invocation)), "a committed message goes to no poison queue: " + Worker.Describe(invocation));

        var query = await Worker.InvokeHttpAsync("QueryPoints", HttpMethod.Get, $"/api/query/points?metric=cpu_usage&tag=host:{host}", null, null, null, timeout.Token);
        Assert.True(query.Http.StatusCode == HttpStatusCode.OK, Worker.Describe(query));
        var points = WorkerHttpTests.Points(query.Http.Body);
        Worker.Verify(() =>
        {
            var point = Assert.Single(points);
            Assert.Equal(1.0, point.Value);
            Assert.Equal(host, point.Host);
        });
    }

    [Theory]
    [InlineData("not line protocol at all")]
    [InlineData("{\"contentType\":\"text/csv\",\"payload\":\"x\"}")]
    public async Task IngestQueue_MessageThatCanNeverSucceed_IsPoisonedWithItsReason(string message)
    {
        using var timeout = new CancellationTokenSource(WorkerHarness.InvocationTimeout * 2);

        var messageId = Guid.NewGuid().ToString();

        var invocation = await Worker.InvokeQueueAsync("IngestQueue", message, messageId, 2, timeout.Token);

        // Retrying cannot help, so the invocation succeeds (no retry) and the message moves to the
        // poison queue through the $return output, with the reason it was refused.
        Assert.True(invocation.Result.Status == StatusResult.Types.Status.Success, Worker.Describe(invocation));
        var poisoned = WorkerHarness.ReturnText(invocation);
        Assert.False(string.IsNullOrEmpty(poisoned), "no $return (poison message): " + Worker.Describe(invocation));
        using var document = JsonDocument.Parse(poisoned);
        Assert.True(
            document.RootElement.TryGetProperty("reason", out var reason) && !string.IsNullOrWhiteSpace(reason.GetString()),
            "the poison message has no reason: " + Worker.Describe(invocation));

        // The record names the message by the Id and DequeueCount the host put in trigger_metadata.
        Worker.Verify(() =>
        {
            Assert.Equal(messageId, document.RootElement.GetProperty("messageId").GetString());
            Assert.Equal(2, document.RootElement.GetProperty("dequeueCount").GetInt64());
        });
    }

    [Fact]
    public async Task Archive_TimerInvocation_Succeeds()
    {
        using var timeout = new CancellationTokenSource(WorkerHarness.InvocationTimeout * 2);

        var invocation = await Worker.InvokeTimerAsync(
            "Archive", "{\"Schedule\":{\"AdjustForDST\":true},\"ScheduleStatus\":null,\"IsPastDue\":false}", timeout.Token);

        Assert.True(invocation.Result.Status == StatusResult.Types.Status.Success, Worker.Describe(invocation));
    }
}
