namespace FunctionsObservability.Pipeline.Archive;

/// <summary>
/// Where closed time partitions are archived: Azure Blob Storage, or a local folder for the
/// embedded default. Paths are relative, use <c>/</c> and are built with <see cref="ArchivePath"/>;
/// both stores behave the same so the archiver does not care which one it has.
/// </summary>
public interface IArchiveStore
{
    /// <summary>
    /// Uploads or copies <paramref name="localFile"/> to <paramref name="path"/>, replacing any object
    /// already there, and checks that what was stored is byte for byte what was sent.
    /// </summary>
    /// <exception cref="InvalidDataException">The stored object's hash differs from the local file's.</exception>
    Task PutAsync(string path, string localFile, CancellationToken cancellationToken);

    Task<bool> ExistsAsync(string path, CancellationToken cancellationToken);

    /// <summary>Writes the object to <paramref name="localFile"/>, replacing it; the file appears whole or not at all.</summary>
    /// <exception cref="FileNotFoundException">No object at <paramref name="path"/>.</exception>
    Task DownloadAsync(string path, string localFile, CancellationToken cancellationToken);

    /// <summary>Every object whose path starts with <paramref name="prefix"/> (plain string prefix, as Blob Storage does).</summary>
    IAsyncEnumerable<ArchiveObject> ListAsync(string prefix, CancellationToken cancellationToken);

    /// <summary>Removes the object; a path with no object is not an error, so retries are safe.</summary>
    Task DeleteAsync(string path, CancellationToken cancellationToken);
}

/// <summary>One archived object, as listed.</summary>
public sealed record ArchiveObject(string Path, long Length, DateTimeOffset LastModified);
