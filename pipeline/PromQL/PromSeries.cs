namespace FunctionsObservability.Pipeline.PromQL;

/// <summary>One stored series as the engine reads it: its labels and its samples in time order.</summary>
public sealed class PromSeries
{
    public PromSeries(PromLabels labels, long[] timestampsMs, double[] values, int count)
    {
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentNullException.ThrowIfNull(timestampsMs);
        ArgumentNullException.ThrowIfNull(values);
        if (count < 0 || count > timestampsMs.Length || count > values.Length)
        {
            throw new ArgumentOutOfRangeException(nameof(count));
        }

        Labels = labels;
        TimestampsMs = timestampsMs;
        Values = values;
        Count = count;
    }

    public PromLabels Labels { get; }

    /// <summary>Unix milliseconds, ascending; only the first <see cref="Count"/> entries are samples.</summary>
    public long[] TimestampsMs { get; }

    public double[] Values { get; }

    public int Count { get; }
}
