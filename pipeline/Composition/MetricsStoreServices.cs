using System.Diagnostics.Metrics;
using FunctionsObservability.Pipeline.Archive;
using FunctionsObservability.Pipeline.Formats;
using FunctionsObservability.Pipeline.Ingest;
using FunctionsObservability.Pipeline.Live;
using FunctionsObservability.Pipeline.PromQL;
using FunctionsObservability.Pipeline.Query;
using FunctionsObservability.Pipeline.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;

namespace FunctionsObservability.Pipeline.Composition;

/// <summary>
/// The composition root of the store: the DuckDB file, the catalog, the ingest mesh, queries,
/// archive and retention, wired once. Both hosts (standalone and the Functions worker) and the
/// tests build the store through here. The container disposes the parts in reverse order of their
/// creation, so the mesh drains before the writer and the database close.
/// </summary>
public static class MetricsStoreServices
{
    public static IServiceCollection AddMetricsStore(this IServiceCollection services, MetricsStoreOptions options)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();

        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton(options.Storage);
        services.AddSingleton(options.Ingest);
        services.AddSingleton(options.Query);
        services.AddSingleton(options.Tail);
        services.AddSingleton(options.Archiving);
        services.AddSingleton(options.ArchiveStore);

        // The database, catalog and manifest come from one open (MetricsStoreStartup runs it before
        // the host starts); the catalog and manifest resolve the database first, so the container
        // owns it from the start and disposes it last.
        services.AddSingleton(sp => new StoreOpener(
            options, sp.GetRequiredService<IArchiveStore>(), sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<StoreOpener>>()));
        services.AddSingleton(sp => sp.GetRequiredService<StoreOpener>().Open().Database);
        services.AddSingleton(sp =>
        {
            sp.GetRequiredService<MetricsDatabase>();
            return sp.GetRequiredService<StoreOpener>().Open().Catalog;
        });
        services.AddSingleton(sp =>
        {
            sp.GetRequiredService<MetricsDatabase>();
            return sp.GetRequiredService<StoreOpener>().Open().Manifest;
        });
        services.AddSingleton<StoreDamage>();
        services.AddSingleton<DataVersions>();
        // Resolved before the writer, so it is disposed after it: the writer publishes until it closes.
        services.AddSingleton(sp => new TailMetrics(sp.GetService<IMeterFactory>()));
        services.AddSingleton<LiveTail>();
        services.AddSingleton<PointWriter>();
        services.AddSingleton<RecentRowsCompactor>();
        services.AddSingleton(sp => new StorageMetrics(
            sp.GetRequiredService<SeriesCatalog>(), sp.GetRequiredService<PointWriter>(), options.Storage, sp.GetService<IMeterFactory>()));
        AddIngestMesh(services, options);
        AddArchive(services, options);
        services.AddSingleton<QueryExecutor>();
        services.AddSingleton<PointQueryService>();
        services.AddSingleton<AggregateQueryService>();
        // Aggregate answers, served again while their metric's data is unchanged (DataVersions).
        services.AddSingleton(sp => new QueryMetrics(sp.GetService<IMeterFactory>()));
        services.AddSingleton<AggregateAnswerCache>();
        services.AddSingleton<QueryWarmup>();
        services.AddSingleton(options.PromQL);
        services.AddSingleton<PromCatalog>();
        services.AddSingleton<SeriesSampleCache>();
        services.AddSingleton<ICommittedPointsObserver>(sp => sp.GetRequiredService<SeriesSampleCache>());
        services.AddSingleton<StoreSeriesSource>();
        services.AddSingleton<PromQueryService>();
        return services;
    }

    private static void AddIngestMesh(IServiceCollection services, MetricsStoreOptions options)
    {
        services.AddSingleton(new IngestMemoryBudget(options.Ingest.MemoryBudgetBytes, options.Ingest.ClientMemoryBudgetBytes));
        services.AddSingleton<PointValidator>();
        services.AddSingleton(sp => new IngestMetrics(sp.GetService<IMeterFactory>()));
        services.AddSingleton<IReadOnlyDictionary<PayloadFormat, IPointParser>>(_ => new Dictionary<PayloadFormat, IPointParser>
        {
            [PayloadFormat.LineProtocol] = new LineProtocolParser(),
            [PayloadFormat.Json] = new JsonPointParser(),
            [PayloadFormat.NdJson] = new NdJsonPointParser(),
            [PayloadFormat.PrometheusRemoteWrite] = new RemoteWriteParser((int)Math.Min(options.Ingest.MaxDecompressedBytes, Array.MaxLength)),
            [PayloadFormat.OtlpProtobuf] = new OtlpMetricsParser(json: false),
            [PayloadFormat.OtlpJson] = new OtlpMetricsParser(json: true),
        });
        services.AddSingleton(sp => new IngestPipeline(
            options.Ingest,
            sp.GetRequiredService<PointWriter>(),
            sp.GetRequiredService<PointValidator>(),
            sp.GetRequiredService<IngestMetrics>(),
            sp.GetRequiredService<ILogger<IngestPipeline>>(),
            sp.GetRequiredService<IReadOnlyDictionary<PayloadFormat, IPointParser>>(),
            options.Storage.CompactionRowThreshold));
    }

    private static void AddArchive(IServiceCollection services, MetricsStoreOptions options)
    {
        services.AddSingleton(sp => ArchiveStoreFactory.Create(options.ArchiveStore, sp.GetRequiredService<ILoggerFactory>()));
        services.AddSingleton(sp => new ArchiveMetrics(sp.GetService<IMeterFactory>()));
        services.AddSingleton(sp => new ArchiveCache(
            sp.GetRequiredService<IArchiveStore>(),
            options.Archiving,
            Path.Combine(options.Storage.DataDirectory, "archive-cache"),
            sp.GetRequiredService<ArchiveMetrics>(),
            sp.GetRequiredService<ILogger<ArchiveCache>>()));
        services.AddSingleton<TieredSource>();
        services.AddSingleton<MaintenanceLock>();
        services.AddSingleton<ArchiveRunner>();
        services.AddSingleton<RetentionRunner>();
    }
}
