namespace FunctionsObservability.Pipeline.PromQL;

/// <summary>
/// One stored series as the engine reads it: its labels and its samples in time order, the
/// entries [<see cref="Start"/>, <see cref="End"/>) of its arrays. The arrays may be shared with
/// the sample cache and with other queries, so nobody writes to them.
/// </summary>
public sealed class PromSeries
{
    public PromSeries(PromLabels labels, long[] timestampsMs, double[] values, int count)
        : this(labels, timestampsMs, values, 0, count)
    {
    }

    public PromSeries(PromLabels labels, long[] timestampsMs, double[] values, int start, int end)
        : this(labels, timestampsMs, values, start, end, null)
    {
    }

    /// <summary>A slice of cached samples, which keep what is derived from them (counter resets) for every query.</summary>
    public PromSeries(PromLabels labels, CachedSamples samples, int start, int end)
        : this(labels, Checked(samples).TimestampsMs, samples.Values, start, end, samples)
    {
    }

    private PromSeries(PromLabels labels, long[] timestampsMs, double[] values, int start, int end, CachedSamples? origin)
    {
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentNullException.ThrowIfNull(timestampsMs);
        ArgumentNullException.ThrowIfNull(values);
        if (start < 0 || end < start || end > timestampsMs.Length || end > values.Length)
        {
            throw new ArgumentOutOfRangeException(nameof(end));
        }

        Labels = labels;
        TimestampsMs = timestampsMs;
        Values = values;
        Start = start;
        End = end;
        Origin = origin;
    }

    public PromLabels Labels { get; }

    /// <summary>Unix milliseconds, ascending from <see cref="Start"/> to <see cref="End"/>.</summary>
    public long[] TimestampsMs { get; }

    public double[] Values { get; }

    /// <summary>Index of the first sample.</summary>
    public int Start { get; }

    /// <summary>Index past the last sample.</summary>
    public int End { get; }

    public int Count => End - Start;

    private static CachedSamples Checked(CachedSamples samples)
    {
        ArgumentNullException.ThrowIfNull(samples);
        return samples;
    }

    /// <summary>The cached samples these are a slice of, if any.</summary>
    public CachedSamples? Origin { get; }
}
