using System.Buffers;

namespace FunctionsObservability.Pipeline.Model;

/// <summary>
/// The points of one ingest request in columnar form, plus the errors found so far.
/// Columns are rented from <see cref="ArrayPool{T}"/> and returned by <see cref="Dispose"/>.
/// </summary>
public sealed class ParsedBatch : IDisposable
{
    /// <summary>Only the first errors are described in full; the rest are only counted.</summary>
    public const int MaxDescribedErrors = 100;

    private readonly List<SeriesDescriptor> _series = [];
    private readonly List<LineError> _errors = [];
    private int[] _seriesIndex;
    private long[] _timestamps;
    private double[] _values;
    private int[] _lines;

    public ParsedBatch(int initialCapacity = 256)
    {
        initialCapacity = Math.Max(initialCapacity, 16);
        _seriesIndex = ArrayPool<int>.Shared.Rent(initialCapacity);
        _timestamps = ArrayPool<long>.Shared.Rent(initialCapacity);
        _values = ArrayPool<double>.Shared.Rent(initialCapacity);
        _lines = ArrayPool<int>.Shared.Rent(initialCapacity);
    }

    /// <summary>Distinct series referenced by this batch; points refer to them by index.</summary>
    public IReadOnlyList<SeriesDescriptor> Series => _series;

    public int Count { get; private set; }

    /// <summary>Number of input units (lines, or points of a JSON array) seen, good or bad.</summary>
    public int LineCount { get; set; }

    /// <summary>Total number of rejected units, which may exceed the described <see cref="Errors"/>.</summary>
    public int ErrorCount { get; private set; }

    public IReadOnlyList<LineError> Errors => _errors;

    public ReadOnlySpan<int> SeriesIndexes => _seriesIndex.AsSpan(0, Count);

    /// <summary>Unix epoch microseconds.</summary>
    public ReadOnlySpan<long> Timestamps => _timestamps.AsSpan(0, Count);

    public ReadOnlySpan<double> Values => _values.AsSpan(0, Count);

    public ReadOnlySpan<int> Lines => _lines.AsSpan(0, Count);

    public int AddSeries(SeriesDescriptor series)
    {
        _series.Add(series);
        return _series.Count - 1;
    }

    public void Add(int seriesIndex, long timestampMicros, double value, int line)
    {
        if (Count == _seriesIndex.Length)
        {
            Grow();
        }

        _seriesIndex[Count] = seriesIndex;
        _timestamps[Count] = timestampMicros;
        _values[Count] = value;
        _lines[Count] = line;
        Count++;
    }

    public void AddError(int line, string message)
    {
        ErrorCount++;
        if (_errors.Count < MaxDescribedErrors)
        {
            _errors.Add(new LineError(line, message));
        }
    }

    /// <summary>Drops every point that came from <paramref name="line"/> and later points, keeping order.</summary>
    public void TruncateFromLine(int line)
    {
        while (Count > 0 && _lines[Count - 1] >= line)
        {
            Count--;
        }
    }

    /// <summary>Removes all points whose line is in <paramref name="badLines"/>, keeping order.</summary>
    public void RemoveLines(HashSet<int> badLines)
    {
        if (badLines.Count == 0)
        {
            return;
        }

        var kept = 0;
        for (var i = 0; i < Count; i++)
        {
            if (badLines.Contains(_lines[i]))
            {
                continue;
            }

            _seriesIndex[kept] = _seriesIndex[i];
            _timestamps[kept] = _timestamps[i];
            _values[kept] = _values[i];
            _lines[kept] = _lines[i];
            kept++;
        }

        Count = kept;
    }

    public void Dispose()
    {
        ArrayPool<int>.Shared.Return(_seriesIndex);
        ArrayPool<long>.Shared.Return(_timestamps);
        ArrayPool<double>.Shared.Return(_values);
        ArrayPool<int>.Shared.Return(_lines);
        _seriesIndex = [];
        _timestamps = [];
        _values = [];
        _lines = [];
        Count = 0;
    }

    private void Grow()
    {
        var size = _seriesIndex.Length * 2;
        _seriesIndex = GrowArray(_seriesIndex, size);
        _timestamps = GrowArray(_timestamps, size);
        _values = GrowArray(_values, size);
        _lines = GrowArray(_lines, size);
    }

    private T[] GrowArray<T>(T[] old, int size)
    {
        var grown = ArrayPool<T>.Shared.Rent(size);
        old.AsSpan(0, Count).CopyTo(grown);
        ArrayPool<T>.Shared.Return(old);
        return grown;
    }
}
