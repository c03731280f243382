using System.Collections.Concurrent;

namespace FunctionsObservability.Pipeline.Formats;

/// <summary>
/// Process-wide map from the raw bytes of a line's <c>measurement,tags</c> prefix to its parsed form,
/// shared by all requests: senders repeat the same series request after request, so after the first
/// request a key costs one hash lookup and no allocation. (A cache per request paid the full parse,
/// about 15 objects per line, on every request of 10 lines from 10 series.) Only keys that parsed
/// are kept, so a hit needs no syntax check; the validator still checks every series' limits.
/// </summary>
/// <remarks>
/// Bounded: keys live in two generations of at most half the capacity each. New keys go into the
/// current one; when it is full it becomes the previous one and the old previous one is dropped, and
/// a key found only in the previous generation is copied forward. So keys in steady use stay, and a
/// flood of one-off keys costs at most the capacity.
/// </remarks>
internal sealed class LineProtocolKeyCache
{
    /// <summary>Distinct keys kept; each costs about 300 bytes beyond the series catalog's own copy.</summary>
    public const int DefaultCapacity = 16_384;

    private readonly Lock _turnover = new();
    private readonly int _generationSize;
    private Generation _current;
    private Generation _previous;

    public LineProtocolKeyCache(int capacity = DefaultCapacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 2);
        _generationSize = capacity / 2;
        _current = new Generation();
        _previous = new Generation();
    }

    /// <summary>Finds or parses the series key; null with an error when it does not parse.</summary>
    public SeriesKeyEntry? Find(ReadOnlySpan<byte> rawKey, out string? error)
    {
        error = null;
        var current = Volatile.Read(ref _current);
        if (current.Lookup.TryGetValue(rawKey, out var entry))
        {
            return entry;
        }

        if (!Volatile.Read(ref _previous).Lookup.TryGetValue(rawKey, out entry))
        {
            error = LineProtocolKeys.TryParse(rawKey, out entry);
            if (entry is null)
            {
                return null;
            }
        }

        if (!current.Lookup.TryAdd(rawKey, entry))
        {
            // Another request added the key first; use its entry, so the key has one set of fields.
            return current.Lookup.TryGetValue(rawKey, out var added) ? added : entry;
        }

        if (Interlocked.Increment(ref current.Count) >= _generationSize)
        {
            Turn(current);
        }

        return entry;
    }

    private void Turn(Generation full)
    {
        lock (_turnover)
        {
            if (ReferenceEquals(_current, full))
            {
                Volatile.Write(ref _previous, full);
                Volatile.Write(ref _current, new Generation());
            }
        }
    }

    private sealed class Generation
    {
        public readonly ConcurrentDictionary<byte[], SeriesKeyEntry>.AlternateLookup<ReadOnlySpan<byte>> Lookup =
            new ConcurrentDictionary<byte[], SeriesKeyEntry>(RawKeyComparer.Instance).GetAlternateLookup<ReadOnlySpan<byte>>();

        public int Count;
    }

    private sealed class RawKeyComparer : IEqualityComparer<byte[]>, IAlternateEqualityComparer<ReadOnlySpan<byte>, byte[]>
    {
        public static readonly RawKeyComparer Instance = new();

        public bool Equals(byte[]? x, byte[]? y) => ReferenceEquals(x, y) || (x is not null && y is not null && x.AsSpan().SequenceEqual(y));

        public int GetHashCode(byte[] obj) => GetHashCode((ReadOnlySpan<byte>)obj);

        public bool Equals(ReadOnlySpan<byte> alternate, byte[] other) => alternate.SequenceEqual(other);

        // HashCode is seeded per process, which keeps crafted keys from forcing collisions.
        public int GetHashCode(ReadOnlySpan<byte> alternate)
        {
            var hash = default(HashCode);
            hash.AddBytes(alternate);
            return hash.ToHashCode();
        }

        public byte[] Create(ReadOnlySpan<byte> alternate) => alternate.ToArray();
    }
}
