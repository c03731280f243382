namespace FunctionsObservability.Pipeline.Storage;

/// <summary>
/// A counter per metric that moves whenever that metric's stored points change, and one that moves
/// for all metrics at once (archive, retention). Anything derived from stored points, such as a
/// cached query answer, stays valid while the versions it was computed at are unchanged. The
/// writer bumps a metric before it acknowledges the points, so an answer cached earlier can never
/// hide points a client was told are written.
/// </summary>
public sealed class DataVersions
{
    private readonly Lock _growLock = new();
    private long[] _byMetric = new long[64];
    private long _all;

    /// <summary>The version of one metric's data; it only ever increases.</summary>
    public long Current(int metricId)
    {
        var all = Volatile.Read(ref _all);
        var byMetric = Volatile.Read(ref _byMetric);
        var own = (uint)metricId < (uint)byMetric.Length ? Volatile.Read(ref byMetric[metricId]) : 0;
        return all + own;
    }

    /// <summary>Marks one metric's points as changed.</summary>
    public void Bump(int metricId)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(metricId);
        var byMetric = Volatile.Read(ref _byMetric);
        if (metricId >= byMetric.Length)
        {
            lock (_growLock)
            {
                byMetric = _byMetric;
                if (metricId >= byMetric.Length)
                {
                    var grown = new long[Math.Max(byMetric.Length * 2, metricId + 1)];
                    Array.Copy(byMetric, grown, byMetric.Length);
                    Volatile.Write(ref _byMetric, grown);
                    byMetric = grown;
                }
            }
        }

        Interlocked.Increment(ref byMetric[metricId]);

        // A bump racing a grow may have landed in the old array; moving the global counter too
        // keeps "the version increases" true for every metric at the cost of one extra miss.
        if (!ReferenceEquals(byMetric, Volatile.Read(ref _byMetric)))
        {
            BumpAll();
        }
    }

    /// <summary>The part of every version that moves for all metrics at once (archive, retention).</summary>
    public long AllMetrics => Volatile.Read(ref _all);

    /// <summary>Marks every metric's points as changed.</summary>
    public void BumpAll() => Interlocked.Increment(ref _all);
}
