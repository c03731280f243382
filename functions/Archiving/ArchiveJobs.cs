using FunctionsObservability.Functions.Timers;
using FunctionsObservability.Pipeline.Archive;

namespace FunctionsObservability.Functions.Archiving;

/// <summary>The <c>Archive</c> timer function: one archive run, whether the host or the standalone scheduler fires it.</summary>
internal sealed class ArchiveTimerJob(ArchiveRunner runner) : ITimerJob
{
    public string FunctionName => "Archive";

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
    public string FunctionName => "Retention";

    public async Task<TimerJobReport> RunAsync(CancellationToken cancellationToken)
    {
        var result = await runner.RunAsync(cancellationToken).ConfigureAwait(false);
        return new TimerJobReport(result.Skipped || result.Succeeded, result.Describe());
    }
}
