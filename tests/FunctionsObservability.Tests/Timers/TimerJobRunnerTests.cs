using System.Diagnostics.Metrics;
using FunctionsObservability.Functions.Timers;
using Microsoft.Extensions.Logging;

namespace FunctionsObservability.Tests.Timers;

public sealed class TimerJobRunnerTests
{
    private readonly CapturingLoggerProvider _logs = new();

    private TimerJobRunner Runner(TimerMetrics metrics, params ITimerJob[] jobs) =>
        new(jobs, metrics, TimeProvider.System, new CapturingLogger<TimerJobRunner>(_logs));

    [Fact]
    public async Task TryRunAsync_JobSucceeds_IsRanWithItsReport()
    {
        using var metrics = new TimerMetrics();
        var job = new CountingJob("Archive");
        var runner = Runner(metrics, job);

        var result = await runner.TryRunAsync("archive", "admin", CancellationToken.None);

        Assert.Equal(TimerRunStatus.Ran, result.Status);
        Assert.Equal("Archive", result.FunctionName);
        Assert.Equal("run 1 done", result.Report!.Summary);
        Assert.Equal(1, job.Runs);
        Assert.False(runner.IsRunning("Archive"));
    }

    [Fact]
    public async Task TryRunAsync_WhileARunIsGoing_IsSkippedAndLogged()
    {
        using var metrics = new TimerMetrics();
        var job = new BlockingJob("Archive");
        var runner = Runner(metrics, job);

        var first = runner.TryRunAsync("Archive", "schedule", CancellationToken.None);
        await job.Started.Task.WaitAsync(TimerTestKit.Generous);
        var second = await runner.TryRunAsync("Archive", "host", CancellationToken.None);

        Assert.True(runner.IsRunning("Archive"));
        Assert.Equal(TimerRunStatus.Skipped, second.Status);
        Assert.Null(second.Report);
        var skipped = Assert.Single(_logs.Entries, e => e.EventId.Id == FunctionsObservability.Functions.LogEvents.TimerJobSkipped);
        Assert.Equal(LogLevel.Warning, skipped.Level);
        Assert.Contains("Archive skipped (host)", skipped.Message, StringComparison.Ordinal);

        job.Release.SetResult();
        Assert.Equal(TimerRunStatus.Ran, (await first.WaitAsync(TimerTestKit.Generous)).Status);
        Assert.False(runner.IsRunning("Archive"));
        Assert.Equal(TimerRunStatus.Ran, (await runner.TryRunAsync("Archive", "host", CancellationToken.None)).Status);
    }

    [Fact]
    public async Task TryRunAsync_JobThrows_IsFailedWithTheErrorAndFreesTheGate()
    {
        using var metrics = new TimerMetrics();
        var runner = Runner(metrics, new ThrowingJob("Retention", new IOException("disk gone")));

        var result = await runner.TryRunAsync("Retention", "schedule", CancellationToken.None);

        Assert.Equal(TimerRunStatus.Failed, result.Status);
        Assert.Equal("IOException: disk gone", result.Report!.Summary);
        Assert.False(result.Report.Succeeded);
        Assert.Contains(_logs.Entries, e => e.EventId.Id == FunctionsObservability.Functions.LogEvents.TimerJobThrew && e.Level == LogLevel.Error);
        Assert.False(runner.IsRunning("Retention"));
        Assert.Equal(TimerRunStatus.Failed, (await runner.TryRunAsync("Retention", "schedule", CancellationToken.None)).Status);
    }

    [Fact]
    public async Task TryRunAsync_JobReportsFailure_IsFailed()
    {
        using var metrics = new TimerMetrics();
        var runner = Runner(metrics, new FailingJob("Archive", "archive store unreachable"));

        var result = await runner.TryRunAsync("Archive", "schedule", CancellationToken.None);

        Assert.Equal(TimerRunStatus.Failed, result.Status);
        Assert.Contains("archive store unreachable", result.Describe(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task TryRunAsync_CallerCancels_RethrowsAndFreesTheGate()
    {
        using var metrics = new TimerMetrics();
        var job = new BlockingJob("Archive");
        var runner = Runner(metrics, job);
        using var cancellation = new CancellationTokenSource();

        var run = runner.TryRunAsync("Archive", "schedule", cancellation.Token);
        await job.Started.Task.WaitAsync(TimerTestKit.Generous);
        await cancellation.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run);
        Assert.False(runner.IsRunning("Archive"));
        Assert.Contains(_logs.Entries, e => e.EventId.Id == FunctionsObservability.Functions.LogEvents.TimerJobCancelled);
    }

    [Fact]
    public async Task TryRunAsync_JobThrowsCancellationOfItsOwn_IsFailedNotThrown()
    {
        using var metrics = new TimerMetrics();
        var runner = Runner(metrics, new ThrowingJob("Archive", new TaskCanceledException("upload timed out")));

        var result = await runner.TryRunAsync("Archive", "schedule", CancellationToken.None);

        Assert.Equal(TimerRunStatus.Failed, result.Status);
        Assert.Contains("upload timed out", result.Report!.Summary, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TryRunAsync_UnknownName_IsUnknown()
    {
        using var metrics = new TimerMetrics();
        var runner = Runner(metrics, new CountingJob("Archive"));

        var result = await runner.TryRunAsync("Vacuum", "admin", CancellationToken.None);

        Assert.Equal(TimerRunStatus.Unknown, result.Status);
        Assert.Equal("no job is registered for Vacuum", result.Describe());
        Assert.False(runner.IsRunning("Vacuum"));
    }

    [Fact]
    public void Constructor_TwoJobsWithOneName_Fails()
    {
        using var metrics = new TimerMetrics();

        var error = Assert.Throws<InvalidOperationException>(() => Runner(metrics, new CountingJob("Archive"), new CountingJob("archive")));

        Assert.Contains("two timer jobs are registered for archive", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TryRunAsync_EachOutcome_IsCountedByFunctionTriggerAndStatus()
    {
        using var metrics = new TimerMetrics();
        var counts = new Dictionary<string, long>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument == metrics.Runs)
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            var key = string.Join('/', tags.ToArray().OrderBy(t => t.Key, StringComparer.Ordinal).Select(t => t.Value));
            lock (counts)
            {
                counts[key] = counts.GetValueOrDefault(key) + value;
            }
        });
        listener.Start();
        var blocking = new BlockingJob("Archive");
        var runner = Runner(metrics, blocking, new ThrowingJob("Retention", new InvalidOperationException("no")));

        var first = runner.TryRunAsync("Archive", "schedule", CancellationToken.None);
        await blocking.Started.Task.WaitAsync(TimerTestKit.Generous);
        await runner.TryRunAsync("Archive", "host", CancellationToken.None);
        blocking.Release.SetResult();
        await first.WaitAsync(TimerTestKit.Generous);
        await runner.TryRunAsync("Retention", "host", CancellationToken.None);
        await runner.TryRunAsync("Other", "admin", CancellationToken.None);

        // Tags sorted by key: function, status, trigger.
        Assert.Equal(1, counts["Archive/ran/schedule"]);
        Assert.Equal(1, counts["Archive/skipped/host"]);
        Assert.Equal(1, counts["Retention/failed/host"]);
        Assert.Equal(1, counts["(none)/unknown/admin"]);
        Assert.Equal(TimerMetrics.MeterName, metrics.Runs.Meter.Name);
    }
}
