using FunctionsObservability.Functions.Timers;
using FunctionsObservability.Functions.Worker;
using FunctionsObservability.Tests.Infrastructure;
using Microsoft.Azure.Functions.Worker;

namespace FunctionsObservability.Tests.Timers;

/// <summary>
/// The timer functions the Functions host invokes, called directly: a run that fails must fail the
/// invocation (so the host records it), and a skipped or successful one must not.
/// </summary>
public sealed class TimerFunctionTests
{
    private static TimerFunctions Functions(ServiceHost host) => new(host.Service<TimerJobRunner>());

    [Fact]
    public async Task Archive_Invocation_RunsTheJobOnce()
    {
        var job = new CountingJob("Archive");
        await using var host = await ServiceHost.StartAsync(configure: TimerTestKit.Only(job));

        await Functions(host).ArchiveAsync(new TimerInfo(), CancellationToken.None);

        Assert.Equal(1, job.Runs);
    }

    [Fact]
    public async Task Archive_InvocationWhileARunIsGoing_IsSkippedWithoutFailingAndLogged()
    {
        var job = new BlockingJob("Archive");
        var logs = new CapturingLoggerProvider();
        await using var host = await ServiceHost.StartAsync(configure: TimerTestKit.Only(job).With(logs));
        var functions = Functions(host);

        var first = functions.ArchiveAsync(new TimerInfo(), CancellationToken.None);
        await job.Started.Task.WaitAsync(TimerTestKit.Generous);
        await functions.ArchiveAsync(new TimerInfo(), CancellationToken.None);
        job.Release.SetResult();
        await first.WaitAsync(TimerTestKit.Generous);

        Assert.Contains(logs.Entries, e => e.EventId.Id == FunctionsObservability.Functions.LogEvents.TimerJobSkipped && e.Message.Contains("Archive skipped (host)", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Retention_JobThrows_FailsTheInvocationWithTheError()
    {
        await using var host = await ServiceHost.StartAsync(configure: TimerTestKit.Only(new ThrowingJob("Retention", new IOException("cannot delete partition 2026-01"))));

        var error = await Assert.ThrowsAsync<TimerJobFailedException>(() => Functions(host).RetentionAsync(new TimerInfo(), CancellationToken.None));

        Assert.Contains("Retention failed after", error.Message, StringComparison.Ordinal);
        Assert.Contains("IOException: cannot delete partition 2026-01", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Archive_JobReportsFailure_FailsTheInvocation()
    {
        await using var host = await ServiceHost.StartAsync(configure: TimerTestKit.Only(new FailingJob("Archive", "archive store unreachable")));

        var error = await Assert.ThrowsAsync<TimerJobFailedException>(() => Functions(host).ArchiveAsync(new TimerInfo(), CancellationToken.None));

        Assert.Contains("archive store unreachable", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Archive_NoJobRegistered_FailsTheInvocation()
    {
        await using var host = await ServiceHost.StartAsync(configure: TimerTestKit.Only());

        var error = await Assert.ThrowsAsync<TimerJobFailedException>(() => Functions(host).ArchiveAsync(new TimerInfo(), CancellationToken.None));

        Assert.Equal("no job is registered for Archive", error.Message);
    }

    [Fact]
    public async Task Archive_PastDueInvocation_RunsAndSaysSo()
    {
        var logs = new CapturingLoggerProvider();
        await using var host = await ServiceHost.StartAsync(configure: TimerTestKit.Only(new CountingJob("Archive")).With(logs));

        await Functions(host).ArchiveAsync(new TimerInfo { IsPastDue = true }, CancellationToken.None);

        Assert.Contains(logs.Entries, e => e.Message.Contains("Archive started (host (past due))", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Archive_RealJob_ArchivesNothingOnAnEmptyStoreAndSucceeds()
    {
        await using var host = await ServiceHost.StartAsync();

        await Functions(host).ArchiveAsync(new TimerInfo(), CancellationToken.None);

        var manifest = await host.GetJsonAsync("/api/admin/archive");
        Assert.Equal(0, manifest.GetProperty("files").GetInt32());
    }
}
