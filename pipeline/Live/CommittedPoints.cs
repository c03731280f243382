using FunctionsObservability.Pipeline.Storage;

namespace FunctionsObservability.Pipeline.Live;

/// <summary>
/// A copy of one group commit's points, taken by the writer before it returns the batches' pooled
/// columns: the series of each chunk side by side, and per point an index into them.
/// </summary>
internal sealed class CommittedPoints
{
    private CommittedPoints(long sequence, SeriesEntry?[] series, int[] seriesOfPoint, long[] timestamps, double[] values)
    {
        Sequence = sequence;
        Series = series;
        SeriesOfPoint = seriesOfPoint;
        Timestamps = timestamps;
        Values = values;
    }

    /// <summary>The point log's sequence number of the commit: the events' id.</summary>
    public long Sequence { get; }

    public SeriesEntry?[] Series { get; }

    public int[] SeriesOfPoint { get; }

    /// <summary>Unix epoch microseconds.</summary>
    public long[] Timestamps { get; }

    public double[] Values { get; }

    public int Count => Values.Length;

    public static CommittedPoints Copy(long sequence, IReadOnlyList<PointChunk> chunks)
    {
        int points = 0, series = 0;
        foreach (var chunk in chunks)
        {
            points += chunk.Batch.Count;
            series += chunk.Series.Length;
        }

        var seriesCopy = new SeriesEntry?[series];
        var seriesOfPoint = new int[points];
        var timestamps = new long[points];
        var values = new double[points];
        int seriesAt = 0, pointAt = 0;
        foreach (var chunk in chunks)
        {
            chunk.Series.CopyTo(seriesCopy, seriesAt);
            var indexes = chunk.Batch.SeriesIndexes;
            for (var i = 0; i < indexes.Length; i++)
            {
                seriesOfPoint[pointAt + i] = seriesAt + indexes[i];
            }

            chunk.Batch.Timestamps.CopyTo(timestamps.AsSpan(pointAt));
            chunk.Batch.Values.CopyTo(values.AsSpan(pointAt));
            seriesAt += chunk.Series.Length;
            pointAt += indexes.Length;
        }

        return new CommittedPoints(sequence, seriesCopy, seriesOfPoint, timestamps, values);
    }
}
