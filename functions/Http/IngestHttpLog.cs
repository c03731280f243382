namespace FunctionsObservability.Functions.Http;

/// <summary>One line per refused ingest body, without a stack: the client's doing, not the service's.</summary>
internal static partial class IngestHttpLog
{
    public const string Category = "FunctionsObservability.Http.Ingest";

    [LoggerMessage(EventId = LogEvents.IngestBodyRefused, Level = LogLevel.Information, Message = "Refused the body of {Path} from {Client} with {Status}: {Reason}")]
    public static partial void BodyRefused(ILogger logger, int status, string path, string client, string reason);
}
