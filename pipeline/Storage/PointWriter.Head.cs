namespace FunctionsObservability.Pipeline.Storage;

/// <summary>A group commit's rows into the in-memory head, where queries read them until they are applied.</summary>
public sealed partial class PointWriter
{
    private void AppendToHead(long sequence, IReadOnlyList<PointChunk> chunks)
    {
        using var transaction = _connection.BeginTransaction();
        using (var appender = _connection.CreateAppender(HeadTables.Catalog, "main", HeadTables.RowsTable))
        {
            foreach (var chunk in chunks)
            {
                var indexes = chunk.Batch.SeriesIndexes;
                var timestamps = chunk.Batch.Timestamps;
                var values = chunk.Batch.Values;
                for (var i = 0; i < indexes.Length; i++)
                {
                    appender.CreateRow()
                        .AppendValue(sequence)
                        .AppendValue(chunk.Series[indexes[i]]!.Id)
                        .AppendValue(timestamps[i])
                        .AppendValue(values[i])
                        .EndRow();
                }
            }
        }

        transaction.Commit();
    }
}
