using FunctionsObservability.Pipeline.Model;
using static FunctionsObservability.Pipeline.Formats.LineProtocolSyntax;

namespace FunctionsObservability.Pipeline.Formats;

/// <summary>
/// Per-request map from the raw bytes of a line's <c>measurement,tags</c> prefix to its parsed form, so the
/// common case (a series seen before) costs one hash lookup and no allocation. Strings are only built on a miss.
/// </summary>
internal sealed class LineProtocolSeriesCache
{
    private readonly ParsedBatch _into;
    private readonly Dictionary<byte[], SeriesKeyEntry> _entries = new(RawKeyComparer.Instance);
    private readonly Dictionary<byte[], SeriesKeyEntry>.AlternateLookup<ReadOnlySpan<byte>> _lookup;

    // Different raw spellings (tag order, needless escapes) can name the same series; this keeps one index per series.
    private readonly Dictionary<string, int> _seriesIndexByKey = new(StringComparer.Ordinal);
    private readonly List<KeyValuePair<string, string>> _tags = [];

    public LineProtocolSeriesCache(ParsedBatch into)
    {
        _into = into;
        _lookup = _entries.GetAlternateLookup<ReadOnlySpan<byte>>();
    }

    /// <summary>Finds or parses the series key; only valid keys are cached, so a hit needs no validation.</summary>
    public SeriesKeyEntry? Find(ReadOnlySpan<byte> rawKey, out string? error)
    {
        if (_lookup.TryGetValue(rawKey, out var entry))
        {
            error = null;
            return entry;
        }

        error = TryParseKey(rawKey, out entry);
        if (entry is not null)
        {
            _entries.Add(rawKey.ToArray(), entry);
        }

        return entry;
    }

    /// <summary>Registers the series with the batch on first use, so lines that fail leave no orphan series behind.</summary>
    public int SeriesIndexOf(FieldSeries field)
    {
        if (field.SeriesIndex < 0)
        {
            var key = field.Descriptor.CanonicalKey;
            if (!_seriesIndexByKey.TryGetValue(key, out var index))
            {
                index = _into.AddSeries(field.Descriptor);
                _seriesIndexByKey.Add(key, index);
            }

            field.SeriesIndex = index;
        }

        return field.SeriesIndex;
    }

    private string? TryParseKey(ReadOnlySpan<byte> rawKey, out SeriesKeyEntry? entry)
    {
        entry = null;
        var measurementEnd = IndexOfUnescaped(rawKey, CommaOrBackslash);
        var rawMeasurement = measurementEnd < 0 ? rawKey : rawKey[..measurementEnd];
        if (rawMeasurement.IsEmpty)
        {
            return "measurement is empty";
        }

        var measurement = Unescape(rawMeasurement, MeasurementEscapes);
        if (measurement is null)
        {
            return $"measurement \"{Show(rawMeasurement)}\" is not valid UTF-8";
        }

        _tags.Clear();
        var rest = measurementEnd < 0 ? [] : rawKey[(measurementEnd + 1)..];
        while (measurementEnd >= 0)
        {
            var error = TryParseTag(ref rest, out var more);
            if (error is not null)
            {
                return error;
            }

            if (!more)
            {
                break;
            }
        }

        _tags.Sort(static (a, b) => string.CompareOrdinal(a.Key, b.Key));
        for (var i = 1; i < _tags.Count; i++)
        {
            if (string.Equals(_tags[i - 1].Key, _tags[i].Key, StringComparison.Ordinal))
            {
                return $"tag \"{_tags[i].Key}\" appears more than once";
            }
        }

        entry = new SeriesKeyEntry(measurement, [.. _tags]);
        return null;
    }

    /// <summary>Parses one <c>key=value</c> from the start of <paramref name="rest"/> and advances past its comma.</summary>
    private string? TryParseTag(ref ReadOnlySpan<byte> rest, out bool more)
    {
        more = false;
        var keyEnd = IndexOfUnescaped(rest, TagStops);
        if (keyEnd == 0 || rest.IsEmpty)
        {
            return "a tag key is empty";
        }

        if (keyEnd < 0 || rest[keyEnd] != (byte)'=')
        {
            return $"tag \"{Show(keyEnd < 0 ? rest : rest[..keyEnd], KeyEscapes)}\" has no '=' and value";
        }

        var rawTagKey = rest[..keyEnd];
        var valueAndRest = rest[(keyEnd + 1)..];
        var valueEnd = IndexOfUnescaped(valueAndRest, TagStops);
        if (valueEnd >= 0 && valueAndRest[valueEnd] == (byte)'=')
        {
            return $"tag \"{Show(rawTagKey, KeyEscapes)}\" value contains an unescaped '='";
        }

        var rawValue = valueEnd < 0 ? valueAndRest : valueAndRest[..valueEnd];
        if (rawValue.IsEmpty)
        {
            return $"tag \"{Show(rawTagKey, KeyEscapes)}\" has an empty value";
        }

        var key = Unescape(rawTagKey, KeyEscapes);
        var value = Unescape(rawValue, KeyEscapes);
        if (key is null || value is null)
        {
            return $"tag \"{Show(rawTagKey, KeyEscapes)}\" is not valid UTF-8";
        }

        _tags.Add(new KeyValuePair<string, string>(key, value));
        more = valueEnd >= 0;
        rest = more ? valueAndRest[(valueEnd + 1)..] : [];
        return null;
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

/// <summary>A parsed <c>measurement,tags</c> prefix and the fields seen with it.</summary>
internal sealed class SeriesKeyEntry(string measurement, KeyValuePair<string, string>[] sortedTags)
{
    private FieldSeries[] _fields = new FieldSeries[4];
    private int _count;

    /// <summary>
    /// Finds the series of a raw field key. Lines of one source usually list fields in the same order, so the
    /// field at the same position is tried first and the linear search is the exception.
    /// </summary>
    public FieldSeries? GetField(ReadOnlySpan<byte> rawField, int position, out string? error)
    {
        error = null;
        if (position < _count && rawField.SequenceEqual(_fields[position].RawName))
        {
            return _fields[position];
        }

        for (var i = 0; i < _count; i++)
        {
            if (rawField.SequenceEqual(_fields[i].RawName))
            {
                return _fields[i];
            }
        }

        var fieldName = Unescape(rawField, KeyEscapes);
        if (fieldName is null)
        {
            error = $"field \"{Show(rawField, KeyEscapes)}\" is not valid UTF-8";
            return null;
        }

        if (_count == _fields.Length)
        {
            Array.Resize(ref _fields, _count * 2);
        }

        var field = new FieldSeries(rawField.ToArray(), new SeriesDescriptor($"{measurement}_{fieldName}", sortedTags));
        _fields[_count++] = field;
        return field;
    }
}

/// <summary>One <c>measurement_field</c> series; its batch index is assigned when a line using it commits.</summary>
internal sealed class FieldSeries(byte[] rawName, SeriesDescriptor descriptor)
{
    public byte[] RawName { get; } = rawName;

    public SeriesDescriptor Descriptor { get; } = descriptor;

    public int SeriesIndex { get; set; } = -1;
}
