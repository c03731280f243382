namespace FunctionsObservability.Functions.Timers;

/// <summary>
/// Work that runs on a timer: fired by the Functions host (the job's <c>[Function]</c>), by the
/// standalone scheduler, or on demand. Callers go through <see cref="TimerJobRunner"/>, which keeps
/// two runs of one job from overlapping.
/// </summary>
public interface ITimerJob
{
    /// <summary>The Functions function name, e.g. "Archive".</summary>
    string FunctionName { get; }

    /// <summary>
    /// The six-field NCRONTAB schedule used when the app setting <c>&lt;FunctionName&gt;Schedule</c> is
    /// not set (standalone only: under the host the setting must exist, or the host cannot index the trigger).
    /// </summary>
    string DefaultSchedule { get; }

    /// <summary>Runs once. Honour the token: it is cancelled when the app shuts down or the caller goes away.</summary>
    Task<TimerJobReport> RunAsync(CancellationToken cancellationToken);
}

/// <summary>What one run did, in one line for the logs and the host's invocation record.</summary>
public sealed record TimerJobReport(bool Succeeded, string Summary);
