using System.Text;
using DuckDB.NET.Data;
using FunctionsObservability.Pipeline.Archive;
using FunctionsObservability.Pipeline.Storage;

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

    /// <summary>
    /// Runs <paramref name="sql"/> over the sources for the range and returns its reader, after
    /// checking that no archive commit moved rows between listing the files and the start of the
    /// statement; if one did, the statement runs again with the new manifest.
    /// </summary>
    public async Task<(TierLease Tier, DuckDBDataReader Reader)> ExecuteAsync(
        QueryLease lease, SeriesSelection selection, TimeRange range, Func<TierLease, string> sql, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(lease);
        ArgumentNullException.ThrowIfNull(sql);
        for (var attempt = 1; ; attempt++)
        {
            var tier = await OpenAsync(selection, range, cancellationToken).ConfigureAwait(false);
            DuckDBDataReader? reader = null;
            try
            {
                lease.Command.CommandText = sql(tier);
                reader = lease.Command.ExecuteReader();
                if (tier.Version == _manifest.Version || attempt == MaxAttempts)
                {
                    return (tier, reader);
                }
            }
            catch
            {
                reader?.Dispose();
                tier.Dispose();
                throw;
            }

            reader.Dispose();
            tier.Dispose();
        }
    }

    /// <summary>Archive commits are minutes apart; more than a few in one query's start means something else is wrong.</summary>
    private const int MaxAttempts = 5;

    public async Task<TierLease> OpenAsync(SeriesSelection selection, TimeRange range, CancellationToken cancellationToken)
    {
        var version = await _manifest.StableVersionAsync(cancellationToken).ConfigureAwait(false);
        var files = FindFiles(selection, range);
        if (files.Count == 0)
        {
            return new TierLease(null, version);
        }

        try
        {
            return new TierLease(await _cache.AcquireAsync(files, cancellationToken).ConfigureAwait(false), version);
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
    private readonly ArchiveFileLease? _files;

    internal TierLease(ArchiveFileLease? files, long version)
    {
        _files = files;
        Version = version;
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

            list.Append(SqlText.Literal(file));
        }

        list.Append(']');
        Archived = $"(SELECT series_id, epoch_us(ts) AS ts, value FROM read_parquet({list}))";
        Points = $"(SELECT series_id, ts, value FROM all_points UNION ALL SELECT series_id, ts, value FROM {Archived})";
    }

    /// <summary>The manifest version the files were listed at.</summary>
    public long Version { get; }

    /// <summary>A table expression of (series_id, ts, value) over the hot and the archived rows.</summary>
    public string Points { get; }

    /// <summary>The archived rows alone, or null when no file is involved.</summary>
    public string? Archived { get; }

    public void Dispose() => _files?.Dispose();
}
