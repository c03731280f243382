using Microsoft.Extensions.Logging;

namespace FunctionsObservability.Pipeline.Ingest;

internal static partial class IngestLog
{
    [LoggerMessage(EventId = 1001, Level = LogLevel.Error, Message = "Commit of {Requests} requests ({Points} points) failed; those requests were told so and the writer goes on")]
    public static partial void CommitFailed(ILogger logger, int requests, long points, Exception exception);

    [LoggerMessage(EventId = 1002, Level = LogLevel.Error, Message = "Parsing a request failed unexpectedly")]
    public static partial void ParseFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 1003, Level = LogLevel.Information, Message = "Ingest mesh drained: no request is left in flight")]
    public static partial void Drained(ILogger logger);

    [LoggerMessage(EventId = 1004, Level = LogLevel.Warning, Message = "Clustering recent rows failed; will try again")]
    public static partial void CompactionFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 1005, Level = LogLevel.Warning, Message = "An asynchronously acknowledged request had {Errors} bad lines; first: {FirstError}")]
    public static partial void QueuedRequestHadErrors(ILogger logger, int errors, string firstError);
}
