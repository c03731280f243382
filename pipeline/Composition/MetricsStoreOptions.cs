using FunctionsObservability.Pipeline.Archive;
using FunctionsObservability.Pipeline.Ingest;
using FunctionsObservability.Pipeline.Live;
using FunctionsObservability.Pipeline.PromQL;
using FunctionsObservability.Pipeline.Query;
using FunctionsObservability.Pipeline.Storage;

namespace FunctionsObservability.Pipeline.Composition;

/// <summary>
/// Every setting of the store, in one object: bound from configuration by the host, checked once
/// by <see cref="Validate"/> when the store is composed, and never again by the parts it builds.
/// </summary>
public sealed class MetricsStoreOptions
{
    public StorageOptions Storage { get; init; } = new();

    public IngestOptions Ingest { get; init; } = new();

    public QueryOptions Query { get; init; } = new();

    public TailOptions Tail { get; init; } = new();

    public PromQLOptions PromQL { get; init; } = new();

    public ArchivingOptions Archiving { get; init; } = new();

    /// <summary>
    /// Where archived files go. A local store left at its default lives under the data folder, so
    /// one setting moves everything; <see cref="Validate"/> applies that default.
    /// </summary>
    public ArchiveStoreOptions ArchiveStore { get; init; } = new();

    /// <summary>Whether <see cref="ArchiveStoreOptions.LocalDirectory"/> was set explicitly; when not, it follows the data folder.</summary>
    public bool ArchiveDirectoryConfigured { get; init; }

    /// <summary>Checks every section; the first bad setting throws, naming its configuration key.</summary>
    public void Validate()
    {
        Storage.Validate();
        Ingest.Validate();
        Query.Validate();
        Tail.Validate();
        PromQL.Validate();
        Archiving.Validate();
        if (!ArchiveDirectoryConfigured)
        {
            ArchiveStore.LocalDirectory = Path.Combine(Storage.DataDirectory, "archive");
        }

        ArchiveStore.Validate();
    }
}
