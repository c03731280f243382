using Azure.Core;
using Azure.Storage.Queues;

namespace FunctionsObservability.Functions.Queues;

/// <summary>Present in the container only when the standalone listener runs.</summary>
internal sealed class QueueListenerEnabled;

internal static class QueueServices
{
    /// <summary>
    /// Runs the standalone queue listener when a storage connection is configured under the name
    /// the trigger's function.json gives, and no Functions host is driving the app.
    /// </summary>
    public static IServiceCollection AddStandaloneQueueListener(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSingleton<QueueListenerStatus>();
        if (!string.IsNullOrEmpty(Environment.GetEnvironmentVariable("FUNCTIONS_CUSTOMHANDLER_PORT")))
        {
            return services;
        }

        var settings = QueueTriggerSettings.Load();
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
        services.AddSingleton<QueueListenerEnabled>();
        services.AddHostedService<QueueListener>();
        return services;
    }
}
