using FunctionsObservability.Functions.Timers;
using Microsoft.Azure.Functions.Worker;

namespace FunctionsObservability.Functions.Worker;

/// <summary>
/// The timers under the Functions host. The schedules are the app settings <c>ArchiveSchedule</c>
/// and <c>RetentionSchedule</c> (see <see cref="TimerSchedule.SettingName"/>); the standalone scheduler
/// reads the same settings. A run that fails fails the invocation, so the host records it; a timer
/// is not retried, the next occurrence does the work.
/// </summary>
internal sealed class TimerFunctions
{
    private readonly TimerJobRunner _runner;

    public TimerFunctions(TimerJobRunner runner) => _runner = runner;

    [Function(ArchiveTimerJob.Name)]
    public Task ArchiveAsync([TimerTrigger("%ArchiveSchedule%")] TimerInfo timer, CancellationToken cancellationToken) =>
        RunAsync(ArchiveTimerJob.Name, timer, cancellationToken);

    [Function(RetentionTimerJob.Name)]
    public Task RetentionAsync([TimerTrigger("%RetentionSchedule%")] TimerInfo timer, CancellationToken cancellationToken) =>
        RunAsync(RetentionTimerJob.Name, timer, cancellationToken);

    private async Task RunAsync(string functionName, TimerInfo timer, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(timer);
        var result = await _runner.TryRunAsync(functionName, timer.IsPastDue ? "host (past due)" : "host", cancellationToken).ConfigureAwait(false);
        if (result.Status is TimerRunStatus.Failed or TimerRunStatus.Unknown)
        {
            throw new TimerJobFailedException(result.Describe());
        }
    }
}
