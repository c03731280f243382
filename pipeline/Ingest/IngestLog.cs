using Microsoft.Extensions.Logging;

namespace FunctionsObservability.Pipeline.Ingest;

internal static partial class IngestLog
{
    [LoggerMessage(EventId = LogEvents.IngestCommitFailed, Level = LogLevel.Error, Message = "Commit of {Requests} requests ({Points} points) failed; those requests were told so and the writer goes on")]
    public static partial void CommitFailed(ILogger logger, int requests, long points, Exception exception);

    [LoggerMessage(EventId = LogEvents.IngestParseFailed, Level = LogLevel.Error, Message = "Parsing a request failed unexpectedly")]
    public static partial void ParseFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = LogEvents.IngestDrained, Level = LogLevel.Information, Message = "Ingest mesh drained: no request is left in flight")]
    public static partial void Drained(ILogger logger);

    [LoggerMessage(EventId = LogEvents.QueuedRequestHadBadLines, Level = LogLevel.Warning, Message = "An asynchronously acknowledged request had {Errors} bad lines; first: {FirstError}")]
    public static partial void QueuedRequestHadErrors(ILogger logger, int errors, string firstError);
}
