using System.Globalization;

namespace FunctionsObservability.Functions.Timers;

public enum TimerRunStatus
{
    /// <summary>The job ran and reported success.</summary>
    Ran,

    /// <summary>A run of the same job was still going, so this one did not start.</summary>
    Skipped,

    /// <summary>The job threw or reported failure.</summary>
    Failed,

    /// <summary>No job is registered under the name.</summary>
    Unknown,
}

/// <summary>The outcome of one <see cref="TimerJobRunner.TryRunAsync"/> call.</summary>
/// <param name="Report">The job's own report when it ran (or a report made from its exception); null when it did not run.</param>
public sealed record TimerRunResult(string FunctionName, string Trigger, TimerRunStatus Status, TimerJobReport? Report, TimeSpan Elapsed)
{
    /// <summary>One line for logs and responses.</summary>
    public string Describe() => Status switch
    {
        TimerRunStatus.Ran => string.Create(CultureInfo.InvariantCulture, $"{FunctionName} ran in {Elapsed.TotalSeconds:0.###} s: {Report?.Summary}"),
        TimerRunStatus.Failed => string.Create(CultureInfo.InvariantCulture, $"{FunctionName} failed after {Elapsed.TotalSeconds:0.###} s: {Report?.Summary}"),
        TimerRunStatus.Skipped => $"{FunctionName} skipped: a run started earlier is still going",
        _ => $"no job is registered for {FunctionName}",
    };
}
