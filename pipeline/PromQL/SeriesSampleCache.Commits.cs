using FunctionsObservability.Pipeline.Storage;

namespace FunctionsObservability.Pipeline.PromQL;

/// <summary>Following the writer's commits: appends to open series, drops what a point contradicts, marks reads in flight.</summary>
public sealed partial class SeriesSampleCache
{
    /// <summary>Appends committed points to the series kept with an open range, and drops what they contradict.</summary>
    public void Committed(IReadOnlyList<PointChunk> chunks)
    {
        ArgumentNullException.ThrowIfNull(chunks);
        if (!Enabled)
        {
            return;
        }

        var evicted = 0;
        lock (_lock)
        {
            if (_entries.Count == 0 && _fills.Count == 0)
            {
                return;
            }

            try
            {
                foreach (var chunk in chunks)
                {
                    foreach (var fill in _fills)
                    {
                        fill.Touch(chunk.Series);
                    }

                    if (_entries.Count > 0)
                    {
                        evicted += Apply(chunk);
                    }
                }
            }
            catch (Exception exception) when (exception is OutOfMemoryException or InsufficientExecutionStackException)
            {
                // The points are committed whatever happens here; what the cache holds may now miss
                // some of them, so it lets go of everything rather than fail the write.
                evicted += _entries.Count;
                _entries.Clear();
                _recency.Clear();
                Interlocked.Exchange(ref _size, 0);
                foreach (var fill in _fills)
                {
                    fill.TouchAll();
                }
            }
        }

        if (evicted > 0)
        {
            _metrics.SampleCacheEvictions.Add(evicted);
        }
    }

    private int Apply(PointChunk chunk)
    {
        var evicted = 0;
        var indexes = chunk.Batch.SeriesIndexes;
        var timestamps = chunk.Batch.Timestamps;
        var values = chunk.Batch.Values;
        for (var i = 0; i < indexes.Length; i++)
        {
            if (chunk.Series[indexes[i]] is not { } series || !_entries.TryGetValue(series.Id, out var node))
            {
                continue;
            }

            var entry = node.Value;
            switch (entry.Append(timestamps[i], values[i], out var grownBy))
            {
                case AppendOutcome.Dropped:
                    Remove(node);
                    break;
                case AppendOutcome.Appended when grownBy != 0:
                    // It shrinks when new arrays leave its oldest samples behind.
                    Interlocked.Add(ref _size, grownBy);
                    if (grownBy < 0)
                    {
                        break;
                    }

                    if (entry.Bytes > _budget / MaxShareOfBudget)
                    {
                        Remove(node);
                        evicted++;
                        break;
                    }

                    _recency.Remove(node);
                    evicted += MakeRoom(0);
                    _recency.AddFirst(node);
                    break;
            }
        }

        return evicted;
    }
}
