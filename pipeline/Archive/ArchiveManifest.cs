using System.Collections.Immutable;
using DuckDB.NET.Data;

namespace FunctionsObservability.Pipeline.Archive;

/// <summary>One archived Parquet file as the manifest records it; timestamps are Unix microseconds.</summary>
public sealed record ArchivedFile(
    long FileId,
    string Metric,
    long HourStartMicros,
    int Sequence,
    string Path,
    long Rows,
    long Bytes,
    long MinTimestampMicros,
    long MaxTimestampMicros,
    int MinSeriesId,
    int MaxSeriesId,
    long ArchivedAtMicros)
{
    public const long HourMicros = 3_600_000_000L;

    public long HourEndMicros => HourStartMicros + HourMicros;
}

/// <summary>
/// The committed manifest, in memory for query planning: the <c>archive_files</c> rows that are
/// not being expired. It is small (one entry per metric, hour and late-data file, bounded by
/// retention), changed only by the archive and retention runs after their commits, and read
/// lock-free by queries through immutable snapshots.
/// </summary>
public sealed class ArchiveManifest
{
    private ImmutableDictionary<string, ImmutableArray<ArchivedFile>> _byMetric = ImmutableDictionary.Create<string, ImmutableArray<ArchivedFile>>(StringComparer.Ordinal);
    private long _nextFileId = 1;
    private long _version;
    private TaskCompletionSource _stable = CompletedSource();

    /// <summary>
    /// Even while the manifest and the hot tables agree; odd while a change is being committed.
    /// A query lists files at an even version and checks, once its statement has started (and
    /// so holds its snapshot), that the version is unchanged; otherwise it could miss rows that
    /// moved between the tables and a file in between, and it runs again.
    /// </summary>
    public long Version => Interlocked.Read(ref _version);

    /// <summary>An even version, waiting for a change being committed to finish.</summary>
    public async ValueTask<long> StableVersionAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var stable = Volatile.Read(ref _stable);
            var version = Version;
            if ((version & 1) == 0)
            {
                return version;
            }

            await stable.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Starts a change: call before the transaction that moves rows commits.</summary>
    internal void BeginChange()
    {
        Volatile.Write(ref _stable, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        Interlocked.Increment(ref _version);
    }

    /// <summary>Ends a change, after the in-memory manifest matches the committed one.</summary>
    internal void EndChange()
    {
        Interlocked.Increment(ref _version);
        Volatile.Read(ref _stable).TrySetResult();
    }

    private static TaskCompletionSource CompletedSource()
    {
        var source = new TaskCompletionSource();
        source.SetResult();
        return source;
    }

    public int FileCount => Volatile.Read(ref _byMetric).Values.Sum(files => files.Length);

    public void Load(DuckDBConnection connection)
    {
        ArgumentNullException.ThrowIfNull(connection);
        var builder = new Dictionary<string, List<ArchivedFile>>(StringComparer.Ordinal);
        using var command = connection.CreateCommand();
        command.CommandText = """
            SELECT file_id, metric, hour_start, seq, path, rows, bytes, min_ts, max_ts, min_series, max_series, archived_at, expiring
            FROM archive_files ORDER BY metric, hour_start, seq
            """;
        using var reader = command.ExecuteReader();
        long maxId = 0;
        while (reader.Read())
        {
            var file = new ArchivedFile(
                reader.GetInt64(0), reader.GetString(1), reader.GetInt64(2), reader.GetInt32(3), reader.GetString(4), reader.GetInt64(5),
                reader.GetInt64(6), reader.GetInt64(7), reader.GetInt64(8), reader.GetInt32(9), reader.GetInt32(10), reader.GetInt64(11));
            maxId = Math.Max(maxId, file.FileId);
            if (!reader.GetBoolean(12))
            {
                if (!builder.TryGetValue(file.Metric, out var list))
                {
                    builder[file.Metric] = list = [];
                }

                list.Add(file);
            }
        }

        Volatile.Write(ref _byMetric, builder.ToImmutableDictionary(p => p.Key, p => p.Value.ToImmutableArray(), StringComparer.Ordinal));
        Interlocked.Exchange(ref _nextFileId, maxId + 1);
    }

    /// <summary>An id for a file about to be committed; ids are never reused, even after a failed run.</summary>
    public long NextFileId() => Interlocked.Increment(ref _nextFileId) - 1;

    /// <summary>
    /// The sequence number of the next file of this metric and hour: one past the highest committed,
    /// which is the count of committed files unless some are missing (a manifest rebuilt from the
    /// store leaves out a file it could not read), so a new file never takes a committed one's name.
    /// </summary>
    public int NextSequenceForHour(string metric, long hourStartMicros) =>
        Volatile.Read(ref _byMetric).TryGetValue(metric, out var files)
            ? files.Where(f => f.HourStartMicros == hourStartMicros).Select(f => f.Sequence + 1).DefaultIfEmpty(0).Max()
            : 0;

    /// <summary>
    /// Partition pruning: files of the metric whose hour overlaps [from, to) and whose series id
    /// range overlaps [minSeries, maxSeries], in time order.
    /// </summary>
    public IReadOnlyList<ArchivedFile> Find(string metric, int minSeriesId, int maxSeriesId, long fromMicros, long toMicros)
    {
        if (!Volatile.Read(ref _byMetric).TryGetValue(metric, out var files))
        {
            return [];
        }

        List<ArchivedFile>? found = null;
        foreach (var file in files)
        {
            if (file.MaxTimestampMicros >= fromMicros && file.MinTimestampMicros < toMicros
                && file.MaxSeriesId >= minSeriesId && file.MinSeriesId <= maxSeriesId)
            {
                (found ??= []).Add(file);
            }
        }

        return found ?? (IReadOnlyList<ArchivedFile>)[];
    }

    public IReadOnlyList<ArchivedFile> All() => [.. Volatile.Read(ref _byMetric).Values.SelectMany(f => f)];

    /// <summary>Called after the commit that recorded the file, by the single archive run.</summary>
    internal void Add(ArchivedFile file)
    {
        var current = Volatile.Read(ref _byMetric);
        var files = current.TryGetValue(file.Metric, out var existing) ? existing : [];
        var index = 0;
        while (index < files.Length && (files[index].HourStartMicros, files[index].Sequence).CompareTo((file.HourStartMicros, file.Sequence)) <= 0)
        {
            index++;
        }

        Volatile.Write(ref _byMetric, current.SetItem(file.Metric, files.Insert(index, file)));
    }

    /// <summary>Called after the commit that marked the files as expiring: queries stop reading them.</summary>
    internal void Remove(IReadOnlySet<long> fileIds)
    {
        var current = Volatile.Read(ref _byMetric);
        var builder = current.ToBuilder();
        foreach (var (metric, files) in current)
        {
            var kept = files.RemoveAll(f => fileIds.Contains(f.FileId));
            if (kept.Length != files.Length)
            {
                if (kept.IsEmpty)
                {
                    builder.Remove(metric);
                }
                else
                {
                    builder[metric] = kept;
                }
            }
        }

        Volatile.Write(ref _byMetric, builder.ToImmutable());
    }
}
