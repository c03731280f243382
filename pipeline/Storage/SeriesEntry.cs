using FunctionsObservability.Pipeline.Model;

namespace FunctionsObservability.Pipeline.Storage;

/// <summary>One known series: its id in the points tables, its name and tags, and its point count.</summary>
public sealed class SeriesEntry
{
    private long _pointCount;
    private long _minTimestamp = long.MaxValue;
    private long _maxTimestamp = long.MinValue;
    private volatile bool _persisted;

    internal SeriesEntry(int id, int metricId, SeriesDescriptor descriptor, bool persisted)
    {
        Id = id;
        MetricId = metricId;
        Descriptor = descriptor;
        _persisted = persisted;
    }

    public int Id { get; }

    /// <summary>The metric's ordinal; the clustered table is sorted by it, so a metric's rows lie together.</summary>
    public int MetricId { get; }

    public SeriesDescriptor Descriptor { get; }

    /// <summary>Committed points of this series.</summary>
    public long PointCount => Interlocked.Read(ref _pointCount);

    /// <summary>Earliest committed timestamp (Unix microseconds); <see cref="long.MaxValue"/> when empty.</summary>
    public long MinTimestamp => Volatile.Read(ref _minTimestamp);

    /// <summary>Latest committed timestamp (Unix microseconds); <see cref="long.MinValue"/> when empty.</summary>
    public long MaxTimestamp => Volatile.Read(ref _maxTimestamp);

    /// <summary>Whether the series row is committed. Only the writer reads and sets it.</summary>
    internal bool Persisted
    {
        get => _persisted;
        set => _persisted = value;
    }

    /// <summary>Records committed points. Only the writer calls this, so the bounds need no compare-exchange.</summary>
    internal void AddPoints(long count, long minTimestamp, long maxTimestamp)
    {
        if (minTimestamp < _minTimestamp)
        {
            Volatile.Write(ref _minTimestamp, minTimestamp);
        }

        if (maxTimestamp > _maxTimestamp)
        {
            Volatile.Write(ref _maxTimestamp, maxTimestamp);
        }

        Interlocked.Add(ref _pointCount, count);
    }

    /// <summary>Replaces the figures after archived files or hot rows were deleted; only the writer's gate holder calls this.</summary>
    internal void ResetPoints(long count, long minTimestamp, long maxTimestamp)
    {
        Volatile.Write(ref _minTimestamp, count == 0 ? long.MaxValue : minTimestamp);
        Volatile.Write(ref _maxTimestamp, count == 0 ? long.MinValue : maxTimestamp);
        Interlocked.Exchange(ref _pointCount, count);
    }
}
