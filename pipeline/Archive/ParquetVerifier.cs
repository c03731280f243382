using Parquet;

namespace FunctionsObservability.Pipeline.Archive;

/// <summary>A written partition file that does not hold what was selected for it.</summary>
public sealed class ArchiveVerificationException : Exception
{
    public ArchiveVerificationException()
    {
    }

    public ArchiveVerificationException(string message)
        : base(message)
    {
    }

    public ArchiveVerificationException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>
/// Checks a partition file with an independent reader (Parquet.Net, not the DuckDB that wrote it):
/// the schema, the row count from the footer, and the minimum and maximum timestamp from the
/// row-group statistics, against the figures of the rows selected.
/// </summary>
public static class ParquetVerifier
{
    private static readonly string[] ExpectedColumns = ["series_id", "tags", "ts", "value"];

    public static async Task VerifyAsync(string localFile, PartitionExtent expected, CancellationToken cancellationToken)
    {
        ParquetReader reader;
        var stream = File.OpenRead(localFile);
        try
        {
            reader = await ParquetReader.CreateAsync(stream, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            await stream.DisposeAsync().ConfigureAwait(false);
            throw new ArchiveVerificationException($"{Path.GetFileName(localFile)} is not a readable Parquet file: {exception.Message}", exception);
        }

        await using (stream.ConfigureAwait(false))
        await using (reader.ConfigureAwait(false))
        {
            var fields = reader.Schema.GetDataFields();
            var names = fields.Select(f => f.Name).ToArray();
            if (!names.SequenceEqual(ExpectedColumns))
            {
                throw new ArchiveVerificationException($"schema is ({string.Join(", ", names)}), expected ({string.Join(", ", ExpectedColumns)})");
            }

            var timestamp = fields[2];
            long rows = 0, min = long.MaxValue, max = long.MinValue;
            for (var i = 0; i < reader.RowGroupCount; i++)
            {
                using var group = reader.OpenRowGroupReader(i);
                rows += group.RowCount;
                var statistics = group.GetStatistics(timestamp);
                if (group.RowCount > 0 && statistics is { MinValue: long low, MaxValue: long high })
                {
                    min = Math.Min(min, low);
                    max = Math.Max(max, high);
                }
                else if (group.RowCount > 0)
                {
                    throw new ArchiveVerificationException($"row group {i} has no timestamp statistics");
                }
            }

            if (rows != expected.Rows)
            {
                throw new ArchiveVerificationException($"the file holds {rows} rows, but {expected.Rows} were selected");
            }

            if (rows > 0 && (min != expected.MinTimestampMicros || max != expected.MaxTimestampMicros))
            {
                throw new ArchiveVerificationException(
                    $"the file's timestamps span {min}..{max} µs, but the rows selected span {expected.MinTimestampMicros}..{expected.MaxTimestampMicros} µs");
            }
        }
    }
}
