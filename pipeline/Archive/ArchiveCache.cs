using System.Globalization;
using Microsoft.Extensions.Logging;

namespace FunctionsObservability.Pipeline.Archive;

/// <summary>
/// Local copies of archived files for DuckDB's <c>read_parquet</c>, bounded in bytes with
/// least-recently-used eviction. A file is pinned while a query reads it and is never evicted
/// then; one download serves every query that wants the same file at the same time. With a local
/// directory store, files are read in place and nothing is copied.
/// </summary>
public sealed partial class ArchiveCache : IDisposable
{
    private readonly IArchiveStore _store;
    private readonly ArchiveMetrics _metrics;
    private readonly ILogger<ArchiveCache> _logger;
    private readonly string _directory;
    private readonly long _capacity;
    private readonly Dictionary<long, Entry> _entries = [];
    private readonly Lock _lock = new();
    private readonly CancellationTokenSource _lifetime = new();
    private long _bytes;
    private long _clock;

    public ArchiveCache(IArchiveStore store, ArchivingOptions options, string defaultDirectory, ArchiveMetrics metrics, ILogger<ArchiveCache> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _store = store;
        _metrics = metrics;
        _logger = logger;
        _capacity = options.CacheMaxBytes;
        _directory = Path.GetFullPath(options.CacheDirectory ?? defaultDirectory);

        // The cache has no index on disk; what an earlier process left is unknown, so it goes.
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }

