using FunctionsObservability.Functions.Archiving;
using FunctionsObservability.Pipeline.Formats;
using FunctionsObservability.Pipeline.Ingest;
using FunctionsObservability.Pipeline.Query;
using FunctionsObservability.Pipeline.Storage;

namespace FunctionsObservability.Functions.Hosting;

internal static class StoreServices
{
    /// <summary>Registers the store. Options are bound and validated here, so bad settings stop start-up.</summary>
    public static IServiceCollection AddMetricsStore(this IServiceCollection services, IConfiguration configuration)
    {
        var storage = Bind<StorageOptions>(configuration, StorageOptions.SectionName);
        storage.Validate();
        var ingest = Bind<IngestOptions>(configuration, IngestOptions.SectionName);
        ingest.Validate();
        var query = Bind<QueryOptions>(configuration, QueryOptions.SectionName);
        query.Validate();

        services.AddSingleton(storage);
        services.AddSingleton(ingest);
        services.AddSingleton(query);
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton(sp => new MetricsDatabase(sp.GetRequiredService<StorageOptions>()));
        services.AddSingleton(sp =>
        {
            var catalog = new SeriesCatalog(storage.MaxSeries);
            using var connection = sp.GetRequiredService<MetricsDatabase>().OpenConnection();
            catalog.Load(connection);
            return catalog;
        });
        services.AddSingleton<PointWriter>();
        services.AddSingleton<RecentRowsCompactor>();
        services.AddSingleton<PointValidator>();
        services.AddSingleton(sp => new IngestMetrics(sp.GetService<System.Diagnostics.Metrics.IMeterFactory>()));
        services.AddSingleton<IReadOnlyDictionary<PayloadFormat, IPointParser>>(_ => new Dictionary<PayloadFormat, IPointParser>
        {
            [PayloadFormat.LineProtocol] = new LineProtocolParser(),
            [PayloadFormat.Json] = new JsonPointParser(),
            [PayloadFormat.NdJson] = new NdJsonPointParser(),
        });
        services.AddSingleton(sp => new IngestPipeline(
            ingest,
            sp.GetRequiredService<PointWriter>(),
            sp.GetRequiredService<PointValidator>(),
            sp.GetRequiredService<IngestMetrics>(),
            sp.GetRequiredService<ILogger<IngestPipeline>>(),
            sp.GetRequiredService<IReadOnlyDictionary<PayloadFormat, IPointParser>>(),
            storage.CompactionRowThreshold));
        services.AddArchive(configuration, storage);
        services.AddSingleton<QueryExecutor>();
        services.AddSingleton<PointQueryService>();
        services.AddSingleton<AggregateQueryService>();
        services.AddSingleton<Http.IngestAdmission>();
        services.AddSingleton<Queues.QueueMessageProcessor>();
        services.AddHostedService<PipelineHostedService>();
        return services;
    }

    private static T Bind<T>(IConfiguration configuration, string section)
        where T : new()
    {
        var options = new T();
        configuration.GetSection(section).Bind(options);
        return options;
    }
}
