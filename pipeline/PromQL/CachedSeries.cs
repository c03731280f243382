namespace FunctionsObservability.Pipeline.PromQL;

/// <summary>What <see cref="CachedSeries.Append"/> did with a committed point.</summary>
internal enum AppendOutcome
{
    /// <summary>The point lies outside the range kept.</summary>
    Ignored,
    Appended,

    /// <summary>The point contradicts what is kept: inside a closed range, or not after the newest sample.</summary>
    Dropped,
}

/// <summary>
/// One series in the <see cref="SeriesSampleCache"/>: its samples over [From, To), To being
/// <see cref="long.MaxValue"/> when the read reached the series' newest point. Only the cache's
/// lock holder touches it; queries get <see cref="Snapshot"/>s, whose entries appends never change.
/// </summary>
internal sealed class CachedSeries
{
    /// <summary>Dictionary slot, list node and this object, roughly.</summary>
    public const int OverheadBytes = 200;

    private long[] _timestampsMs;
    private double[] _values;
    private int _count;
    private CachedSamples? _snapshot;

    public CachedSeries(int seriesId, long allMetricsVersion, long fromMicros, long toMicros, CachedSamples samples)
    {
        SeriesId = seriesId;
        AllMetricsVersion = allMetricsVersion;
        FromMicros = fromMicros;
        ToMicros = toMicros;
        _timestampsMs = samples.TimestampsMs;
        _values = samples.Values;
        _count = samples.Count;
        _snapshot = samples;
    }

    public int SeriesId { get; }

    /// <summary><see cref="Storage.DataVersions.AllMetrics"/> when the read began.</summary>
    public long AllMetricsVersion { get; }

    public long FromMicros { get; }

    public long ToMicros { get; }

    public bool IsOpen => ToMicros == long.MaxValue;

    public long Bytes => (((long)_timestampsMs.Length + _values.Length) * sizeof(long)) + ((long)_count * sizeof(int)) + OverheadBytes;

    public bool Covers(long fromMicros, long toMicros) => FromMicros <= fromMicros && ToMicros >= toMicros;

    public CachedSamples Snapshot() => _snapshot ??= new CachedSamples(_timestampsMs, _values, _count);

    /// <param name="grownBy">How many bytes the series grew by.</param>
    public AppendOutcome Append(long micros, double value, out long grownBy)
    {
        grownBy = 0;
        if (micros < FromMicros)
        {
            return AppendOutcome.Ignored;
        }

        if (!IsOpen)
        {
            return micros >= ToMicros ? AppendOutcome.Ignored : AppendOutcome.Dropped;
        }

        // Two points in one millisecond keep the later one; which is later is only known to a read
        // of the store, so such a point drops the series, as one arriving out of order does.
        var ms = Math.DivRem(micros, 1000, out var rest) - (rest < 0 ? 1 : 0);
        if (_count > 0 && ms <= _timestampsMs[_count - 1])
        {
            return AppendOutcome.Dropped;
        }

        var before = Bytes;
        if (_count == _timestampsMs.Length || _count == _values.Length)
        {
            // New arrays: snapshots handed out keep the old ones, whose entries stay as they were.
            var length = Math.Max(16, _count * 2);
            var timestamps = GC.AllocateUninitializedArray<long>(length);
            var values = GC.AllocateUninitializedArray<double>(length);
            Array.Copy(_timestampsMs, timestamps, _count);
            Array.Copy(_values, values, _count);
            (_timestampsMs, _values) = (timestamps, values);
        }

        _timestampsMs[_count] = ms;
        _values[_count] = value;
        _count++;
        _snapshot = null;
        grownBy = Bytes - before;
        return AppendOutcome.Appended;
    }
}
