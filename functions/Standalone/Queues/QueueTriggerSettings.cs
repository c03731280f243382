using FunctionsObservability.Functions.Queues;

namespace FunctionsObservability.Functions.Standalone.Queues;

/// <summary>
/// How the standalone listener receives <see cref="IngestQueue"/> messages: the same values the
/// Functions host takes from host.json (<c>extensions.queues</c>), so both modes deliver alike.
/// A test keeps host.json and these defaults equal.
/// </summary>
internal sealed record QueueTriggerSettings
{
    public string QueueName { get; init; } = IngestQueue.QueueName;

    public string PoisonQueueName { get; init; } = IngestQueue.PoisonQueueName;

    public string ConnectionSetting { get; init; } = IngestQueue.Connection;

    public int BatchSize { get; init; } = 16;

    public int MaxDequeueCount { get; init; } = 5;

    public TimeSpan VisibilityTimeout { get; init; } = TimeSpan.FromSeconds(30);

    public TimeSpan MaxPollingInterval { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>host.json's <c>messageEncoding</c>: the queue trigger expects Base64 by default.</summary>
    public bool Base64 { get; init; } = true;
}
