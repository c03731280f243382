using FunctionsObservability.Functions.Http;
using FunctionsObservability.Functions.Queues;
using FunctionsObservability.Functions.Timers;
using FunctionsObservability.Pipeline.Archive;
using FunctionsObservability.Pipeline.Composition;
using FunctionsObservability.Pipeline.Ingest;
using FunctionsObservability.Pipeline.Live;
using FunctionsObservability.Pipeline.PromQL;
using FunctionsObservability.Pipeline.Query;
using FunctionsObservability.Pipeline.Storage;

namespace FunctionsObservability.Functions.Hosting;

/// <summary>What both modes run: the store (pipeline's composition root), and the handlers' own services.</summary>
internal static class AppServices
{
    /// <summary>Binds every store setting from configuration and composes the store; bad settings stop start-up, once, here.</summary>
    public static IServiceCollection AddAppServices(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddMetricsStore(BindStoreOptions(configuration));
        services.AddSingleton(sp => new QueueMetrics(sp.GetService<System.Diagnostics.Metrics.IMeterFactory>()));
        services.AddSingleton<QueueMessageProcessor>();
        services.AddSingleton<ExplorerAssetStore>();
        services.AddTimerJobs();
        services.AddHostedService<PipelineHostedService>();
        services.AddHostedService<QueryWarmupService>();
        return services;
    }

    public static MetricsStoreOptions BindStoreOptions(IConfiguration configuration)
    {
        var archive = configuration.GetSection(ArchivingOptions.SectionName);
        return new MetricsStoreOptions
        {
            Storage = Bind<StorageOptions>(configuration.GetSection(StorageOptions.SectionName)),
            Ingest = Bind<IngestOptions>(configuration.GetSection(IngestOptions.SectionName)),
            Query = Bind<QueryOptions>(configuration.GetSection(QueryOptions.SectionName)),
            Tail = Bind<TailOptions>(configuration.GetSection(TailOptions.SectionName)),
            PromQL = Bind<PromQLOptions>(configuration.GetSection(PromQLOptions.SectionName)),
            Archiving = Bind<ArchivingOptions>(archive),
            ArchiveStore = Bind<ArchiveStoreOptions>(archive),
            ArchiveDirectoryConfigured = !string.IsNullOrEmpty(archive[nameof(ArchiveStoreOptions.LocalDirectory)]),
        };
    }

    private static T Bind<T>(IConfigurationSection section)
        where T : new()
    {
        var options = new T();
        section.Bind(options);
        return options;
    }
}
