using Microsoft.Extensions.Logging;

namespace FunctionsObservability.Pipeline.Storage.Log;

/// <summary>
/// Reads the point log back at start: the records after the file's applied sequence, in order,
/// up to the first that is torn or fails its checksum (a crash during an append that was never
/// acknowledged), which ends the log.
/// </summary>
internal sealed partial class PointLogReplay(SeriesCatalog catalog, ILogger logger)
{
    public IEnumerable<DecodedRecord> Read(string directory, long appliedSequence)
    {
        var expected = appliedSequence + 1;
        foreach (var path in PointLog.Files(directory))
        {
            var bytes = File.ReadAllBytes(path);
            var offset = 0;
            while (offset + PointLogRecord.HeaderSize <= bytes.Length)
            {
                var header = bytes.AsSpan(offset, PointLogRecord.HeaderSize);
                if (!PointLogRecord.TryReadHeader(header, out var length, out var crc, out var sequence)
                    || length > bytes.Length - offset - PointLogRecord.HeaderSize
                    || !PointLogRecord.Verify(bytes.AsSpan(offset + PointLogRecord.HeaderSize, length), crc))
                {
                    LogTornTail(logger, path, offset, bytes.Length - offset);
                    yield break;
                }

                var payload = bytes.AsMemory(offset + PointLogRecord.HeaderSize, length);
                offset += PointLogRecord.HeaderSize + length;
                if (sequence <= appliedSequence)
                {
                    continue;
                }

                if (sequence != expected)
                {
                    // A gap means a record is missing: what follows cannot be trusted to be complete.
                    LogSequenceGap(logger, path, expected, sequence);
                    yield break;
                }

                expected++;
                yield return PointLogRecord.Decode(sequence, payload.Span);
            }

            if (offset < bytes.Length)
            {
                LogTornTail(logger, path, offset, bytes.Length - offset);
                yield break;
            }
        }
    }

    /// <summary>Registers the record's series the catalog does not know yet; returns them, for the file's series tables.</summary>
    public List<SeriesEntry> Register(DecodedRecord record)
    {
        var created = new List<SeriesEntry>();
        foreach (var series in record.Series)
        {
            if (catalog.Get(series.Id) is null)
            {
                created.Add(catalog.Restore(series.Id, series.MetricId, series.Descriptor));
            }
        }

        // Figures per series, as a commit records them.
        var figures = new Dictionary<int, (long Count, long Min, long Max)>();
        for (var i = 0; i < record.SeriesIds.Length; i++)
        {
            var ts = record.Timestamps[i];
            figures[record.SeriesIds[i]] = figures.TryGetValue(record.SeriesIds[i], out var f)
                ? (f.Count + 1, Math.Min(f.Min, ts), Math.Max(f.Max, ts))
                : (1, ts, ts);
        }

        foreach (var (id, (count, min, max)) in figures)
        {
            catalog.Get(id)?.AddPoints(count, min, max);
        }

        return created;
    }

    [LoggerMessage(EventId = LogEvents.PointLogTornTail, Level = LogLevel.Warning,
        Message = "The point log {Path} ends in {Bytes} bytes at offset {Offset} that are not a whole record: a write cut short by a crash, never acknowledged; replay stops there")]
    private static partial void LogTornTail(ILogger logger, string path, long offset, long bytes);

    [LoggerMessage(EventId = LogEvents.PointLogSequenceGap, Level = LogLevel.Error,
        Message = "The point log {Path} skips from sequence {Expected} to {Found}; replay stops at the gap")]
    private static partial void LogSequenceGap(ILogger logger, string path, long expected, long found);
}
