using System.Globalization;
using System.Text.Json;
using DuckDB.NET.Data;
using FunctionsObservability.Pipeline.Model;
using FunctionsObservability.Pipeline.Storage;
using Microsoft.Extensions.Logging;

namespace FunctionsObservability.Pipeline.Archive;

/// <summary>What a rebuild found in the archive store.</summary>
/// <param name="NewestHourEndMicros">The end of the newest archived hour; null when nothing is archived.</param>
public sealed record ArchiveRebuildResult(int Files, long Rows, int Series, int Metrics, int UnreadableFiles, long? NewestHourEndMicros);

/// <summary>
/// Rebuilds the archive manifest (<c>archive_files</c>, <c>archive_series</c>) and the series catalog
/// (<c>series</c>, <c>series_tags</c>) of a new, empty database from the archive store alone, for
/// when the database that held them is lost. A file's Hive path gives its metric, hour and sequence;
/// the file gives its rows, time bounds and per-series figures, and each series' tags (the
/// <c>tags</c> column), so every series keeps its id: archived data answers as before, and ids handed
/// out later continue after the archived ones (<see cref="SeriesCatalog.Load"/>).
/// </summary>
/// <remarks>
/// Every object at a partition path is taken, also one uploaded by a run that crashed before its
/// commit: its rows were hot then, the hot data is lost now, and the object is their only copy. A
/// file that cannot be read is logged and left out (and stays in the store); two files that give
/// one series id different names and tags fail the rebuild, as the ids would then mix series.
/// </remarks>
public static partial class ArchiveRebuilder
{
    private const string PartPrefix = "part-";
    private const string PartSuffix = ".parquet";

