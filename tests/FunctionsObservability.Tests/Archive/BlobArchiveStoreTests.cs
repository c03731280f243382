using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using Azure;
using FunctionsObservability.Pipeline.Archive;
using FunctionsObservability.Tests.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;

namespace FunctionsObservability.Tests.Archive;

/// <summary>One Azurite for the class; each test gets its own container in it.</summary>
public sealed class AzuriteFixture : IAsyncLifetime
{
    public AzuriteServer Server { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Server = await AzuriteServer.StartAsync();
        await BlobArchiveStoreTests.WaitForBlobEndpointAsync(Server);
    }

    public async Task DisposeAsync() => await Server.DisposeAsync();
}

/// <summary>The store contract on Blob Storage, against a real Azurite.</summary>
public sealed partial class BlobArchiveStoreTests(AzuriteFixture azurite) : ArchiveStoreContractTests, IClassFixture<AzuriteFixture>
{
    protected override Task<IArchiveStore> CreateStoreAsync() =>
        Task.FromResult<IArchiveStore>(CreateStore(azurite.Server, networkTimeoutSeconds: 30, maxRetries: 3));

    private static BlobArchiveStore CreateStore(AzuriteServer server, int networkTimeoutSeconds, int maxRetries) =>
        new(
            new ArchiveStoreOptions
            {
                Kind = ArchiveStoreKind.Blob,
                ConnectionString = server.ConnectionString,
                ContainerName = $"archive-{Guid.NewGuid():N}",
                NetworkTimeoutSeconds = networkTimeoutSeconds,
                MaxRetries = maxRetries,
            },
            NullLogger<BlobArchiveStore>.Instance);

    [Fact(Timeout = 60000)]
    public async Task PutAsync_AzuriteStopped_FailsAndSucceedsAfterRestart()
    {
        // Its own Azurite, so stopping it does not disturb the other tests.
        await using var server = await AzuriteServer.StartAsync();
        await WaitForBlobEndpointAsync(server);
        using var store = CreateStore(server, networkTimeoutSeconds: 2, maxRetries: 1);
        var path = ArchivePath.Build("cpu", new DateTimeOffset(2025, 1, 2, 3, 0, 0, TimeSpan.Zero), "a.parquet");
        var content = RandomBytes(4_096);
        await store.PutAsync(path, LocalFile(content), CancellationToken.None);

        await server.StopAsync();
        var failure = await Assert.ThrowsAnyAsync<Exception>(() => store.PutAsync(path, LocalFile(content), CancellationToken.None));
        Assert.True(failure is RequestFailedException or AggregateException, failure.ToString());
        await Assert.ThrowsAnyAsync<Exception>(() => store.ExistsAsync(path, CancellationToken.None));

        await server.RestartAsync();
        await WaitForBlobEndpointAsync(server);
        await store.PutAsync(path, LocalFile(content), CancellationToken.None);

        var target = DownloadTarget();
        await store.DownloadAsync(path, target, CancellationToken.None);
        Assert.Equal(content, await File.ReadAllBytesAsync(target));
    }

    [Fact(Timeout = 60000)]
    public async Task ListAsync_BeforeAnyPut_IsEmpty()
    {
        // The container is created on the first put; listing and deleting before that must not fail.
        Assert.Empty(await ListAsync(string.Empty));
        await Store.DeleteAsync("metric=cpu/a.parquet", CancellationToken.None);
    }

    /// <summary>
    /// AzuriteServer waits for the queue port; the blob port can open a moment later, and a test
    /// with a single retry would otherwise fail on start-up rather than on what it tests.
    /// </summary>
    internal static async Task WaitForBlobEndpointAsync(AzuriteServer server)
    {
        var port = int.Parse(BlobPort().Match(server.ConnectionString).Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (true)
        {
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, port, timeout.Token);
                return;
            }
            catch (SocketException)
            {
                await Task.Delay(50, timeout.Token);
            }
        }
    }

    [GeneratedRegex(@"BlobEndpoint=http://127\.0\.0\.1:(\d+)/")]
    private static partial Regex BlobPort();
}
