using Azure.Core;
using Azure.Storage.Queues;

namespace FunctionsObservability.Functions.Standalone.Queues;

internal static class QueueServices
{
    /// <summary>
    /// Runs the standalone queue listener when a storage connection is configured under the name
    /// the queue trigger uses (<c>AzureWebJobsStorage</c>).
    /// </summary>
    public static IServiceCollection AddStandaloneQueueListener(this IServiceCollection services, IConfiguration configuration)
    {
        var settings = new QueueTriggerSettings();
        var connection = configuration[settings.ConnectionSetting];
        if (string.IsNullOrEmpty(connection))
        {
            return services;
        }

        var options = new QueueClientOptions
        {
            // The listener decodes Base64 itself, so a message that is not Base64 can be poisoned with that reason.
            MessageEncoding = QueueMessageEncoding.None,
            Retry =
            {
                Mode = RetryMode.Exponential,
                MaxRetries = 2,
                Delay = TimeSpan.FromMilliseconds(200),
                MaxDelay = TimeSpan.FromSeconds(2),
                NetworkTimeout = TimeSpan.FromSeconds(10),
            },
        };
        services.AddSingleton(settings);
        services.AddSingleton(new QueueServiceClient(connection, options));
        services.AddSingleton<QueueListenerStatus>();
        services.AddHostedService<QueueListener>();
        return services;
    }
}