    public static async Task<ArchiveRebuildResult> RebuildAsync(
        MetricsDatabase database, IArchiveStore store, string workDirectory, ILogger logger, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(database);
        ArgumentNullException.ThrowIfNull(store);
        var files = new List<(ArchivedFile File, List<SeriesFigures> Series)>();
        var series = new Dictionary<int, SeriesDescriptor>();
        var unreadable = 0;
        using var connection = database.OpenConnection();
        await foreach (var item in store.ListAsync("", cancellationToken).ConfigureAwait(false))
        {
            if (!ArchivePath.TryParse(item.Path, out var partition) || SequenceOf(partition.FileName) is not { } sequence)
            {
                continue;
            }

            List<(SeriesFigures Figures, SeriesDescriptor Descriptor)> read;
            try
            {
                var figures = await ReadAsync(connection, store, item.Path, workDirectory, cancellationToken).ConfigureAwait(false);
                read = [.. figures.Select(f => (f, SeriesDescriptor.Create(partition.Metric, ParseTags(f.Tags))))];
            }
            catch (Exception exception) when (exception is DuckDBException or JsonException or InvalidOperationException or InvalidCastException)
            {
                unreadable++;
                LogUnreadable(logger, item.Path, DatabaseDamage.Shorten(exception.Message));
                continue;
            }

            if (read.Count == 0)
            {
                continue;
            }

            foreach (var (figures, descriptor) in read)
            {
                if (!series.TryAdd(figures.SeriesId, descriptor) && !series[figures.SeriesId].Equals(descriptor))
                {
                    throw new InvalidDataException(string.Create(CultureInfo.InvariantCulture,
                        $"series id {figures.SeriesId} is {series[figures.SeriesId]} in an earlier file but {descriptor} in {item.Path}"));
                }
            }

            var list = read.ConvertAll(r => r.Figures);
            files.Add((new ArchivedFile(
                files.Count + 1, partition.Metric, partition.HourStart.ToUnixTimeMilliseconds() * 1000, sequence, item.Path,
                list.Sum(s => s.Rows), item.Length, list.Min(s => s.MinTs), list.Max(s => s.MaxTs),
                list.Min(s => s.SeriesId), list.Max(s => s.SeriesId), item.LastModified.ToUnixTimeMilliseconds() * 1000), list));
        }

        var twoIds = series.GroupBy(p => p.Value.CanonicalKey, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (twoIds is not null)
        {
            throw new InvalidDataException($"series {twoIds.First().Value} has two ids in the archive: {string.Join(", ", twoIds.Select(p => p.Key))}");
        }

        Write(connection, files, series);
        return new ArchiveRebuildResult(
            files.Count, files.Sum(f => f.File.Rows), series.Count, series.Values.Select(d => d.Metric).Distinct(StringComparer.Ordinal).Count(),
            unreadable, files.Count == 0 ? null : files.Max(f => f.File.HourEndMicros));
    }

    private static int? SequenceOf(string fileName) =>
        fileName.StartsWith(PartPrefix, StringComparison.Ordinal) && fileName.EndsWith(PartSuffix, StringComparison.Ordinal)
            && int.TryParse(fileName.AsSpan(PartPrefix.Length, fileName.Length - PartPrefix.Length - PartSuffix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out var sequence)
            ? sequence
            : null;

    private static async Task<List<SeriesFigures>> ReadAsync(
        DuckDBConnection connection, IArchiveStore store, string path, string workDirectory, CancellationToken cancellationToken)
    {
        string? download = null;
        var local = store is LocalDirectoryArchiveStore directory ? directory.PathOnDisk(path) : null;
        if (local is null)
        {
            Directory.CreateDirectory(workDirectory);
            download = local = Path.Combine(workDirectory, $"rebuild-{Guid.NewGuid():N}.parquet");
            await store.DownloadAsync(path, download, cancellationToken).ConfigureAwait(false);
        }

        try
        {
            using var command = connection.CreateCommand();
            command.CommandText = $"""
                SELECT series_id, min(tags), count(*), epoch_us(min(ts)), epoch_us(max(ts))
                FROM read_parquet({SqlText.Literal(local)}, hive_partitioning = false)
                GROUP BY series_id ORDER BY series_id
                """;
            using var reader = command.ExecuteReader();
            var figures = new List<SeriesFigures>();
            while (reader.Read())
            {
                figures.Add(new SeriesFigures(reader.GetInt32(0), reader.GetString(1), reader.GetInt64(2), reader.GetInt64(3), reader.GetInt64(4)));
            }

            return figures;
        }
        finally
        {
            if (download is not null)
            {
                File.Delete(download);
            }
        }
    }

    private static List<KeyValuePair<string, string>> ParseTags(string json)
    {
        using var document = JsonDocument.Parse(json);
        return [.. document.RootElement.EnumerateObject().Select(p => new KeyValuePair<string, string>(p.Name, p.Value.GetString()!))];
    }

    private static void Write(DuckDBConnection connection, List<(ArchivedFile File, List<SeriesFigures> Series)> files, Dictionary<int, SeriesDescriptor> series)
    {
        using var transaction = connection.BeginTransaction();
        using (var appender = connection.CreateAppender("archive_files"))
        {
            foreach (var (f, _) in files)
            {
                appender.CreateRow().AppendValue(f.FileId).AppendValue(f.Metric).AppendValue(f.HourStartMicros).AppendValue(f.Sequence)
                    .AppendValue(f.Path).AppendValue(f.Rows).AppendValue(f.Bytes).AppendValue(f.MinTimestampMicros).AppendValue(f.MaxTimestampMicros)
                    .AppendValue(f.MinSeriesId).AppendValue(f.MaxSeriesId).AppendValue(f.ArchivedAtMicros).AppendValue(false).EndRow();
            }
        }

        using (var appender = connection.CreateAppender("archive_series"))
        {
            foreach (var (f, figures) in files)
            {
                foreach (var s in figures)
                {
                    appender.CreateRow().AppendValue(f.FileId).AppendValue(s.SeriesId).AppendValue(s.Rows).AppendValue(s.MinTs).AppendValue(s.MaxTs).EndRow();
                }
            }
        }

        // Metric ids only group a metric's series; series ids are what the archive refers to, and stay.
        var metricIds = series.Values.Select(d => d.Metric).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)
            .Select((metric, i) => (metric, i + 1)).ToDictionary(p => p.metric, p => p.Item2, StringComparer.Ordinal);
        using (var rows = connection.CreateAppender("series"))
        using (var tags = connection.CreateAppender("series_tags"))
        {
            foreach (var (id, descriptor) in series.OrderBy(p => p.Key))
            {
                rows.CreateRow().AppendValue(id).AppendValue(metricIds[descriptor.Metric]).AppendValue(descriptor.Metric).EndRow();
                foreach (var (key, value) in descriptor.Tags)
                {
                    tags.CreateRow().AppendValue(id).AppendValue(key).AppendValue(value).EndRow();
                }
            }
        }

        transaction.Commit();
    }

    private readonly record struct SeriesFigures(int SeriesId, string Tags, long Rows, long MinTs, long MaxTs);

    [LoggerMessage(EventId = LogEvents.ArchivedFileUnreadable, Level = LogLevel.Warning, Message = "Archived file {Path} could not be read and is left out of the rebuilt manifest (it stays in the store): {Reason}")]
    private static partial void LogUnreadable(ILogger logger, string path, string reason);
}
