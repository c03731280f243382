namespace FunctionsObservability.Functions.Queues;

/// <summary>The <c>IngestQueue</c> trigger's names, written once for the function and the standalone listener.</summary>
internal static class IngestQueue
{
    public const string FunctionName = "IngestQueue";

    public const string QueueName = "metrics-ingest";

    /// <summary>Where a message that can never succeed goes, with its reason; the host uses the same name after maxDequeueCount.</summary>
    public const string PoisonQueueName = QueueName + "-poison";

    /// <summary>The app setting that holds the storage connection, as for the Functions host itself.</summary>
    public const string Connection = "AzureWebJobsStorage";
}
