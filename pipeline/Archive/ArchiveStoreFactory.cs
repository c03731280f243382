using Microsoft.Extensions.Logging;

namespace FunctionsObservability.Pipeline.Archive;

/// <summary>Picks the store the options name, so hosts register one <see cref="IArchiveStore"/> either way.</summary>
public static class ArchiveStoreFactory
{
    public static IArchiveStore Create(ArchiveStoreOptions options, ILoggerFactory loggerFactory)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(loggerFactory);
        return options.Kind switch
        {
            ArchiveStoreKind.Blob => new BlobArchiveStore(options, loggerFactory.CreateLogger<BlobArchiveStore>()),
            _ => new LocalDirectoryArchiveStore(options),
        };
    }
}
