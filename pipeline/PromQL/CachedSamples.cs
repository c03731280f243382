namespace FunctionsObservability.Pipeline.PromQL;

/// <summary>
/// One series' samples in time order (Unix milliseconds): the first <see cref="Count"/> entries of
/// the arrays, which nobody changes. The arrays may hold more entries past those, appended later.
/// </summary>
public sealed class CachedSamples
{
    private int[]? _counterResets;

    public CachedSamples(long[] timestampsMs, double[] values, int count)
    {
        ArgumentNullException.ThrowIfNull(timestampsMs);
        ArgumentNullException.ThrowIfNull(values);
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, Math.Min(timestampsMs.Length, values.Length));
        TimestampsMs = timestampsMs;
        Values = values;
        Count = count;
    }

    /// <summary>No sample in the range read.</summary>
    public static CachedSamples Empty { get; } = new([], [], 0);

    public long[] TimestampsMs { get; }

    public double[] Values { get; }

    public int Count { get; }

    /// <summary>The arrays, and room for <see cref="CounterResets"/> at its largest.</summary>
    public long SizeBytes => (((long)TimestampsMs.Length + Values.Length) * sizeof(long)) + ((long)Count * sizeof(int));

    /// <summary>
    /// Indexes of the samples lower than the one before them, found on first use and then kept:
    /// every rate, increase and delta over these samples needs them.
    /// </summary>
    public int[] CounterResets => Volatile.Read(ref _counterResets) ?? SetResets(CounterResetIndex.Find(Values, 0, Count));

    /// <summary>The samples at [<paramref name="minMs"/>, <paramref name="maxMs"/>], as a series with <paramref name="labels"/>.</summary>
    public PromSeries? Slice(PromLabels labels, long minMs, long maxMs)
    {
        var start = LowerBound(minMs);
        var end = maxMs == long.MaxValue ? Count : LowerBound(maxMs + 1);
        return end > start ? new PromSeries(labels, this, start, end) : null;
    }

    private int[] SetResets(int[] resets)
    {
        // Two queries finding them at once find the same indexes; either array will do.
        Interlocked.CompareExchange(ref _counterResets, resets, null);
        return _counterResets;
    }

    private int LowerBound(long ms)
    {
        int lo = 0, hi = Count;
        while (lo < hi)
        {
            var middle = (int)((uint)(lo + hi) >> 1);
            if (TimestampsMs[middle] < ms)
            {
                lo = middle + 1;
            }
            else
            {
                hi = middle;
            }
        }

        return lo;
    }
}
