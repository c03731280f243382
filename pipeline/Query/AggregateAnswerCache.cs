using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using FunctionsObservability.Pipeline.Storage;

namespace FunctionsObservability.Pipeline.Query;

/// <summary>
/// Recent aggregate answers, each valid while the data version of its metric
/// (<see cref="DataVersions"/>) stays what it was when its query started. The writer moves a
/// metric's version before it acknowledges points, and archive and retention move every version,
/// so an answer is never served after a change it does not contain. Memory is bounded by an
/// estimate of each answer's size against <see cref="QueryOptions.AnswerCacheBytes"/>; the least
/// recently used answers go first, and an answer above an eighth of the budget is not kept, so one
/// large answer cannot push out all the small ones. Answers are shared between requests: nobody
/// changes one after it is returned.
/// </summary>
[DebuggerDisplay("{Count} answers, {SizeBytes} of {_budget} bytes")]
public sealed class AggregateAnswerCache
{
    /// <summary>An answer may use at most this share of the budget (1/n).</summary>
    private const int MaxShareOfBudget = 8;

    private readonly DataVersions _versions;
    private readonly QueryMetrics _metrics;
    private readonly long _budget;
    private readonly Lock _lock = new();
    private readonly Dictionary<string, LinkedListNode<Entry>> _entries = new(StringComparer.Ordinal);

    /// <summary>Most recently used first.</summary>
    private readonly LinkedList<Entry> _recency = new();
    private long _size;

    public AggregateAnswerCache(DataVersions versions, QueryOptions options, QueryMetrics metrics)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(metrics);
        _versions = versions;
        _metrics = metrics;
        _budget = options.AnswerCacheBytes;
        metrics.ObserveAnswerCacheSize(() => SizeBytes);
    }

    public bool Enabled => _budget > 0;

    public long SizeBytes => Interlocked.Read(ref _size);

    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _entries.Count;
            }
        }
    }

    /// <summary>
    /// The answer stored under <paramref name="key"/> if the metric's data is unchanged since. On a
    /// miss, <paramref name="version"/> is the version to store the new answer with: it is read
    /// here, before the caller resolves its series and runs its query, so a change that lands
    /// while the query runs leaves the answer stored under a version that is already old.
    /// </summary>
    public bool TryGet(string key, int metricId, [NotNullWhen(true)] out IReadOnlyList<AggregateSeries>? answer, out long version)
    {
        ArgumentNullException.ThrowIfNull(key);
        version = _versions.Current(metricId);
        answer = null;
        if (!Enabled)
        {
            return false;
        }

        lock (_lock)
        {
            if (_entries.TryGetValue(key, out var node))
            {
                if (node.Value.Version == version)
                {
                    _recency.Remove(node);
                    _recency.AddFirst(node);
                    answer = node.Value.Answer;
                }
                else
                {
                    // Its data changed: it can never be served again.
                    Remove(node);
                }
            }
        }

        (answer is null ? _metrics.AnswerCacheMisses : _metrics.AnswerCacheHits).Add(1);
        return answer is not null;
    }

    /// <summary>Keeps an answer computed from data at <paramref name="version"/> (from <see cref="TryGet"/>).</summary>
    public void Add(string key, int metricId, long version, IReadOnlyList<AggregateSeries> answer)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(answer);
        if (!Enabled || _versions.Current(metricId) != version)
        {
            // Already out of date: the next query would only throw it away.
            return;
        }

        var bytes = AnswerSize.Estimate(key, answer);
        if (bytes > _budget / MaxShareOfBudget)
        {
            return;
        }

        var evicted = 0;
        lock (_lock)
        {
            if (_entries.TryGetValue(key, out var existing))
            {
                if (existing.Value.Version >= version)
                {
                    // A query that started later got here first; its answer is at least as new.
                    return;
                }

                Remove(existing);
            }

            while (_size + bytes > _budget && _recency.Last is { } oldest)
            {
                Remove(oldest);
                evicted++;
            }

            var node = _recency.AddFirst(new Entry(key, version, answer, bytes));
            _entries.Add(key, node);
            Interlocked.Add(ref _size, bytes);
            AssertInvariants();
        }

        if (evicted > 0)
        {
            _metrics.AnswerCacheEvictions.Add(evicted);
        }
    }

    /// <summary>Under the lock.</summary>
    private void Remove(LinkedListNode<Entry> node)
    {
        _recency.Remove(node);
        _entries.Remove(node.Value.Key);
        Interlocked.Add(ref _size, -node.Value.Bytes);
    }

    [Conditional("DEBUG")]
    private void AssertInvariants()
    {
        long total = 0;
        foreach (var entry in _recency)
        {
            total += entry.Bytes;
        }

        Debug.Assert(total == _size, "the size is the sum of the entries' sizes");
        Debug.Assert(_size <= _budget, "the cache stays within its budget");
        Debug.Assert(_entries.Count == _recency.Count, "every entry is in the recency list once");
    }

    private sealed record Entry(string Key, long Version, IReadOnlyList<AggregateSeries> Answer, long Bytes);
}
