using System.Diagnostics;
using FunctionsObservability.Functions.Standalone;
using FunctionsObservability.Functions.Timers;
using FunctionsObservability.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace FunctionsObservability.Tests.Timers;

/// <summary>The standalone scheduler, on the real clock: every test waits for an event, never for time.</summary>
public sealed class TimerSchedulerTests
{
    /// <summary>Once a year: a schedule that will not fire during a test.</summary>
    private const string Yearly = "0 0 0 1 1 *";

    /// <summary>Far below the host's 60 s shutdown timeout, so a scheduler that waited that out would fail.</summary>
    private static readonly TimeSpan Prompt = TimeSpan.FromSeconds(15);

    private static Dictionary<string, string> Scheduled(string functionName, string schedule, bool runOnStartup = false) => new()
    {
        ["Timers:Enabled"] = "true",
        [$"{functionName}Schedule"] = schedule,
        [$"Timers:{functionName}:RunOnStartup"] = runOnStartup ? "true" : "false",
    };

    [Fact]
    public async Task Scheduler_EverySecond_RunsTheJob()
    {
        var job = new CountingJob("TickEverySecond");
        await using var host = await ServiceHost.StartAsync(Scheduled(job.FunctionName, "* * * * * *"), configure: TimerTestKit.Only(job));

        await job.Ran.Task.WaitAsync(TimerTestKit.Generous);

        Assert.True(job.Runs >= 1);
    }

    [Fact]
    public async Task Scheduler_RunOnStartup_RunsTheJobAtStart()
    {
        var job = new CountingJob("RunAtStart");
        await using var host = await ServiceHost.StartAsync(Scheduled(job.FunctionName, Yearly, runOnStartup: true), configure: TimerTestKit.Only(job));

        await job.Ran.Task.WaitAsync(TimerTestKit.Generous);

        Assert.Equal(1, job.Runs);
    }

    [Fact]
    public async Task Scheduler_OccurrenceDueDuringALongRun_IsSkippedAndLogged()
    {
        var job = new BlockingJob("LongRun");
        var logs = new CapturingLoggerProvider();
        await using var host = await ServiceHost.StartAsync(Scheduled(job.FunctionName, "* * * * * *"), configure: TimerTestKit.Only(job).With(logs));

        await job.Started.Task.WaitAsync(TimerTestKit.Generous);
        var skipped = await logs.WaitForAsync(e => e.EventId.Id == FunctionsObservability.Functions.LogEvents.TimerJobSkipped && e.Message.Contains("LongRun skipped (schedule)", StringComparison.Ordinal)).WaitAsync(TimerTestKit.Generous);

        Assert.Equal(Microsoft.Extensions.Logging.LogLevel.Warning, skipped.Level);
        Assert.True(host.Service<TimerJobRunner>().IsRunning("LongRun"));
        job.Release.SetResult();
    }

    [Fact]
    public async Task Scheduler_OnHostStop_CancelsTheRunningJobAndStopsPromptly()
    {
        var job = new BlockingJob("StopMidRun");
        var host = await ServiceHost.StartAsync(Scheduled(job.FunctionName, Yearly, runOnStartup: true), configure: TimerTestKit.Only(job));
        try
        {
            await job.Started.Task.WaitAsync(TimerTestKit.Generous);
            var stopping = Stopwatch.StartNew();

            await host.StopAsync();

            Assert.True(stopping.Elapsed < Prompt, $"stopping took {stopping.Elapsed}");
            Assert.True(job.Cancelled.Task.IsCompleted, "the running job did not see the shutdown");
        }
        finally
        {
            await host.DisposeAsync();
        }
    }

    [Fact]
    public async Task Scheduler_WaitingForTheNextOccurrence_StopsPromptly()
    {
        var job = new CountingJob("Idle");
        var host = await ServiceHost.StartAsync(Scheduled(job.FunctionName, Yearly), configure: TimerTestKit.Only(job));
        try
        {
            var stopping = Stopwatch.StartNew();

            await host.StopAsync();

            Assert.True(stopping.Elapsed < Prompt, $"stopping took {stopping.Elapsed}");
            Assert.Equal(0, job.Runs);
        }
        finally
        {
            await host.DisposeAsync();
        }
    }

    [Fact]
    public async Task Scheduler_ScheduleThatDoesNotParse_StopsStartUpNamingTheKeyAndText()
    {
        var job = new CountingJob("Broken");

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() =>
            ServiceHost.StartAsync(Scheduled(job.FunctionName, "every minute"), configure: TimerTestKit.Only(job)));

        Assert.Contains("BrokenSchedule", error.Message, StringComparison.Ordinal);
        Assert.Contains("\"every minute\"", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Scheduler_TimersDisabled_IsNotRegistered()
    {
        var job = new CountingJob("Disabled");
        var settings = Scheduled(job.FunctionName, "* * * * * *", runOnStartup: true);
        settings["Timers:Enabled"] = "false";
        await using var host = await ServiceHost.StartAsync(settings, configure: TimerTestKit.Only(job));

        Assert.DoesNotContain(host.App.Services.GetServices<IHostedService>(), s => s is TimerScheduler);
        Assert.Equal(TimerRunStatus.Ran, (await host.Service<TimerJobRunner>().TryRunAsync("Disabled", "admin", CancellationToken.None)).Status);
    }

    [Fact]
    public async Task Scheduler_ByDefaultInTests_IsNotRegistered()
    {
        await using var host = await ServiceHost.StartAsync();

        Assert.DoesNotContain(host.App.Services.GetServices<IHostedService>(), s => s is TimerScheduler);
    }
}
