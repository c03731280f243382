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
/// An open series keeps about the span its read covered: when appends fill its arrays and more
/// than half of them lie further back than that span, the new arrays start where it begins, so a
/// dashboard's moving window does not keep its whole history.
/// </summary>
internal sealed class CachedSeries
{
    /// <summary>Dictionary slot, list node and this object, roughly.</summary>
    public const int OverheadBytes = 200;

    private long[] _timestampsMs;
    private double[] _values;
    private int _count;
    private CachedSamples? _snapshot;

    /// <summary>How far back from its newest sample an open series keeps its samples, in milliseconds.</summary>
    private readonly long _keepMs;

    public CachedSeries(int seriesId, long allMetricsVersion, long fromMicros, long toMicros, CachedSamples samples)
    {
        SeriesId = seriesId;
        AllMetricsVersion = allMetricsVersion;
        FromMicros = fromMicros;
        ToMicros = toMicros;
        _keepMs = toMicros == long.MaxValue && fromMicros != long.MinValue && samples.Count > 0
            ? Math.Max(1, samples.TimestampsMs[samples.Count - 1] - (fromMicros / 1000))
            : long.MaxValue;
        _timestampsMs = samples.TimestampsMs;
        _values = samples.Values;
        _count = samples.Count;
        _snapshot = samples;
    }

    public int SeriesId { get; }

    /// <summary><see cref="Storage.DataVersions.AllMetrics"/> when the read began.</summary>
    public long AllMetricsVersion { get; }

    /// <summary>Every committed point of the series at or after this instant is here (up to <see cref="ToMicros"/>).</summary>
    public long FromMicros { get; private set; }

    public long ToMicros { get; }

    public bool IsOpen => ToMicros == long.MaxValue;

    public long Bytes => (((long)_timestampsMs.Length + _values.Length) * sizeof(long)) + ((long)_count * sizeof(int)) + OverheadBytes;

    public bool Covers(long fromMicros, long toMicros) => FromMicros <= fromMicros && ToMicros >= toMicros;

    public CachedSamples Snapshot() => _snapshot ??= new CachedSamples(_timestampsMs, _values, _count);

    /// <param name="grownBy">How many bytes the series grew by (less than 0 when it left old samples behind).</param>
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
            var first = FirstToKeep(ms);
            var kept = _count - first;
            var length = Math.Max(16, kept * 2);
            var timestamps = GC.AllocateUninitializedArray<long>(length);
            var values = GC.AllocateUninitializedArray<double>(length);
            Array.Copy(_timestampsMs, first, timestamps, 0, kept);
            Array.Copy(_values, first, values, 0, kept);
            if (first > 0)
            {
                // Whatever lies before the first sample kept is gone, so the range starts there.
                FromMicros = _timestampsMs[first] * 1000;
            }

            (_timestampsMs, _values, _count) = (timestamps, values, kept);
        }

        _timestampsMs[_count] = ms;
        _values[_count] = value;
        _count++;
        _snapshot = null;
        grownBy = Bytes - before;
        return AppendOutcome.Appended;
    }

    /// <summary>Where the arrays about to be replaced should start: past the samples older than the span kept, when they are most of them.</summary>
    private int FirstToKeep(long newestMs)
    {
        if (_keepMs == long.MaxValue || _count == 0)
        {
            return 0;
        }

        var cutoff = newestMs - _keepMs;
        var first = Array.BinarySearch(_timestampsMs, 0, _count, cutoff);
        first = first < 0 ? ~first : first;
        return first > _count / 2 ? Math.Min(first, _count - 1) : 0;
    }
}
