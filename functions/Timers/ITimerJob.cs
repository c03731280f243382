namespace FunctionsObservability.Functions.Timers;

/// <summary>
/// Work that runs on a timer: fired by the Functions host (a POST to <c>/&lt;FunctionName&gt;</c>),
/// by the standalone <see cref="TimerScheduler"/>, or on demand. Callers go through
/// <see cref="TimerJobRunner"/>, which keeps two runs of one job from overlapping.
/// </summary>
public interface ITimerJob
{
    /// <summary>The Functions function name, e.g. "Archive"; its schedule is in <c>functions/&lt;FunctionName&gt;/function.json</c>.</summary>
    string FunctionName { get; }

    /// <summary>Runs once. Honour the token: it is cancelled when the app shuts down or the caller goes away.</summary>
    Task<TimerJobReport> RunAsync(CancellationToken cancellationToken);
}

/// <summary>What one run did, in one line for the logs and the host's invocation record.</summary>
public sealed record TimerJobReport(bool Succeeded, string Summary);
