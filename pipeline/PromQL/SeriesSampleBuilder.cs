using System.Buffers;

namespace FunctionsObservability.Pipeline.PromQL;

/// <summary>
/// One series' rows as the store returns them, then put in time order and cut to milliseconds.
/// The store returns a series as a few ascending runs (one per stretch of the table a scan thread
/// read), so the runs are noted as they arrive and merged, which costs far less than sorting.
/// </summary>
internal sealed class SeriesSampleBuilder(int capacity)
{
    // Every slot is written before it is read, so the arrays skip zeroing (measured: zeroing large
    // fresh arrays was a tenth of a 1,000-series rate query).
    private long[] _micros = GC.AllocateUninitializedArray<long>(Math.Max(capacity, 1));
    private double[] _values = GC.AllocateUninitializedArray<double>(Math.Max(capacity, 1));
    private List<int>? _runStarts;
    private int _count;

    public void Add(long micros, double value)
    {
        if (_count == _micros.Length)
        {
            _micros = Grow(_micros, _count);
            _values = Grow(_values, _count);
        }

        if (_count > 0 && micros < _micros[_count - 1])
        {
            (_runStarts ??= []).Add(_count);
        }

        _micros[_count] = micros;
        _values[_count++] = value;
    }

    private static T[] Grow<T>(T[] array, int count)
    {
        var grown = GC.AllocateUninitializedArray<T>(count * 2);
        Array.Copy(array, grown, count);
        return grown;
    }

    /// <summary>The samples in time order, one per millisecond; null when none arrived.</summary>
    public CachedSamples? Build()
    {
        if (_count == 0)
        {
            return null;
        }

        if (_runStarts is not null)
        {
            MergeRuns();
        }

        // Milliseconds in place; of several points in one millisecond the latest stays, and of
        // points at the very same instant the largest, so the answer does not depend on the
        // order the tiers returned them in.
        var kept = 0;
        var keptMicros = long.MinValue;
        for (var i = 0; i < _count; i++)
        {
            var micros = _micros[i];
            var ms = Math.DivRem(micros, 1000, out var rest) - (rest < 0 ? 1 : 0);
            if (kept > 0 && _micros[kept - 1] == ms)
            {
                _values[kept - 1] = micros == keptMicros ? Math.Max(_values[kept - 1], _values[i]) : _values[i];
                keptMicros = micros;
                continue;
            }

            _micros[kept] = ms;
            _values[kept++] = _values[i];
            keptMicros = micros;
        }

        // A cached series keeps its arrays, so a much too large estimate is cut back first.
        if (_micros.Length > kept + (kept / 4) + 64)
        {
            return new CachedSamples(_micros[..kept], _values[..kept], kept);
        }

        return new CachedSamples(_micros, _values, kept);
    }

    /// <summary>Bottom-up merge of the ascending runs, pairwise, through pooled scratch arrays.</summary>
    private void MergeRuns()
    {
        var bounds = new List<int>(_runStarts!.Count + 2) { 0 };
        bounds.AddRange(_runStarts);
        bounds.Add(_count);
        if (bounds.Count > 64)
        {
            // Many short runs: the data is not made of a few sorted stretches, so sort it.
            Array.Sort(_micros, _values, 0, _count);
            return;
        }

        var micros = ArrayPool<long>.Shared.Rent(_count);
        var values = ArrayPool<double>.Shared.Rent(_count);
        try
        {
            while (bounds.Count > 2)
            {
                var merged = new List<int>(bounds.Count / 2 + 2) { 0 };
                for (var r = 0; r + 1 < bounds.Count; r += 2)
                {
                    var start = bounds[r];
                    var middle = bounds[r + 1];
                    var end = r + 2 < bounds.Count ? bounds[r + 2] : middle;
                    Merge(start, middle, end, micros, values);
                    merged.Add(end);
                }

                if (merged[^1] != _count)
                {
                    merged.Add(_count);
                }

                bounds = merged;
            }
        }
        finally
        {
            ArrayPool<long>.Shared.Return(micros);
            ArrayPool<double>.Shared.Return(values);
        }
    }

    /// <summary>Merges [start, middle) and [middle, end) in place, stable, through the scratch arrays.</summary>
    private void Merge(int start, int middle, int end, long[] micros, double[] values)
    {
        if (middle >= end || _micros[middle - 1] <= _micros[middle])
        {
            return;
        }

        int a = start, b = middle, o = start;
        while (a < middle && b < end)
        {
            if (_micros[b] < _micros[a])
            {
                micros[o] = _micros[b];
                values[o++] = _values[b++];
            }
            else
            {
                micros[o] = _micros[a];
                values[o++] = _values[a++];
            }
        }

        while (a < middle)
        {
            micros[o] = _micros[a];
            values[o++] = _values[a++];
        }

        while (b < end)
        {
            micros[o] = _micros[b];
            values[o++] = _values[b++];
        }

        Array.Copy(micros, start, _micros, start, end - start);
        Array.Copy(values, start, _values, start, end - start);
    }
}
