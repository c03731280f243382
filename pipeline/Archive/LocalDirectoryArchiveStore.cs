using System.Runtime.CompilerServices;
using System.Security.Cryptography;

namespace FunctionsObservability.Pipeline.Archive;

/// <summary>
/// The archive in a local folder, laid out exactly as in Blob Storage, for the embedded default and
/// for tests. Writes go to a temp file beside the target and are renamed over it, so a reader or a
/// crash never sees half an object.
/// </summary>
public sealed class LocalDirectoryArchiveStore : IArchiveStore
{
    // Temp files start with '.' and end with this, so listing can skip them and no object path can clash.
    private const string TempSuffix = ".archive-tmp";
    private const int BufferSize = 81_920;

    private readonly string _root;

    public LocalDirectoryArchiveStore(ArchiveStoreOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _root = Path.GetFullPath(options.LocalDirectory);
        Directory.CreateDirectory(_root);
    }

    public string RootDirectory => _root;

    /// <summary>Where an object lives on disk: queries read local archives in place, without the cache.</summary>
    public string PathOnDisk(string path) => FullPath(path);

    public async Task PutAsync(string path, string localFile, CancellationToken cancellationToken)
    {
        var target = FullPath(path);
        var directory = Path.GetDirectoryName(target)!;
        Directory.CreateDirectory(directory);
        var temp = Path.Combine(directory, $".{Path.GetFileName(target)}.{Guid.NewGuid():N}{TempSuffix}");
        try
        {
            byte[] sourceHash;
            long sourceLength;
            await using (var source = new FileStream(localFile, FileMode.Open, FileAccess.Read, FileShare.Read, BufferSize, useAsync: true))
            await using (var destination = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, BufferSize, useAsync: true))
            {
                (sourceHash, sourceLength) = await CopyHashingAsync(source, destination, cancellationToken);

                // On disk before the rename, so a crash cannot leave a complete-looking empty object.
                destination.Flush(flushToDisk: true);
            }

            // Read back what landed, not what was sent: this is the integrity check the blob store gets from the service.
            var (copyHash, copyLength) = await HashFileAsync(temp, cancellationToken);
            if (copyLength != sourceLength || !CryptographicOperations.FixedTimeEquals(copyHash, sourceHash))
            {
                throw new InvalidDataException($"Archive copy of '{localFile}' to '{path}' does not match: {copyLength} bytes written of {sourceLength}, or a different MD5.");
            }

            File.Move(temp, target, overwrite: true);
        }
        finally
        {
            TryDelete(temp);
        }
    }

    public Task<bool> ExistsAsync(string path, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return Task.FromResult(File.Exists(FullPath(path)));
    }

    public async Task DownloadAsync(string path, string localFile, CancellationToken cancellationToken)
    {
        var source = FullPath(path);
        if (!File.Exists(source))
        {
            throw new FileNotFoundException($"No archived object at '{path}'.", path);
        }

        var destinationPath = Path.GetFullPath(localFile);
        var directory = Path.GetDirectoryName(destinationPath)!;
        Directory.CreateDirectory(directory);
        var temp = Path.Combine(directory, $".{Path.GetFileName(destinationPath)}.{Guid.NewGuid():N}{TempSuffix}");
        try
        {
            await using (var input = new FileStream(source, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete, BufferSize, useAsync: true))
            await using (var output = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, BufferSize, useAsync: true))
            {
                await input.CopyToAsync(output, cancellationToken);
            }

            File.Move(temp, destinationPath, overwrite: true);
        }
        finally
        {
            TryDelete(temp);
        }
    }

    public async IAsyncEnumerable<ArchiveObject> ListAsync(string prefix, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        await Task.CompletedTask;

        // Start at the deepest folder the prefix names in full, so listing one metric does not walk the whole archive.
        var slash = prefix.LastIndexOf('/');
        var start = slash < 0 ? _root : Path.Combine(_root, prefix[..slash].Replace('/', Path.DirectorySeparatorChar));
        if (slash >= 0)
        {
            ArchivePath.ValidateObjectPath(prefix[..slash]);
        }

        if (!Directory.Exists(start))
        {
            yield break;
        }

        var files = Directory.EnumerateFiles(start, "*", new EnumerationOptions { RecurseSubdirectories = true, IgnoreInaccessible = true, AttributesToSkip = 0 })
            .Select(file => (File: file, Path: Path.GetRelativePath(_root, file).Replace(Path.DirectorySeparatorChar, '/')))
            .Where(entry => entry.Path.StartsWith(prefix, StringComparison.Ordinal) && !entry.Path.EndsWith(TempSuffix, StringComparison.Ordinal))
            .OrderBy(entry => entry.Path, StringComparer.Ordinal);
        foreach (var (file, path) in files)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var info = new FileInfo(file);
            if (info.Exists)
            {
                yield return new ArchiveObject(path, info.Length, new DateTimeOffset(info.LastWriteTimeUtc, TimeSpan.Zero));
            }
        }
    }

    public Task DeleteAsync(string path, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var target = FullPath(path);
        try
        {
            File.Delete(target);
        }
        catch (DirectoryNotFoundException)
        {
            // Nothing was ever stored under that folder: already deleted, as far as the caller cares.
        }

        return Task.CompletedTask;
    }

    private string FullPath(string path)
    {
        ArchivePath.ValidateObjectPath(path);
        if (path.EndsWith(TempSuffix, StringComparison.Ordinal))
        {
            throw new ArgumentException($"'{path}' ends in '{TempSuffix}', which the local store keeps for its temp files.", nameof(path));
        }

        return Path.Combine(_root, path.Replace('/', Path.DirectorySeparatorChar));
    }

    private static async Task<(byte[] Hash, long Length)> CopyHashingAsync(Stream source, Stream destination, CancellationToken cancellationToken)
    {
        using var md5 = IncrementalHash.CreateHash(HashAlgorithmName.MD5);
        var buffer = new byte[BufferSize];
        long length = 0;
        int read;
        while ((read = await source.ReadAsync(buffer, cancellationToken)) > 0)
        {
            md5.AppendData(buffer, 0, read);
            await destination.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
            length += read;
        }

        return (md5.GetHashAndReset(), length);
    }

    internal static async Task<(byte[] Hash, long Length)> HashFileAsync(string file, CancellationToken cancellationToken)
    {
        await using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.Read, BufferSize, useAsync: true);
        var hash = await MD5.HashDataAsync(stream, cancellationToken);
        return (hash, stream.Length);
    }

    private static void TryDelete(string file)
    {
        try
        {
            File.Delete(file);
        }
        catch (IOException)
        {
            // Listing skips a leftover temp file; failing the put for it would lose a good upload.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
