using FunctionsObservability.Tests.WorkerProtocol.Rpc;

namespace FunctionsObservability.Tests.WorkerProtocol;

/// <summary>A queue message whose commit fails: the host must see a failed invocation, so it retries.</summary>
public sealed class WorkerTransientFailureTests(FailingCommitWorkerFixture fixture) : IClassFixture<FailingCommitWorkerFixture>
{
    private WorkerHarness Worker => fixture.Worker;

    [Fact]
    public async Task IngestQueue_CommitFails_InvocationFails_AndTheNextMessageCommits()
    {
        using var timeout = new CancellationTokenSource(WorkerHarness.InvocationTimeout * 3);
        var host = "f" + Guid.NewGuid().ToString("N")[..8];
        var refused = WorkerQueueTests.Envelope(WorkerQueueTests.RecentLine(FailingCommitWorkerFixture.RefusedTagPrefix + host, 1));

        var failed = await Worker.InvokeQueueAsync("IngestQueue", refused, Guid.NewGuid().ToString(), 1, timeout.Token);

        // A failure, not a poison message: the host leaves the message on the queue and retries it.
        Assert.True(failed.Result.Status == StatusResult.Types.Status.Failure, Worker.Describe(failed));
        Assert.True(string.IsNullOrEmpty(WorkerHarness.ReturnText(failed)), "a transient failure must not poison the message: " + Worker.Describe(failed));

        var next = await Worker.InvokeQueueAsync("IngestQueue", WorkerQueueTests.Envelope(WorkerQueueTests.RecentLine(host, 2)), Guid.NewGuid().ToString(), 1, timeout.Token);

        Assert.True(next.Result.Status == StatusResult.Types.Status.Success, "the writer should keep writing after a failed commit: " + Worker.Describe(next));
        Assert.True(string.IsNullOrEmpty(WorkerHarness.ReturnText(next)), Worker.Describe(next));
    }
}
