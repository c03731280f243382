namespace FunctionsObservability.Functions.Timers;

internal static partial class TimerLog
{
    [LoggerMessage(EventId = LogEvents.TimerJobStarted, Level = LogLevel.Information, Message = "Timer job {FunctionName} started ({Trigger})")]
    public static partial void Started(ILogger logger, string functionName, string trigger);

    [LoggerMessage(EventId = LogEvents.TimerJobCompleted, Level = LogLevel.Information, Message = "Timer job {FunctionName} ran in {ElapsedSeconds:0.###} s ({Trigger}): {Summary}")]
    public static partial void Ran(ILogger logger, string functionName, string trigger, double elapsedSeconds, string summary);

    [LoggerMessage(EventId = LogEvents.TimerJobReportedFailure, Level = LogLevel.Warning, Message = "Timer job {FunctionName} reported failure after {ElapsedSeconds:0.###} s ({Trigger}): {Summary}")]
    public static partial void ReportedFailure(ILogger logger, string functionName, string trigger, double elapsedSeconds, string summary);

    [LoggerMessage(EventId = LogEvents.TimerJobThrew, Level = LogLevel.Error, Message = "Timer job {FunctionName} threw after {ElapsedSeconds:0.###} s ({Trigger}); the next run tries again")]
    public static partial void Threw(ILogger logger, string functionName, string trigger, double elapsedSeconds, Exception exception);

    [LoggerMessage(EventId = LogEvents.TimerJobSkipped, Level = LogLevel.Warning, Message = "Timer job {FunctionName} skipped ({Trigger}): the run started at {RunningSince:O} is still going")]
    public static partial void Skipped(ILogger logger, string functionName, string trigger, DateTimeOffset runningSince);

    [LoggerMessage(EventId = LogEvents.TimerJobNotRegistered, Level = LogLevel.Warning, Message = "No timer job is registered for {FunctionName} ({Trigger})")]
    public static partial void Unknown(ILogger logger, string functionName, string trigger);

    [LoggerMessage(EventId = LogEvents.TimerJobCancelled, Level = LogLevel.Information, Message = "Timer job {FunctionName} was cancelled after {ElapsedSeconds:0.###} s ({Trigger})")]
    public static partial void Cancelled(ILogger logger, string functionName, string trigger, double elapsedSeconds);

    [LoggerMessage(EventId = LogEvents.TimerJobScheduled, Level = LogLevel.Information, Message = "Scheduling {FunctionName} on \"{Schedule}\" (UTC, from {Source}); next run at {Next:O}")]
    public static partial void Scheduled(ILogger logger, string functionName, string schedule, string source, DateTimeOffset? next);

    [LoggerMessage(EventId = LogEvents.TimerScheduleExhausted, Level = LogLevel.Warning, Message = "Schedule \"{Schedule}\" of {FunctionName} has no further occurrence; the scheduler stops running it")]
    public static partial void NoFurtherOccurrence(ILogger logger, string functionName, string schedule);
}
