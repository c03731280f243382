using FunctionsObservability.Functions.Timers;

namespace FunctionsObservability.Functions.Standalone;

/// <summary>
/// Fires the timer jobs when the app runs on its own; under the Functions host the host fires
/// them instead (the timer functions in <c>Worker/</c>), and this service is not registered. Unlike the host
/// with <c>useMonitor</c>, it keeps no schedule status: occurrences missed while the app was down
/// are not caught up; the next one does the work.
/// </summary>
internal sealed class TimerScheduler : BackgroundService
{
    /// <summary>Task.Delay takes at most about 49 days; longer waits are taken in steps.</summary>
    private static readonly TimeSpan MaxWait = TimeSpan.FromDays(1);

    private readonly IReadOnlyList<TimerSchedule> _schedules;
    private readonly TimerJobRunner _runner;
    private readonly TimeProvider _time;
    private readonly ILogger<TimerScheduler> _logger;

    /// <summary>Loads every job's schedule here, so a schedule that does not parse stops start-up.</summary>
    public TimerScheduler(IEnumerable<ITimerJob> jobs, TimerJobRunner runner, IConfiguration configuration, TimeProvider timeProvider, ILogger<TimerScheduler> logger)
    {
        _schedules = [.. jobs.Select(job => TimerSchedule.Load(job, configuration))];
        _runner = runner;
        _time = timeProvider;
        _logger = logger;
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(_schedules.Select(schedule => RunLoopAsync(schedule, stoppingToken)));

    private async Task RunLoopAsync(TimerSchedule schedule, CancellationToken stoppingToken)
    {
        // Runs are started, not awaited, so an occurrence that comes due during a long run reaches
        // the runner's gate and is skipped and logged there, instead of silently queueing.
        var runs = new List<Task>();
        try
        {
            var from = _time.GetUtcNow();
            TimerLog.Scheduled(_logger, schedule.FunctionName, schedule.Expression, schedule.Source, schedule.NextOccurrence(from));
            if (schedule.RunOnStartup)
            {
                runs.Add(StartRun(schedule, "startup", stoppingToken));
            }

            while (schedule.NextOccurrence(from) is { } due)
            {
                await WaitUntilAsync(due, stoppingToken).ConfigureAwait(false);
                runs.RemoveAll(run => run.IsCompleted);
                runs.Add(StartRun(schedule, "schedule", stoppingToken));

                // From the due time, not the clock alone, so a timer that fires a hair early cannot
                // yield the same occurrence twice; from the clock too, so a suspended machine does
                // not replay every occurrence it slept through.
                var now = _time.GetUtcNow();
                from = now > due ? now : due;
            }

            TimerLog.NoFurtherOccurrence(_logger, schedule.FunctionName, schedule.Expression);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }

        // A run saw the same token, so it is ending too; wait for it so shutdown does not cut it off mid-write.
        await Task.WhenAll(runs).ConfigureAwait(false);
    }

    /// <summary>Waits until the clock reaches <paramref name="due"/>; a timer can fire a little early, so it checks.</summary>
    private async Task WaitUntilAsync(DateTimeOffset due, CancellationToken stoppingToken)
    {
        for (var wait = due - _time.GetUtcNow(); wait > TimeSpan.Zero; wait = due - _time.GetUtcNow())
        {
            await Task.Delay(wait < MaxWait ? wait : MaxWait, _time, stoppingToken).ConfigureAwait(false);
        }
    }

    /// <summary>On the thread pool, so a job that works synchronously cannot hold up the loop; never faults.</summary>
    private Task StartRun(TimerSchedule schedule, string trigger, CancellationToken stoppingToken) =>
        Task.Run(
            async () =>
            {
                try
                {
                    await _runner.TryRunAsync(schedule.FunctionName, trigger, stoppingToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
                {
                    // Shutdown: the runner has logged it.
                }
            },
            CancellationToken.None);
}
