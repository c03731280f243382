using System.Text;
using FunctionsObservability.Pipeline.Archive;

namespace FunctionsObservability.Pipeline.Query;

/// <summary>
/// Where a query's points come from: the hot tables, plus the archived files that partition
/// pruning keeps for the selection and time range, fetched into the cache and pinned while the
/// query runs. Archived rows come back in the hot tables' shape, so every query reads the union
/// as one table and answers the same whichever tier holds a point.
/// </summary>
public sealed class TieredSource
{
    private readonly ArchiveManifest _manifest;
    private readonly ArchiveCache _cache;

    public TieredSource(ArchiveManifest manifest, ArchiveCache cache)
    {
        _manifest = manifest;
        _cache = cache;
    }

    /// <summary>Archived files of the selection overlapping the range, in time order.</summary>
    public IReadOnlyList<ArchivedFile> FindFiles(SeriesSelection selection, TimeRange range)
    {
        ArgumentNullException.ThrowIfNull(selection);
        if (selection.IsEmpty)
        {
            return [];
        }

        var (min, max) = selection.IdRange();
        return _manifest.Find(selection.Metric, min, max, range.FromMicros, range.ToMicros);
    }

    public async Task<TierLease> OpenAsync(SeriesSelection selection, TimeRange range, CancellationToken cancellationToken)
    {
        var files = FindFiles(selection, range);
        if (files.Count == 0)
        {
            return TierLease.HotOnly;
        }

        try
        {
            return new TierLease(await _cache.AcquireAsync(files, cancellationToken).ConfigureAwait(false));
        }
        catch (ArchiveCacheCapacityException exception)
        {
            throw new QueryFailedException(QueryFailure.BadParameter, exception.Message, "from");
        }
        catch (ArchiveUnavailableException exception)
        {
            throw new QueryFailedException(QueryFailure.ArchiveUnavailable, exception.Message);
        }
    }
}

/// <summary>The SQL sources of one query; archived files stay pinned in the cache until disposed.</summary>
public sealed class TierLease : IDisposable
{
    public static readonly TierLease HotOnly = new(null);

    private readonly ArchiveFileLease? _files;

    internal TierLease(ArchiveFileLease? files)
    {
        _files = files;
        if (files is null || files.LocalFiles.Count == 0)
        {
            Points = "all_points";
            return;
        }

        var list = new StringBuilder("[");
        foreach (var file in files.LocalFiles)
        {
            if (list.Length > 1)
            {
                list.Append(", ");
            }

            list.Append('\'').Append(file.Replace("'", "''", StringComparison.Ordinal)).Append('\'');
        }

        list.Append(']');
        Archived = $"(SELECT series_id, epoch_us(ts) AS ts, value FROM read_parquet({list}))";
        Points = $"(SELECT series_id, ts, value FROM all_points UNION ALL SELECT series_id, ts, value FROM {Archived})";
    }

    /// <summary>A table expression of (series_id, ts, value) over the hot and the archived rows.</summary>
    public string Points { get; }

    /// <summary>The archived rows alone, or null when no file is involved.</summary>
    public string? Archived { get; }

    public void Dispose() => _files?.Dispose();
}
