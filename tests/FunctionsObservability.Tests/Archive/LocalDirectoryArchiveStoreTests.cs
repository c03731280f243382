using FunctionsObservability.Pipeline.Archive;
using FunctionsObservability.Tests.Infrastructure;

namespace FunctionsObservability.Tests.Archive;

/// <summary>The store contract on a local folder.</summary>
public sealed class LocalDirectoryArchiveStoreTests : ArchiveStoreContractTests
{
    private readonly TempDirectory _root = new();

    protected override Task<IArchiveStore> CreateStoreAsync() =>
        Task.FromResult<IArchiveStore>(new LocalDirectoryArchiveStore(new ArchiveStoreOptions { LocalDirectory = _root.Path }));

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        _root.Dispose();
    }

    [Fact(Timeout = 60000)]
    public async Task PutAsync_LeavesNoTempFilesAndUsesTheHiveFolders()
    {
        var path = ArchivePath.Build("http/requests", new DateTimeOffset(2025, 1, 2, 3, 0, 0, TimeSpan.Zero), "a.parquet");

        await Store.PutAsync(path, LocalFile([1, 2, 3]), CancellationToken.None);
        await Store.PutAsync(path, LocalFile([4, 5]), CancellationToken.None);

        var file = Assert.Single(Directory.GetFiles(_root.Path, "*", SearchOption.AllDirectories));
        Assert.Equal(Path.Combine(_root.Path, "metric=http%2Frequests", "date=2025-01-02", "hour=03", "a.parquet"), file);
    }
}
