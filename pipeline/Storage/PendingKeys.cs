using FunctionsObservability.Pipeline.Storage.Log;

namespace FunctionsObservability.Pipeline.Storage;

/// <summary>
/// Dedupe keys committed to the point log but not yet to the file's ledger, with the log sequence
/// of their commit. Bounded by the head: an apply moves them to the ledger and forgets them.
/// The writer adds and looks up keys; an apply in the background forgets them.
/// </summary>
internal sealed class PendingKeys
{
    private readonly Dictionary<string, (LoggedKey Key, long Sequence)> _keys = new(StringComparer.Ordinal);

    private readonly Lock _lock = new();

    public bool Contains(string key)
    {
        lock (_lock)
        {
            return _keys.ContainsKey(key);
        }
    }

    public void Add(LoggedKey key, long sequence)
    {
        lock (_lock)
        {
            _keys[key.Key] = (key, sequence);
        }
    }

    public List<LoggedKey> Through(long sequence)
    {
        lock (_lock)
        {
            return [.. _keys.Values.Where(k => k.Sequence <= sequence).Select(k => k.Key)];
        }
    }

    public void RemoveThrough(long sequence)
    {
        lock (_lock)
        {
            foreach (var (key, entry) in _keys)
            {
                if (entry.Sequence <= sequence)
                {
                    _keys.Remove(key);
                }
            }
        }
    }
}
