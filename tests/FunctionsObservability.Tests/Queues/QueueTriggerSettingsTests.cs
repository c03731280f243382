using System.Globalization;
using System.Text.Json;
using FunctionsObservability.Functions.Standalone.Queues;
using FunctionsObservability.Tests.Infrastructure;

namespace FunctionsObservability.Tests.Queues;

/// <summary>The standalone listener must deliver as the Functions host does with the repo's host.json.</summary>
public sealed class QueueTriggerSettingsTests
{
    [Fact]
    public void Defaults_MatchHostJsonQueueSettings()
    {
        using var hostJson = JsonDocument.Parse(File.ReadAllText(Path.Combine(RepositoryPaths.Root, "host.json")));
        var queues = hostJson.RootElement.GetProperty("extensions").GetProperty("queues");
        var settings = new QueueTriggerSettings();

        Assert.Equal(queues.GetProperty("batchSize").GetInt32(), settings.BatchSize);
        Assert.Equal(queues.GetProperty("maxDequeueCount").GetInt32(), settings.MaxDequeueCount);
        Assert.Equal(TimeSpan.Parse(queues.GetProperty("visibilityTimeout").GetString()!, CultureInfo.InvariantCulture), settings.VisibilityTimeout);
        Assert.Equal(TimeSpan.Parse(queues.GetProperty("maxPollingInterval").GetString()!, CultureInfo.InvariantCulture), settings.MaxPollingInterval);
        Assert.Equal(queues.GetProperty("messageEncoding").GetString() == "base64", settings.Base64);
        Assert.Equal("metrics-ingest", settings.QueueName);
        Assert.Equal("metrics-ingest-poison", settings.PoisonQueueName);
        Assert.Equal("AzureWebJobsStorage", settings.ConnectionSetting);
    }
}
