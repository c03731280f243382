using FunctionsObservability.Pipeline.Archive;

namespace FunctionsObservability.Functions.Timers;

/// <summary>The <c>Archive</c> timer function: one archive run, whether the host or the standalone scheduler fires it.</summary>
internal sealed class ArchiveTimerJob(ArchiveRunner runner) : ITimerJob
{
    public const string Name = "Archive";

    public string FunctionName => Name;

    /// <summary>Every 5 minutes: a closed hour leaves DuckDB within minutes of leaving the hot window.</summary>
    public string DefaultSchedule => "0 */5 * * * *";

    public async Task<TimerJobReport> RunAsync(CancellationToken cancellationToken)
    {
        var result = await runner.RunAsync(cancellationToken).ConfigureAwait(false);

        // A skipped run is not a failure: the run that holds the lock does the work.
        return new TimerJobReport(result.Skipped || result.Succeeded, result.Describe());
    }
}

/// <summary>The <c>Retention</c> timer function.</summary>
internal sealed class RetentionTimerJob(RetentionRunner runner) : ITimerJob
{
    public const string Name = "Retention";

    public string FunctionName => Name;

    /// <summary>Hourly, at a minute away from the archive runs on the hour.</summary>
    public string DefaultSchedule => "0 17 * * * *";

    public async Task<TimerJobReport> RunAsync(CancellationToken cancellationToken)
    {
        var result = await runner.RunAsync(cancellationToken).ConfigureAwait(false);
        return new TimerJobReport(result.Skipped || result.Succeeded, result.Describe());
    }
}
