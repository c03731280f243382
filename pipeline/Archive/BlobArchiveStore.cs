using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using Azure;
using Azure.Core;
using Azure.Storage;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Microsoft.Extensions.Logging;

namespace FunctionsObservability.Pipeline.Archive;

/// <summary>
/// The archive in an Azure Blob Storage container. Every request has a network timeout and a bounded
/// exponential retry, so when the service is down or slow an operation fails instead of hanging.
/// </summary>
public sealed partial class BlobArchiveStore : IArchiveStore, IDisposable
{
    private readonly BlobContainerClient _container;
    private readonly ILogger<BlobArchiveStore> _logger;
    private readonly SemaphoreSlim _createLock = new(1, 1);
    private volatile bool _containerReady;

    public BlobArchiveStore(ArchiveStoreOptions options, ILogger<BlobArchiveStore> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Kind != ArchiveStoreKind.Blob)
        {
            throw new ArgumentException($"{ArchiveStoreOptions.SectionName}:{nameof(options.Kind)} must be Blob for the blob store.", nameof(options));
        }

        _container = new BlobContainerClient(options.ConnectionString, options.ContainerName, CreateClientOptions(options));
        _logger = logger;
    }

    /// <summary>Client options from the store's options; public so the archiver's other clients behave the same.</summary>
    public static BlobClientOptions CreateClientOptions(ArchiveStoreOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var clientOptions = new BlobClientOptions();
        clientOptions.Retry.Mode = RetryMode.Exponential;
        clientOptions.Retry.MaxRetries = options.MaxRetries;
        clientOptions.Retry.NetworkTimeout = TimeSpan.FromSeconds(options.NetworkTimeoutSeconds);

        // The default ceiling (1 min) between attempts would outlast the timeout the caller configured.
        clientOptions.Retry.MaxDelay = TimeSpan.FromSeconds(Math.Min(options.NetworkTimeoutSeconds, 10));
        return clientOptions;
    }

    public async Task PutAsync(string path, string localFile, CancellationToken cancellationToken)
    {
        ArchivePath.ValidateObjectPath(path);
        await EnsureContainerAsync(cancellationToken);

        // The MD5 goes with the upload twice: per request (the service refuses a body that does not
        // match) and as the blob's stored Content-MD5, which is read back below and serves downloads.
        var (md5, length) = await LocalDirectoryArchiveStore.HashFileAsync(localFile, cancellationToken);
        var blob = _container.GetBlobClient(path);
        var upload = new BlobUploadOptions
        {
            HttpHeaders = new BlobHttpHeaders { ContentHash = md5, ContentType = ContentTypeFor(path) },
            TransferValidation = new UploadTransferValidationOptions { ChecksumAlgorithm = StorageChecksumAlgorithm.MD5 },
        };
        try
        {
            await UploadAsync(blob, localFile, upload, cancellationToken);
        }
        catch (RequestFailedException exception) when (exception.ErrorCode == BlobErrorCode.ContainerNotFound)
        {
            // Someone removed the container since it was made: make it again, once, rather than fail every put from now on.
            _containerReady = false;
            await EnsureContainerAsync(cancellationToken);
            await UploadAsync(blob, localFile, upload, cancellationToken);
        }

        BlobProperties stored = await blob.GetPropertiesAsync(cancellationToken: cancellationToken);
        if (stored.ContentLength != length || stored.ContentHash is null || !CryptographicOperations.FixedTimeEquals(stored.ContentHash, md5))
        {
            Log.IntegrityMismatch(_logger, path, length, stored.ContentLength);
            throw new InvalidDataException($"Archived blob '{path}' does not match '{localFile}': {stored.ContentLength} bytes stored of {length}, or a different MD5.");
        }
    }

    private static async Task UploadAsync(BlobClient blob, string localFile, BlobUploadOptions upload, CancellationToken cancellationToken)
    {
        await using var stream = new FileStream(localFile, FileMode.Open, FileAccess.Read, FileShare.Read, 81_920, useAsync: true);
        await blob.UploadAsync(stream, upload, cancellationToken);
    }

    public async Task<bool> ExistsAsync(string path, CancellationToken cancellationToken)
    {
        ArchivePath.ValidateObjectPath(path);
        try
        {
            return await _container.GetBlobClient(path).ExistsAsync(cancellationToken);
        }
        catch (RequestFailedException exception) when (exception.ErrorCode == BlobErrorCode.ContainerNotFound)
        {
            return false;
        }
    }

    public async Task DownloadAsync(string path, string localFile, CancellationToken cancellationToken)
    {
        ArchivePath.ValidateObjectPath(path);
        var destination = Path.GetFullPath(localFile);
        var directory = Path.GetDirectoryName(destination)!;
        Directory.CreateDirectory(directory);
        var temp = Path.Combine(directory, $".{Path.GetFileName(destination)}.{Guid.NewGuid():N}.download-tmp");
        try
        {
            BlobDownloadStreamingResult result;
            try
            {
                result = await _container.GetBlobClient(path).DownloadStreamingAsync(cancellationToken: cancellationToken);
            }
            catch (RequestFailedException exception) when (exception.Status == 404)
            {
                throw new FileNotFoundException($"No archived object at '{path}'.", path, exception);
            }

            using (result)
            {
                using var md5 = IncrementalHash.CreateHash(HashAlgorithmName.MD5);
                await using (var output = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 81_920, useAsync: true))
                {
                    var buffer = new byte[81_920];
                    int read;
                    while ((read = await result.Content.ReadAsync(buffer, cancellationToken)) > 0)
                    {
                        md5.AppendData(buffer, 0, read);
                        await output.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
                    }
                }

                // A whole-blob download returns the stored Content-MD5 that PutAsync set and checked.
                var expected = result.Details.ContentHash;
                if (expected is { Length: > 0 } && !CryptographicOperations.FixedTimeEquals(expected, md5.GetHashAndReset()))
                {
                    throw new InvalidDataException($"Downloaded blob '{path}' does not match its stored MD5.");
                }
            }

            File.Move(temp, destination, overwrite: true);
        }
        finally
        {
            try
            {
                File.Delete(temp);
            }
            catch (IOException)
            {
            }
        }
    }

    public async IAsyncEnumerable<ArchiveObject> ListAsync(string prefix, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        var pages = _container.GetBlobsAsync(BlobTraits.None, BlobStates.None, prefix.Length == 0 ? null : prefix, cancellationToken);
        await using var enumerator = pages.GetAsyncEnumerator(cancellationToken);
        while (true)
        {
            try
            {
                if (!await enumerator.MoveNextAsync())
                {
                    yield break;
                }
            }
            catch (RequestFailedException exception) when (exception.ErrorCode == BlobErrorCode.ContainerNotFound)
            {
                // Nothing archived yet: the container is created on the first put.
                yield break;
            }

            var item = enumerator.Current;
            yield return new ArchiveObject(item.Name, item.Properties.ContentLength ?? 0, item.Properties.LastModified ?? DateTimeOffset.MinValue);
        }
    }

    public async Task DeleteAsync(string path, CancellationToken cancellationToken)
    {
        ArchivePath.ValidateObjectPath(path);
        try
        {
            await _container.GetBlobClient(path).DeleteIfExistsAsync(DeleteSnapshotsOption.IncludeSnapshots, cancellationToken: cancellationToken);
        }
        catch (RequestFailedException exception) when (exception.ErrorCode == BlobErrorCode.ContainerNotFound)
        {
            // No container, so no blob: deleting is already done.
        }
    }

    public void Dispose() => _createLock.Dispose();

    // Once per store, not per put: a round trip saved on every upload. A failure is not remembered,
    // so the next put tries again once the service is back.
    private async Task EnsureContainerAsync(CancellationToken cancellationToken)
    {
        if (_containerReady)
        {
            return;
        }

        await _createLock.WaitAsync(cancellationToken);
        try
        {
            if (!_containerReady)
            {
                var created = await _container.CreateIfNotExistsAsync(cancellationToken: cancellationToken);
                if (created is not null)
                {
                    Log.ContainerCreated(_logger, _container.Name);
                }

                _containerReady = true;
            }
        }
        finally
        {
            _createLock.Release();
        }
    }

    private static string ContentTypeFor(string path) =>
        path.EndsWith(".parquet", StringComparison.OrdinalIgnoreCase) ? "application/vnd.apache.parquet" : "application/octet-stream";

    private static partial class Log
    {
        [LoggerMessage(EventId = LogEvents.ArchiveContainerCreated, Level = LogLevel.Information, Message = "Created archive container {Container}")]
        public static partial void ContainerCreated(ILogger logger, string container);

        [LoggerMessage(EventId = LogEvents.ArchivedBlobMismatch, Level = LogLevel.Error, Message = "Archived blob {Path} does not match the local file ({LocalLength} bytes, {StoredLength} stored); the upload is treated as failed")]
        public static partial void IntegrityMismatch(ILogger logger, string path, long localLength, long storedLength);
    }
}
