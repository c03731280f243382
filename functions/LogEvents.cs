namespace FunctionsObservability.Functions;

/// <summary>
/// Every log event id of the app, in one table. An id names one event for good: do not renumber
/// one, reuse a retired one or give two events the same id (LogEventsTests checks the last). A new
/// event takes the next free id in its area's range.
/// </summary>
/// <remarks>
/// <code>
/// Area                   Range        Where
/// Hosting                11000–11999    Hosting/PipelineHostedService.cs
/// HTTP                   12000–12999    Http/UnhandledErrors.cs
/// Queues                 13000–13999
///   Message processing   13000–13099    Queues/QueueMessageProcessor.cs
///   Standalone listener  13100–13199    Standalone/Queues/QueueListener.cs
/// Security               14000–14999    Standalone/Security/
/// Timers                 15000–15999    Timers/TimerLog.cs
/// Telemetry              16000–16999    Telemetry/
/// </code>
/// The pipeline (pipeline/) has its own table, FunctionsObservability.Pipeline.LogEvents, below
/// 10000; the app's ids start at 11000, so an id names one event in the whole process.
/// </remarks>
internal static class LogEvents
{
    #region Hosting (11000–11999)

    public const int PipelineOpened  = 11001;
    public const int PipelineDrained = 11002;

    #endregion Hosting

    #region HTTP (12000–12999)

    public const int UnhandledRequestException = 12001;
    public const int IngestBodyRefused = 12002;
    public const int UnknownRoute = 12003;

    #endregion HTTP

    #region Queues (13000–13999)

    public const int QueueMessagePoisoned          = 13001;
    public const int QueueMessagePartiallyRejected = 13002;

    public const int QueueListening           = 13101;
    public const int QueueUnreachable         = 13102;
    public const int QueueReachableAgain      = 13103;
    public const int QueueMessageNotCommitted = 13104;

    #endregion Queues

    #region Security (14000–14999)

    public const int FunctionKeyRefused             = 14001;
    public const int RequestThrottled               = 14002;
    public const int NoFunctionKeyConfigured        = 14003;
    public const int ListenUrlsRestrictedToLoopback = 14004;
    public const int FunctionKeysEnforced           = 14005;

    #endregion Security

    #region Timers (15000–15999)

    public const int TimerJobStarted         = 15001;
    public const int TimerJobCompleted       = 15002;
    public const int TimerJobReportedFailure = 15003;
    public const int TimerJobThrew           = 15004;
    public const int TimerJobSkipped         = 15005;
    public const int TimerJobNotRegistered   = 15006;
    public const int TimerJobCancelled       = 15007;
    public const int TimerJobScheduled       = 15008;
    public const int TimerScheduleExhausted  = 15009;

    #endregion Timers

    #region Telemetry (16000–16999)

    public const int TelemetryExporters = 16001;

    #endregion Telemetry
}
