using System.Text;
using Azure;
using Azure.Storage.Queues;
using Azure.Storage.Queues.Models;

using FunctionsObservability.Functions.Queues;

namespace FunctionsObservability.Functions.Standalone.Queues;

/// <summary>
/// Standalone mode's queue trigger: with a storage connection configured and no Functions host
/// around, the app receives <c>IngestQueue</c>'s messages itself, with the host's semantics: batched
/// receive under a visibility timeout, delete only after the commit, retry up to maxDequeueCount,
/// then the poison queue with the reason. Storage outages are logged and retried with backoff.
/// </summary>
internal sealed partial class QueueListener(
    QueueTriggerSettings settings,
    QueueServiceClient service,
    QueueMessageProcessor processor,
    QueueListenerStatus status,
    ILogger<QueueListener> logger) : BackgroundService
{
    private static readonly TimeSpan FirstBackoff = TimeSpan.FromMilliseconds(500);
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan FirstPoll = TimeSpan.FromMilliseconds(50);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var queue = service.GetQueueClient(settings.QueueName);
        var poison = service.GetQueueClient(settings.PoisonQueueName);
        var created = false;
        var backoff = FirstBackoff;
        var idle = FirstPoll;
        LogStarted(logger, settings.QueueName, settings.PoisonQueueName);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                if (!created)
                {
                    await queue.CreateIfNotExistsAsync(cancellationToken: stoppingToken).ConfigureAwait(false);
                    await poison.CreateIfNotExistsAsync(cancellationToken: stoppingToken).ConfigureAwait(false);
                    created = true;
                }

                QueueMessage[] messages = await queue.ReceiveMessagesAsync(settings.BatchSize, settings.VisibilityTimeout, stoppingToken).ConfigureAwait(false);
                if (backoff != FirstBackoff)
                {
                    LogRecovered(logger, settings.QueueName);
                }

                status.Succeeded();

                backoff = FirstBackoff;
                if (messages.Length == 0)
                {
                    await Task.Delay(idle, stoppingToken).ConfigureAwait(false);
                    idle = TimeSpan.FromTicks(Math.Min(idle.Ticks * 2, settings.MaxPollingInterval.Ticks));
                    continue;
                }

                idle = FirstPoll;
                await Task.WhenAll(messages.Select(m => HandleAsync(queue, poison, m, stoppingToken))).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception exception) when (exception is RequestFailedException or HttpRequestException or AggregateException or IOException)
            {
                // Storage unreachable or failing: nothing acknowledged is lost (messages not yet
                // deleted become visible again), so wait and try again.
                LogStorageFailed(logger, settings.QueueName, backoff.TotalSeconds, exception);
                status.Failed();
                created = created && exception is not RequestFailedException { Status: 404 };
                await Task.Delay(backoff, stoppingToken).ConfigureAwait(false);
                backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, MaxBackoff.Ticks));
            }
        }
    }

    private async Task HandleAsync(QueueClient queue, QueueClient poison, QueueMessage message, CancellationToken cancellationToken)
    {
        QueueOutcome outcome;
        if (!TryDecode(message.Body, out var text))
        {
            outcome = processor.PoisonOutcome(message.MessageId, message.DequeueCount, "the message is not valid Base64", [], message.Body.ToString());
        }
        else
        {
            try
            {
                outcome = await processor.ProcessAsync(text, message.MessageId, message.DequeueCount, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // Shutting down: the message reappears after its visibility timeout; if it was
                // committed meanwhile, its id keeps it from being written twice.
                return;
            }
        }

        if (outcome.Disposition == QueueDisposition.Retry)
        {
            if (message.DequeueCount < settings.MaxDequeueCount)
            {
                LogRetry(logger, message.MessageId, message.DequeueCount, settings.MaxDequeueCount);
                return;
            }

            outcome = processor.PoisonOutcome(message.MessageId, message.DequeueCount,
                $"not committed after {message.DequeueCount} deliveries: {outcome.Logs[0]}", [], text);
        }

        if (outcome.Disposition == QueueDisposition.Poison)
        {
            var record = settings.Base64 ? Convert.ToBase64String(Encoding.UTF8.GetBytes(outcome.PoisonRecord!)) : outcome.PoisonRecord!;
            await poison.SendMessageAsync(record, cancellationToken).ConfigureAwait(false);
        }

        await queue.DeleteMessageAsync(message.MessageId, message.PopReceipt, cancellationToken).ConfigureAwait(false);
    }

    private bool TryDecode(BinaryData body, out string text)
    {
        if (!settings.Base64)
        {
            text = body.ToString();
            return true;
        }

        var encoded = body.ToString();
        var bytes = new byte[encoded.Length];
        if (Convert.TryFromBase64String(encoded, bytes, out var written))
        {
            text = Encoding.UTF8.GetString(bytes, 0, written);
            return true;
        }

        text = encoded;
        return false;
    }

    [LoggerMessage(EventId = LogEvents.QueueListening, Level = LogLevel.Information, Message = "Listening to queue {Queue} (poison queue {PoisonQueue})")]
    private static partial void LogStarted(ILogger logger, string queue, string poisonQueue);

    [LoggerMessage(EventId = LogEvents.QueueUnreachable, Level = LogLevel.Warning, Message = "Queue {Queue} is unreachable or failing; trying again in {Seconds:F1} s")]
    private static partial void LogStorageFailed(ILogger logger, string queue, double seconds, Exception exception);

    [LoggerMessage(EventId = LogEvents.QueueReachableAgain, Level = LogLevel.Information, Message = "Queue {Queue} is reachable again")]
    private static partial void LogRecovered(ILogger logger, string queue);

    [LoggerMessage(EventId = LogEvents.QueueMessageNotCommitted, Level = LogLevel.Warning, Message = "Queue message {MessageId} not committed on delivery {Delivery} of {MaxDeliveries}; it will be retried")]
    private static partial void LogRetry(ILogger logger, string messageId, long delivery, int maxDeliveries);
}
