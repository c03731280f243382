using FunctionsObservability.Pipeline.Archive;
using FunctionsObservability.Tests.Infrastructure;

namespace FunctionsObservability.Tests.Archive;

/// <summary>
/// What every <see cref="IArchiveStore"/> must do. The derived classes run these same tests
/// against the local folder store and against Blob Storage on a real Azurite.
/// </summary>
public abstract class ArchiveStoreContractTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Hour = new(2025, 3, 14, 15, 0, 0, TimeSpan.Zero);

    private readonly TempDirectory _files = new();

    protected IArchiveStore Store { get; private set; } = null!;

    /// <summary>A store over an empty archive, fresh for each test.</summary>
    protected abstract Task<IArchiveStore> CreateStoreAsync();

    public async Task InitializeAsync() => Store = await CreateStoreAsync();

    public virtual Task DisposeAsync()
    {
        (Store as IDisposable)?.Dispose();
        _files.Dispose();
        return Task.CompletedTask;
    }

    protected string LocalFile(byte[] content, string? name = null)
    {
        var file = Path.Combine(_files.Path, name ?? $"{Guid.NewGuid():N}.parquet");
        File.WriteAllBytes(file, content);
        return file;
    }

    protected string DownloadTarget() => Path.Combine(_files.Path, "downloads", $"{Guid.NewGuid():N}.parquet");

    protected static byte[] RandomBytes(int length)
    {
        var bytes = new byte[length];
        new Random(length).NextBytes(bytes);
        return bytes;
    }

    protected async Task<List<ArchiveObject>> ListAsync(string prefix)
    {
        var objects = new List<ArchiveObject>();
        await foreach (var item in Store.ListAsync(prefix, CancellationToken.None))
        {
            objects.Add(item);
        }

        return objects;
    }

    [Fact(Timeout = 60000)]
    public async Task PutAsync_ThenDownload_GivesIdenticalBytes()
    {
        // Over a megabyte, so the copy and the upload are not a single small buffer.
        var content = RandomBytes(1_300_000);
        var path = ArchivePath.Build("cpu.load", Hour, "part-0001.parquet");

        await Store.PutAsync(path, LocalFile(content), CancellationToken.None);
        var target = DownloadTarget();
        await Store.DownloadAsync(path, target, CancellationToken.None);

        Assert.Equal(content, await File.ReadAllBytesAsync(target));
    }

    [Fact(Timeout = 60000)]
    public async Task PutAsync_Twice_OverwritesTheSameObject()
    {
        var path = ArchivePath.Build("cpu.load", Hour, "part-0001.parquet");
        var second = RandomBytes(700);

        await Store.PutAsync(path, LocalFile(RandomBytes(5_000)), CancellationToken.None);
        await Store.PutAsync(path, LocalFile(second), CancellationToken.None);

        var listed = Assert.Single(await ListAsync(ArchivePath.HourPrefix("cpu.load", Hour)));
        Assert.Equal(path, listed.Path);
        Assert.Equal(second.Length, listed.Length);
        var target = DownloadTarget();
        await Store.DownloadAsync(path, target, CancellationToken.None);
        Assert.Equal(second, await File.ReadAllBytesAsync(target));
    }

    [Fact(Timeout = 60000)]
    public async Task ListAsync_ByPrefix_ReturnsExactlyTheObjectsUnderIt()
    {
        var cpuFirst = ArchivePath.Build("cpu", Hour, "a.parquet");
        var cpuSecond = ArchivePath.Build("cpu", Hour.AddHours(1), "b.parquet");

        // Shares the string "cpu" but is another metric: a prefix ending in '/' must not pick it up.
        var cpuLoad = ArchivePath.Build("cpu_load", Hour, "a.parquet");
        await Store.PutAsync(cpuFirst, LocalFile(RandomBytes(10)), CancellationToken.None);
        await Store.PutAsync(cpuSecond, LocalFile(RandomBytes(20)), CancellationToken.None);
        await Store.PutAsync(cpuLoad, LocalFile(RandomBytes(30)), CancellationToken.None);

        var cpu = await ListAsync(ArchivePath.MetricPrefix("cpu"));
        Assert.Equal(
            [(cpuFirst, 10L), (cpuSecond, 20L)],
            cpu.Select(item => (item.Path, item.Length)).OrderBy(item => item.Path, StringComparer.Ordinal));
        Assert.All(cpu, item => Assert.True(item.LastModified > DateTimeOffset.UtcNow.AddHours(-1)));

        var hour = Assert.Single(await ListAsync(ArchivePath.HourPrefix("cpu", Hour.AddHours(1))));
        Assert.Equal((cpuSecond, 20L), (hour.Path, hour.Length));
        Assert.Equal(3, (await ListAsync("metric=")).Count);
        Assert.Empty(await ListAsync(ArchivePath.MetricPrefix("memory")));
    }

    [Fact(Timeout = 60000)]
    public async Task DeleteAsync_Twice_IsIdempotent()
    {
        var path = ArchivePath.Build("cpu", Hour, "a.parquet");
        await Store.PutAsync(path, LocalFile(RandomBytes(10)), CancellationToken.None);

        await Store.DeleteAsync(path, CancellationToken.None);
        await Store.DeleteAsync(path, CancellationToken.None);
        await Store.DeleteAsync(ArchivePath.Build("never-stored", Hour, "a.parquet"), CancellationToken.None);

        Assert.False(await Store.ExistsAsync(path, CancellationToken.None));
        Assert.Empty(await ListAsync(string.Empty));
    }

    [Fact(Timeout = 60000)]
    public async Task ExistsAsync_IsTrueOnlyAfterPut()
    {
        var path = ArchivePath.Build("cpu", Hour, "a.parquet");
        Assert.False(await Store.ExistsAsync(path, CancellationToken.None));

        await Store.PutAsync(path, LocalFile(RandomBytes(10)), CancellationToken.None);

        Assert.True(await Store.ExistsAsync(path, CancellationToken.None));
        Assert.False(await Store.ExistsAsync(ArchivePath.Build("cpu", Hour, "b.parquet"), CancellationToken.None));
    }

    [Fact(Timeout = 60000)]
    public async Task DownloadAsync_Missing_ThrowsFileNotFound()
    {
        await Assert.ThrowsAsync<FileNotFoundException>(() =>
            Store.DownloadAsync(ArchivePath.Build("cpu", Hour, "a.parquet"), DownloadTarget(), CancellationToken.None));
    }

    [Theory(Timeout = 60000)]
    [MemberData(nameof(ArchivePathTests.OddMetricNames), MemberType = typeof(ArchivePathTests))]
    public async Task PutAsync_OddMetricName_ListsBackAsTheSamePartition(string metric)
    {
        var path = ArchivePath.Build(metric, Hour, "part-0001.parquet");
        await Store.PutAsync(path, LocalFile(RandomBytes(42)), CancellationToken.None);

        var listed = Assert.Single(await ListAsync(ArchivePath.MetricPrefix(metric)));

        Assert.Equal(new ArchivePartition(metric, Hour, "part-0001.parquet"), ArchivePath.Parse(listed.Path));
        Assert.Equal(42, listed.Length);
    }

    [Fact(Timeout = 60000)]
    public async Task PutAsync_PathEscapingTheArchive_IsRefused()
    {
        var file = LocalFile(RandomBytes(10));
        foreach (var path in new[] { "../outside.parquet", "/absolute.parquet", "a//b.parquet", "a/./b.parquet", "a\\b.parquet" })
        {
            await Assert.ThrowsAsync<ArgumentException>(() => Store.PutAsync(path, file, CancellationToken.None));
        }
    }
}
