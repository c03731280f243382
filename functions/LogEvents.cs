namespace FunctionsObservability.Functions;

/// <summary>
/// Every log event id of the app, in one table. An id names one event for good: do not renumber
/// one, reuse a retired one or give two events the same id (LogEventsTests checks the last). A new
/// event takes the next free id in its area's range.
/// </summary>
/// <remarks>
/// <code>
/// Area                   Range        Where
/// Hosting                1000–1999    Hosting/PipelineHostedService.cs
/// HTTP                   2000–2999    Http/UnhandledErrors.cs
/// Queues                 3000–3999
///   Message processing   3000–3099    Queues/QueueMessageProcessor.cs
///   Standalone listener  3100–3199    Standalone/Queues/QueueListener.cs
/// Security               4000–4999    Standalone/Security/
/// Timers                 5000–5999    Timers/TimerLog.cs
/// </code>
/// The pipeline (pipeline/) has its own table, FunctionsObservability.Pipeline.LogEvents; its
/// events have their own logger categories.
/// </remarks>
internal static class LogEvents
{
    #region Hosting (1000–1999)

    public const int PipelineOpened  = 1001;
    public const int PipelineDrained = 1002;

    #endregion Hosting

    #region HTTP (2000–2999)

    public const int UnhandledRequestException = 2001;

    #endregion HTTP

    #region Queues (3000–3999)

    public const int QueueMessagePoisoned          = 3001;
    public const int QueueMessagePartiallyRejected = 3002;

    public const int QueueListening           = 3101;
    public const int QueueUnreachable         = 3102;
    public const int QueueReachableAgain      = 3103;
    public const int QueueMessageNotCommitted = 3104;

    #endregion Queues

    #region Security (4000–4999)

    public const int FunctionKeyRefused             = 4001;
    public const int RequestThrottled               = 4002;
    public const int NoFunctionKeyConfigured        = 4003;
    public const int ListenUrlsRestrictedToLoopback = 4004;
    public const int FunctionKeysEnforced           = 4005;

    #endregion Security

    #region Timers (5000–5999)

    public const int TimerJobStarted         = 5001;
    public const int TimerJobCompleted       = 5002;
    public const int TimerJobReportedFailure = 5003;
    public const int TimerJobThrew           = 5004;
    public const int TimerJobSkipped         = 5005;
    public const int TimerJobNotRegistered   = 5006;
    public const int TimerJobCancelled       = 5007;
    public const int TimerJobScheduled       = 5008;
    public const int TimerScheduleExhausted  = 5009;

    #endregion Timers
}
