using FunctionsObservability.Pipeline.Model;

namespace FunctionsObservability.Pipeline.Storage;

/// <summary>One known series: its id in the points tables, its name and tags, and its point count.</summary>
public sealed class SeriesEntry
{
    private long _pointCount;
    private volatile bool _persisted;

    internal SeriesEntry(int id, SeriesDescriptor descriptor, bool persisted)
    {
        Id = id;
        Descriptor = descriptor;
        _persisted = persisted;
    }

    public int Id { get; }

    public SeriesDescriptor Descriptor { get; }

    /// <summary>Committed points of this series.</summary>
    public long PointCount => Interlocked.Read(ref _pointCount);

    /// <summary>Whether the series row is committed. Only the writer reads and sets it.</summary>
    internal bool Persisted
    {
        get => _persisted;
        set => _persisted = value;
    }

    internal void AddPoints(long count) => Interlocked.Add(ref _pointCount, count);
}
