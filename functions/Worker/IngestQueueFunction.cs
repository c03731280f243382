using FunctionsObservability.Functions.Queues;
using Microsoft.Azure.Functions.Worker;

namespace FunctionsObservability.Functions.Worker;

/// <summary>
/// Queue messages under the Functions host, with the host's semantics: the invocation succeeds only
/// after the commit, so the host then deletes the message. A message that can never succeed goes to
/// <see cref="IngestQueue.PoisonQueueName"/> through the output binding, with its reason, and the
/// invocation succeeds so the host does not retry it. Anything that may succeed later fails the
/// invocation: the host makes the message visible again and, after maxDequeueCount, poisons it itself.
/// </summary>
internal sealed class IngestQueueFunction
{
    private readonly QueueMessageProcessor _processor;

    public IngestQueueFunction(QueueMessageProcessor processor) => _processor = processor;

    /// <param name="message">The message text (the host decodes Base64, as host.json says).</param>
    /// <param name="id">The message id, from the trigger's metadata: the dedupe key, so a redelivery writes nothing twice.</param>
    /// <param name="dequeueCount">Which delivery this is, from the trigger's metadata.</param>
    /// <returns>The poison record, or null when there is nothing to write to the poison queue.</returns>
    [Function(IngestQueue.FunctionName)]
    [QueueOutput(IngestQueue.PoisonQueueName, Connection = IngestQueue.Connection)]
    public async Task<string?> RunAsync(
        [QueueTrigger(IngestQueue.QueueName, Connection = IngestQueue.Connection)] string message,
        string? id,
        long dequeueCount,
        CancellationToken cancellationToken)
    {
        var outcome = await _processor.ProcessAsync(message, string.IsNullOrEmpty(id) ? null : id, dequeueCount, cancellationToken).ConfigureAwait(false);
        return outcome.Disposition switch
        {
            QueueDisposition.Done => null,
            QueueDisposition.Poison => outcome.PoisonRecord,
            _ => throw new QueueMessageNotCommittedException(outcome.Logs[0]),
        };
    }
}
