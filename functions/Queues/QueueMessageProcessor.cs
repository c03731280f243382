using System.Text.Json;
using FunctionsObservability.Functions.Http;
using FunctionsObservability.Pipeline.Formats;
using FunctionsObservability.Pipeline.Ingest;

namespace FunctionsObservability.Functions.Queues;

internal enum QueueDisposition
{
    /// <summary>The points are committed (or were, under this message id): delete the message.</summary>
    Done,

    /// <summary>The message can never succeed: write <see cref="QueueOutcome.PoisonRecord"/> to the poison queue and delete it.</summary>
    Poison,

    /// <summary>Not committed now (full pipeline, shutdown, storage): leave it for a retry.</summary>
    Retry,
}

internal sealed record QueueOutcome(QueueDisposition Disposition, IReadOnlyList<string> Logs, string? PoisonRecord = null);

/// <summary>
/// Ingests one queue message, for both the Functions host (the <c>IngestQueue</c> function) and the
/// standalone listener, so the two behave alike. The message id is the dedupe key.
/// </summary>
internal sealed partial class QueueMessageProcessor(IngestPipeline pipeline, IngestOptions options, TimeProvider time, QueueMetrics metrics, ILogger<QueueMessageProcessor> logger)
{
    public async Task<QueueOutcome> ProcessAsync(string message, string? id, long dequeueCount, CancellationToken cancellationToken)
    {
        var name = id ?? "?";
        if (!QueuePayload.TryRead(message, out var payload, out var error))
        {
            return PoisonOutcome(name, dequeueCount, error!, [], message);
        }

        var settings = new ParseSettings(payload!.Precision, time.GetUtcNow().ToUnixTimeMilliseconds() * 1000, options.MaxLineBytes);
        var request = new IngestRequest(payload.Body, payload.Body.Length, pooledPayload: false, payload.Format, settings, strict: false)
        {
            // A message delivered twice (visibility timeout expired mid-work, or a crash after the
            // commit and before the delete) keeps its id, so its points commit once.
            DedupeKey = id is null ? null : "queue:" + id,
        };
        var result = await pipeline.SubmitAsync(request, waitForCommit: true, cancellationToken).ConfigureAwait(false);
        switch (result.Outcome)
        {
            case IngestOutcome.Written:
                metrics.Handled("committed");
                return new QueueOutcome(QueueDisposition.Done, [$"message {name}: {result.PointsWritten} points committed"]);
            case IngestOutcome.AlreadyWritten:
                metrics.Handled("duplicate");
                return new QueueOutcome(QueueDisposition.Done, [$"message {name}: already committed earlier; not written again"]);
            case IngestOutcome.PartiallyWritten:
                metrics.Handled("partial");
                LogPartial(logger, name, result.ErrorCount, result.LinesReceived);
                return new QueueOutcome(QueueDisposition.Done,
                    [$"message {name}: {result.PointsWritten} points committed, {result.ErrorCount} of {result.LinesReceived} lines rejected", .. result.Errors.Take(10).Select(e => $"line {e.Line}: {e.Message}")]);
            case IngestOutcome.Rejected:
                return PoisonOutcome(name, dequeueCount, result.Message ?? "rejected", result.Errors.Select(e => (e.Line, e.Message)), message);
            default:
                metrics.Handled("retry");
                return new QueueOutcome(QueueDisposition.Retry, [$"message {name} not committed, will be retried: {result.Message}"]);
        }
    }

    /// <summary>The record written to the poison queue: why, the line errors, and the start of the message.</summary>
    public QueueOutcome PoisonOutcome(string id, long dequeueCount, string reason, IEnumerable<(int Line, string Message)> errors, string message)
    {
        LogPoisoned(logger, id, reason);
        metrics.Handled("poison");
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, JsonOutput.WriterOptions))
        {
            writer.WriteStartObject();
            writer.WriteString("messageId", id);
            writer.WriteNumber("dequeueCount", dequeueCount);
            writer.WriteString("reason", reason);
            writer.WriteStartArray("errors");
            foreach (var (line, text) in errors.Take(20))
            {
                writer.WriteStartObject();
                writer.WriteNumber("line", line);
                writer.WriteString("message", text);
                writer.WriteEndObject();
            }

            writer.WriteEndArray();

            // Queue messages are capped at 64 KiB; keep the start of the original for diagnosis.
            writer.WriteString("message", message.Length <= 16 * 1024 ? message : message[..(16 * 1024)]);
            writer.WriteEndObject();
        }

        return new QueueOutcome(QueueDisposition.Poison, [$"message {id} poisoned: {reason}"], System.Text.Encoding.UTF8.GetString(buffer.ToArray()));
    }

    [LoggerMessage(EventId = LogEvents.QueueMessagePoisoned, Level = LogLevel.Warning, Message = "Queue message {MessageId} can never be ingested and goes to the poison queue: {Reason}")]
    private static partial void LogPoisoned(ILogger logger, string messageId, string reason);

    [LoggerMessage(EventId = LogEvents.QueueMessagePartiallyRejected, Level = LogLevel.Warning, Message = "Queue message {MessageId}: {Rejected} of {Lines} lines rejected; the rest was committed")]
    private static partial void LogPartial(ILogger logger, string messageId, int rejected, int lines);
}
