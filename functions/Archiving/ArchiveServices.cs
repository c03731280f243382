using FunctionsObservability.Functions.Timers;
using FunctionsObservability.Pipeline.Archive;
using FunctionsObservability.Pipeline.Query;
using FunctionsObservability.Pipeline.Storage;

namespace FunctionsObservability.Functions.Archiving;

internal static class ArchiveServices
{
    /// <summary>
    /// Registers the archive store, manifest, cache, the archive and retention runs and their
    /// timer jobs. Relative folders default to the data folder, so one setting moves everything.
    /// </summary>
    public static IServiceCollection AddArchive(this IServiceCollection services, IConfiguration configuration, StorageOptions storage)
    {
        var section = configuration.GetSection(ArchivingOptions.SectionName);
        var archiving = new ArchivingOptions();
        section.Bind(archiving);
        archiving.Validate();
        var store = new ArchiveStoreOptions();
        section.Bind(store);
        if (string.IsNullOrEmpty(section[nameof(ArchiveStoreOptions.LocalDirectory)]))
        {
            store.LocalDirectory = Path.Combine(storage.DataDirectory, "archive");
        }

        store.Validate();
        services.AddSingleton(archiving);
        services.AddSingleton(store);
        services.AddSingleton(sp => ArchiveStoreFactory.Create(store, sp.GetRequiredService<ILoggerFactory>()));
        services.AddSingleton(sp => new ArchiveMetrics(sp.GetService<System.Diagnostics.Metrics.IMeterFactory>()));
        services.AddSingleton(sp =>
        {
            var manifest = new ArchiveManifest();
            using var connection = sp.GetRequiredService<MetricsDatabase>().OpenConnection();
            manifest.Load(connection);
            return manifest;
        });
        services.AddSingleton(sp => new ArchiveCache(
            sp.GetRequiredService<IArchiveStore>(),
            archiving,
            Path.Combine(storage.DataDirectory, "archive-cache"),
            sp.GetRequiredService<ArchiveMetrics>(),
            sp.GetRequiredService<ILogger<ArchiveCache>>()));
        services.AddSingleton<TieredSource>();
        services.AddSingleton<MaintenanceLock>();
        services.AddSingleton<ArchiveRunner>();
        services.AddSingleton<RetentionRunner>();
        services.AddSingleton<ITimerJob, ArchiveTimerJob>();
        services.AddSingleton<ITimerJob, RetentionTimerJob>();
        return services;
    }
}
