using FunctionsObservability.Pipeline.Storage.Log;

namespace FunctionsObservability.Pipeline.Storage;

/// <summary>
/// Dedupe keys committed to the point log but not yet to the file's ledger, with the log sequence
/// of their commit. Bounded by the head: an apply moves them to the ledger and forgets them.
/// Only the writer, holding its gate, touches it.
/// </summary>
internal sealed class PendingKeys
{
    private readonly Dictionary<string, (LoggedKey Key, long Sequence)> _keys = new(StringComparer.Ordinal);

    public int Count => _keys.Count;

    public bool Contains(string key) => _keys.ContainsKey(key);

    public void Add(LoggedKey key, long sequence) => _keys[key.Key] = (key, sequence);

    public List<LoggedKey> Through(long sequence) =>
        [.. _keys.Values.Where(k => k.Sequence <= sequence).Select(k => k.Key)];

    public void RemoveThrough(long sequence)
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
