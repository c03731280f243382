using System.Globalization;
using DuckDB.NET.Data;
using FunctionsObservability.Pipeline.Storage;

namespace FunctionsObservability.Pipeline.Archive;

/// <summary>One partition's safety order: export, verify, upload, then commit the manifest and delete the rows in one transaction.</summary>
public sealed partial class ArchiveRunner
{
    private async Task<ArchivedFile?> ArchivePartitionAsync(string metric, long hourStart, CancellationToken token)
    {
        var fileId = _manifest.NextFileId();
        var sequence = _manifest.NextSequenceForHour(metric, hourStart);
        var path = ArchivePath.Build(metric, DateTimeOffset.FromUnixTimeMilliseconds(hourStart / 1000), string.Create(CultureInfo.InvariantCulture, $"part-{sequence:D5}.parquet"));
        var local = Path.Combine(_workDirectory, string.Create(CultureInfo.InvariantCulture, $"{fileId}.parquet"));
        try
        {
            // 1. Write locally, from one snapshot, with the figures of the rows selected.
            PartitionExtent extent;
            using (var connection = _database.OpenConnection())
            {
                extent = PartitionExporter.ExportMetric(connection, metric, hourStart, local);
            }

            if (extent.Rows == 0)
            {
                return null;
            }

            await HitAsync(ArchiveStage.Exported, local, token).ConfigureAwait(false);

            // 2. Verify with an independent reader.
            await ParquetVerifier.VerifyAsync(local, extent, token).ConfigureAwait(false);
            await HitAsync(ArchiveStage.Verified, local, token).ConfigureAwait(false);

            // 3. Upload; the store checks the stored bytes' hash, with its own timeout and retries.
            var length = new FileInfo(local).Length;
            await _store.PutAsync(path, local, token).ConfigureAwait(false);
            await HitAsync(ArchiveStage.Uploaded, local, token).ConfigureAwait(false);

            // 4. Record and delete in one transaction, only if the rows are still exactly those exported.
            var file = new ArchivedFile(fileId, metric, hourStart, sequence, path, extent.Rows, length, extent.MinTimestampMicros, extent.MaxTimestampMicros,
                0, 0, _time.GetUtcNow().ToUnixTimeMilliseconds() * 1000);
            await _writer.Gate.WaitAsync(token).ConfigureAwait(false);
            ArchivedFile? committed;
            _manifest.BeginChange();
            try
            {
                committed = _writer.RunMaintenance((connection, transaction) => CommitPartition(connection, transaction, file, extent));
                if (committed is not null)
                {
                    // Published while the gate is held, so a later run's sequence number counts it.
                    _manifest.Add(committed);
                }
            }
            finally
            {
                _manifest.EndChange();
                _writer.Gate.Release();
            }

            if (committed is null)
            {
                LogDeferred(_logger, metric, FormatHour(hourStart));
                return null;
            }

            _metrics.FilesArchived.Add(1);
            _metrics.RowsArchived.Add(committed.Rows);
            _metrics.BytesArchived.Add(committed.Bytes);
            LogArchived(_logger, path, committed.Rows, committed.Bytes);
            return committed;
        }
        finally
        {
            TryDelete(local);
        }
    }

    private static (bool, ArchivedFile?) CommitPartition(DuckDBConnection connection, DuckDBTransaction transaction, ArchivedFile file, PartitionExtent extent)
    {
        var culture = CultureInfo.InvariantCulture;
        var series = PartitionExporter.MetricPredicate(file.Metric);
        var where = string.Create(culture, $"{series} AND ts >= {file.HourStartMicros} AND ts < {file.HourEndMicros}");
        using var command = connection.CreateCommand();
        command.Transaction = transaction;

        // Late points, or a retention run, may have changed the partition since the export: then
        // this file is not the partition, nothing is committed, and the next run exports again.
        command.CommandText = $"SELECT count(*), coalesce(min(ts), 0), coalesce(max(ts), 0), coalesce(min(series_id), 0), coalesce(max(series_id), 0) FROM all_points WHERE {where}";
        int minSeries, maxSeries;
        using (var reader = command.ExecuteReader())
        {
            reader.Read();
            if (new PartitionExtent(reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2)) != extent)
            {
                return (false, null);
            }

            minSeries = reader.GetInt32(3);
            maxSeries = reader.GetInt32(4);
        }

        var recorded = file with { MinSeriesId = minSeries, MaxSeriesId = maxSeries };
        command.CommandText = string.Create(culture, $"""
            INSERT INTO archive_series SELECT {file.FileId}, series_id, count(*), min(ts), max(ts) FROM all_points WHERE {where} GROUP BY series_id;
            INSERT INTO archive_files VALUES ({file.FileId}, {SqlText.Literal(file.Metric)}, {file.HourStartMicros}, {file.Sequence}, {SqlText.Literal(file.Path)}, {file.Rows}, {file.Bytes},
                {file.MinTimestampMicros}, {file.MaxTimestampMicros}, {minSeries}, {maxSeries}, {file.ArchivedAtMicros}, false);
            DELETE FROM points WHERE {where};
            DELETE FROM points_1m WHERE {series} AND minute >= {file.HourStartMicros / 60_000_000} AND minute < {file.HourEndMicros / 60_000_000};
            """);
        command.ExecuteNonQuery();
        return (true, recorded);
    }
}
