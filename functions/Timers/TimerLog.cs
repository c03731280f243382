namespace FunctionsObservability.Functions.Timers;

internal static partial class TimerLog
{
    [LoggerMessage(EventId = 9101, Level = LogLevel.Information, Message = "Timer job {FunctionName} started ({Trigger})")]
    public static partial void Started(ILogger logger, string functionName, string trigger);

    [LoggerMessage(EventId = 9102, Level = LogLevel.Information, Message = "Timer job {FunctionName} ran in {ElapsedSeconds:0.###} s ({Trigger}): {Summary}")]
    public static partial void Ran(ILogger logger, string functionName, string trigger, double elapsedSeconds, string summary);

    [LoggerMessage(EventId = 9103, Level = LogLevel.Warning, Message = "Timer job {FunctionName} reported failure after {ElapsedSeconds:0.###} s ({Trigger}): {Summary}")]
    public static partial void ReportedFailure(ILogger logger, string functionName, string trigger, double elapsedSeconds, string summary);

    [LoggerMessage(EventId = 9104, Level = LogLevel.Error, Message = "Timer job {FunctionName} threw after {ElapsedSeconds:0.###} s ({Trigger}); the next run tries again")]
    public static partial void Threw(ILogger logger, string functionName, string trigger, double elapsedSeconds, Exception exception);

    [LoggerMessage(EventId = 9105, Level = LogLevel.Warning, Message = "Timer job {FunctionName} skipped ({Trigger}): the run started at {RunningSince:O} is still going")]
    public static partial void Skipped(ILogger logger, string functionName, string trigger, DateTimeOffset runningSince);

    [LoggerMessage(EventId = 9106, Level = LogLevel.Warning, Message = "No timer job is registered for {FunctionName} ({Trigger})")]
    public static partial void Unknown(ILogger logger, string functionName, string trigger);

    [LoggerMessage(EventId = 9107, Level = LogLevel.Information, Message = "Timer job {FunctionName} was cancelled after {ElapsedSeconds:0.###} s ({Trigger})")]
    public static partial void Cancelled(ILogger logger, string functionName, string trigger, double elapsedSeconds);

    [LoggerMessage(EventId = 9108, Level = LogLevel.Information, Message = "Scheduling {FunctionName} on \"{Schedule}\" (UTC, from {Source}); next run at {Next:O}")]
    public static partial void Scheduled(ILogger logger, string functionName, string schedule, string source, DateTimeOffset? next);

    [LoggerMessage(EventId = 9109, Level = LogLevel.Warning, Message = "Schedule \"{Schedule}\" of {FunctionName} has no further occurrence; the scheduler stops running it")]
    public static partial void NoFurtherOccurrence(ILogger logger, string functionName, string schedule);
}