        Directory.CreateDirectory(_directory);
    }

    public long CapacityBytes => _capacity;

    /// <summary>Bytes of completed downloads on disk.</summary>
    public long CachedBytes
    {
        get
        {
            lock (_lock)
            {
                return _bytes;
            }
        }
    }

    /// <summary>Makes the files readable locally and pins them until the lease is disposed.</summary>
    /// <exception cref="ArchiveCacheCapacityException">The files together exceed the cache.</exception>
    public async Task<ArchiveFileLease> AcquireAsync(IReadOnlyList<ArchivedFile> files, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(files);
        if (_store is LocalDirectoryArchiveStore local)
        {
            return new ArchiveFileLease([.. files.Select(f => local.PathOnDisk(f.Path))], null);
        }

        var needed = files.Sum(f => f.Bytes);
        if (needed > _capacity)
        {
            throw new ArchiveCacheCapacityException(needed, _capacity, files.Count);
        }

        var pinned = new List<Entry>(files.Count);
        lock (_lock)
        {
            foreach (var file in files)
            {
                if (!_entries.TryGetValue(file.FileId, out var entry))
                {
                    entry = new Entry(file, Path.Combine(_directory, string.Create(CultureInfo.InvariantCulture, $"{file.FileId}.parquet")));
                    entry.Download = DownloadAsync(entry);
                    _entries[file.FileId] = entry;
                }
                else
                {
                    _metrics.CacheHits.Add(1);
                }

                entry.Pins++;
                entry.LastUsed = ++_clock;
                pinned.Add(entry);
            }
        }

        var lease = new ArchiveFileLease([.. pinned.Select(e => e.LocalFile)], () => Unpin(pinned));
        try
        {
            foreach (var entry in pinned)
            {
                await entry.Download!.WaitAsync(cancellationToken).ConfigureAwait(false);
            }

            return lease;
        }
        catch
        {
            lease.Dispose();
            throw;
        }
    }

    public void Dispose()
    {
        _lifetime.Cancel();
        _lifetime.Dispose();
    }

    private async Task DownloadAsync(Entry entry)
    {
        // Runs on the cache's lifetime, not the first caller's token: another query may be waiting for it.
        await Task.Yield();
        try
        {
            await _store.DownloadAsync(entry.File.Path, entry.LocalFile, _lifetime.Token).ConfigureAwait(false);
            var length = new FileInfo(entry.LocalFile).Length;
            if (length != entry.File.Bytes)
            {
                throw new InvalidDataException($"archived file {entry.File.Path} is {length} bytes, the manifest records {entry.File.Bytes}");
            }
        }
        catch (Exception exception)
        {
            LogDownloadFailed(_logger, entry.File.Path, exception);
            lock (_lock)
            {
                // Forget it, so the next query tries again; pinned holders get the exception.
                if (_entries.TryGetValue(entry.File.FileId, out var current) && ReferenceEquals(current, entry))
                {
                    _entries.Remove(entry.File.FileId);
                }
            }

            TryDelete(entry.LocalFile);
            throw new ArchiveUnavailableException($"archived file {entry.File.Path} could not be fetched: {exception.Message}", exception);
        }

        _metrics.CacheDownloads.Add(1);
        lock (_lock)
        {
            entry.Complete = true;
            _bytes += entry.File.Bytes;
            EvictLocked();
        }
    }

    private void Unpin(List<Entry> entries)
    {
        lock (_lock)
        {
            foreach (var entry in entries)
            {
                entry.Pins--;
            }

            EvictLocked();
        }
    }

    private void EvictLocked()
    {
        while (_bytes > _capacity)
        {
            Entry? victim = null;
            foreach (var entry in _entries.Values)
            {
                if (entry is { Complete: true, Pins: 0 } && (victim is null || entry.LastUsed < victim.LastUsed))
                {
                    victim = entry;
                }
            }

            if (victim is null)
            {
                // Everything left is being read; the next unpin evicts.
                return;
            }

            _entries.Remove(victim.File.FileId);
            _bytes -= victim.File.Bytes;
            TryDelete(victim.LocalFile);
        }
    }

    private void TryDelete(string file)
    {
        try
        {
            File.Delete(file);
        }
        catch (IOException exception)
        {
            LogDeleteFailed(_logger, file, exception);
        }
    }

    [LoggerMessage(EventId = LogEvents.ArchiveCacheFetchFailed, Level = LogLevel.Warning, Message = "Archived file {Path} could not be fetched into the query cache")]
    private static partial void LogDownloadFailed(ILogger logger, string path, Exception exception);

    [LoggerMessage(EventId = LogEvents.ArchiveCacheDeleteFailed, Level = LogLevel.Warning, Message = "Could not delete the cached file {File}")]
    private static partial void LogDeleteFailed(ILogger logger, string file, Exception exception);

    private sealed class Entry(ArchivedFile file, string localFile)
    {
        public ArchivedFile File { get; } = file;

        public string LocalFile { get; } = localFile;

        public Task? Download { get; set; }

        public int Pins { get; set; }

        public long LastUsed { get; set; }

        public bool Complete { get; set; }
    }
}

/// <summary>Local paths of archived files, readable until disposed.</summary>
public sealed class ArchiveFileLease(IReadOnlyList<string> localFiles, Action? release) : IDisposable
{
    private Action? _release = release;

    public IReadOnlyList<string> LocalFiles { get; } = localFiles;

    public void Dispose() => Interlocked.Exchange(ref _release, null)?.Invoke();
}

/// <summary>An archived file a query needs could not be fetched; the query may be retried.</summary>
public sealed class ArchiveUnavailableException : Exception
{
    public ArchiveUnavailableException()
    {
    }

    public ArchiveUnavailableException(string message)
        : base(message)
    {
    }

    public ArchiveUnavailableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>A query would need more archived bytes at once than the cache may hold.</summary>
public sealed class ArchiveCacheCapacityException : Exception
{
    public ArchiveCacheCapacityException()
    {
    }

    public ArchiveCacheCapacityException(string message)
        : base(message)
    {
    }

    public ArchiveCacheCapacityException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public ArchiveCacheCapacityException(long neededBytes, long capacityBytes, int files)
        : base($"the time range touches {files} archived files of {neededBytes} bytes, more than the archive cache's {capacityBytes} bytes; narrow the time range")
    {
    }
}
