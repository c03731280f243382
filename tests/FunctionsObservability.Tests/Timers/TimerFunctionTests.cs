using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using FunctionsObservability.Tests.Infrastructure;

namespace FunctionsObservability.Tests.Timers;

/// <summary>The payloads the Functions host sends a custom handler for a timer trigger, and the answers it expects.</summary>
public sealed class TimerFunctionTests
{
    /// <summary>What the host posts when a timer fires: the binding named "timer", and the sys metadata.</summary>
    private static string Invocation(string functionName, bool pastDue = false)
    {
        var now = DateTimeOffset.UtcNow;
        return JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["Data"] = new Dictionary<string, object>
            {
                ["timer"] = new Dictionary<string, object>
                {
                    ["Schedule"] = new Dictionary<string, object> { ["AdjustForDST"] = true },
                    ["ScheduleStatus"] = new Dictionary<string, object>
                    {
                        ["Last"] = now.AddMinutes(-5).ToString("O", CultureInfo.InvariantCulture),
                        ["Next"] = now.AddMinutes(5).ToString("O", CultureInfo.InvariantCulture),
                        ["LastUpdated"] = now.AddMinutes(-5).ToString("O", CultureInfo.InvariantCulture),
                    },
                    ["IsPastDue"] = pastDue,
                },
            },
            ["Metadata"] = new Dictionary<string, object>
            {
                ["sys"] = new Dictionary<string, object> { ["MethodName"] = functionName, ["UtcNow"] = now.ToString("O", CultureInfo.InvariantCulture), ["RandGuid"] = Guid.NewGuid().ToString() },
            },
        });
    }

    private static async Task<(HttpStatusCode Status, JsonElement Body)> InvokeAsync(ServiceHost host, string functionName, string? invocation = null)
    {
        using var content = new StringContent(invocation ?? Invocation(functionName), Encoding.UTF8, "application/json");
        using var response = await host.Client.PostAsync($"/{functionName}", content);
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, JsonDocument.Parse(text).RootElement.Clone());
    }

    private static void AssertInvocationShape(JsonElement body)
    {
        Assert.Equal(JsonValueKind.Object, body.GetProperty("Outputs").ValueKind);
        Assert.Empty(body.GetProperty("Outputs").EnumerateObject());
        Assert.Equal(JsonValueKind.Array, body.GetProperty("Logs").ValueKind);
        Assert.Equal(JsonValueKind.Null, body.GetProperty("ReturnValue").ValueKind);
    }

    [Fact]
    public async Task Archive_HostInvocation_RunsThenAnswersOutputsLogsReturnValue()
    {
        var job = new CountingJob("Archive");
        await using var host = await ServiceHost.StartAsync(configure: TimerTestKit.Only(job));

        var (status, body) = await InvokeAsync(host, "Archive");

        Assert.Equal(HttpStatusCode.OK, status);
        AssertInvocationShape(body);
        Assert.StartsWith("Archive ran in ", body.GetProperty("Logs")[0].GetString(), StringComparison.Ordinal);
        Assert.EndsWith(": run 1 done", body.GetProperty("Logs")[0].GetString(), StringComparison.Ordinal);
        Assert.Equal(1, job.Runs);
    }

    [Fact]
    public async Task Archive_InvocationWhileARunIsGoing_IsSkippedWith200AndALogLine()
    {
        var job = new BlockingJob("Archive");
        var logs = new CapturingLoggerProvider();
        await using var host = await ServiceHost.StartAsync(configure: TimerTestKit.Only(job).With(logs));

        var first = InvokeAsync(host, "Archive");
        await job.Started.Task.WaitAsync(TimerTestKit.Generous);
        var (status, body) = await InvokeAsync(host, "Archive");
        job.Release.SetResult();
        var (firstStatus, firstBody) = await first.WaitAsync(TimerTestKit.Generous);

        Assert.Equal(HttpStatusCode.OK, status);
        AssertInvocationShape(body);
        Assert.Equal("Archive skipped: a run started earlier is still going", body.GetProperty("Logs")[0].GetString());
        Assert.Contains(logs.Entries, e => e.EventId.Id == 9105 && e.Message.Contains("Archive skipped (host)", StringComparison.Ordinal));
        Assert.Equal(HttpStatusCode.OK, firstStatus);
        Assert.Contains("released", firstBody.GetProperty("Logs")[0].GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Retention_JobThrows_Answers500WithTheErrorInLogs()
    {
        await using var host = await ServiceHost.StartAsync(configure: TimerTestKit.Only(new ThrowingJob("Retention", new IOException("cannot delete partition 2026-01"))));

        var (status, body) = await InvokeAsync(host, "Retention");

        Assert.Equal(HttpStatusCode.InternalServerError, status);
        AssertInvocationShape(body);
        Assert.Contains("Retention failed after", body.GetProperty("Logs")[0].GetString(), StringComparison.Ordinal);
        Assert.Contains("IOException: cannot delete partition 2026-01", body.GetProperty("Logs")[0].GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Archive_JobReportsFailure_Answers500()
    {
        await using var host = await ServiceHost.StartAsync(configure: TimerTestKit.Only(new FailingJob("Archive", "archive store unreachable")));

        var (status, body) = await InvokeAsync(host, "Archive");

        Assert.Equal(HttpStatusCode.InternalServerError, status);
        Assert.Contains("archive store unreachable", body.GetProperty("Logs")[0].GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Archive_NoJobRegistered_Answers404WithALogLine()
    {
        await using var host = await ServiceHost.StartAsync(configure: TimerTestKit.Only());

        var (status, body) = await InvokeAsync(host, "Archive");

        Assert.Equal(HttpStatusCode.NotFound, status);
        AssertInvocationShape(body);
        Assert.Equal("no job is registered for Archive", body.GetProperty("Logs")[0].GetString());
    }

    [Theory]
    [InlineData("")]
    [InlineData("{}")]
    [InlineData("""{"Data":{},"Metadata":{}}""")]
    [InlineData("""{"Data":{"timer":"{\"IsPastDue\":false}"}}""")]
    public async Task Archive_InvocationWithoutTimerData_StillRuns(string invocation)
    {
        var job = new CountingJob("Archive");
        await using var host = await ServiceHost.StartAsync(configure: TimerTestKit.Only(job));

        var (status, body) = await InvokeAsync(host, "Archive", invocation);

        Assert.Equal(HttpStatusCode.OK, status);
        AssertInvocationShape(body);
        Assert.Equal(1, job.Runs);
    }

    [Fact]
    public async Task Archive_PastDueInvocation_RunsAndSaysSo()
    {
        await using var host = await ServiceHost.StartAsync(configure: TimerTestKit.Only(new CountingJob("Archive")));

        var (status, body) = await InvokeAsync(host, "Archive", Invocation("Archive", pastDue: true));

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Contains("past due", body.GetProperty("Logs")[1].GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Archive_BodyThatIsNotJsonOrTooLarge_Gets400WithoutRunning()
    {
        var job = new CountingJob("Archive");
        await using var host = await ServiceHost.StartAsync(configure: TimerTestKit.Only(job));

        var (notJson, notJsonBody) = await InvokeAsync(host, "Archive", "run please");
        var (tooLarge, tooLargeBody) = await InvokeAsync(host, "Archive", "{\"Data\":{\"timer\":{\"pad\":\"" + new string('x', 100_000) + "\"}}}");

        Assert.Equal(HttpStatusCode.BadRequest, notJson);
        Assert.Equal("the invocation is not JSON", notJsonBody.GetProperty("Logs")[0].GetString());
        Assert.Equal(HttpStatusCode.BadRequest, tooLarge);
        Assert.Contains("limit of 65536", tooLargeBody.GetProperty("Logs")[0].GetString(), StringComparison.Ordinal);
        Assert.Equal(0, job.Runs);
    }
}
