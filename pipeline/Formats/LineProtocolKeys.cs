using FunctionsObservability.Pipeline.Model;
using static FunctionsObservability.Pipeline.Formats.LineProtocolSyntax;

namespace FunctionsObservability.Pipeline.Formats;

/// <summary>Parses a line's <c>measurement,tag=value,...</c> prefix into a measurement and sorted tags.</summary>
internal static class LineProtocolKeys
{
    /// <summary>Returns the error, or null with <paramref name="entry"/> set.</summary>
    public static string? TryParse(ReadOnlySpan<byte> rawKey, out SeriesKeyEntry? entry)
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

        var tags = new List<KeyValuePair<string, string>>();
        var rest = measurementEnd < 0 ? [] : rawKey[(measurementEnd + 1)..];
        while (measurementEnd >= 0)
        {
            var error = TryParseTag(ref rest, tags, out var more);
            if (error is not null)
            {
                return error;
            }

            if (!more)
            {
                break;
            }
        }

        tags.Sort(static (a, b) => string.CompareOrdinal(a.Key, b.Key));
        for (var i = 1; i < tags.Count; i++)
        {
            if (string.Equals(tags[i - 1].Key, tags[i].Key, StringComparison.Ordinal))
            {
                return $"tag \"{tags[i].Key}\" appears more than once";
            }
        }

        entry = new SeriesKeyEntry(measurement, [.. tags]);
        return null;
    }

    /// <summary>Parses one <c>key=value</c> from the start of <paramref name="rest"/> and advances past its comma.</summary>
    private static string? TryParseTag(ref ReadOnlySpan<byte> rest, List<KeyValuePair<string, string>> tags, out bool more)
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

        tags.Add(new KeyValuePair<string, string>(key, value));
        more = valueEnd >= 0;
        rest = more ? valueAndRest[(valueEnd + 1)..] : [];
        return null;
    }
}

/// <summary>
/// A parsed <c>measurement,tags</c> prefix and the fields seen with it. Shared by every request that
/// sends the key (see <see cref="LineProtocolKeyCache"/>), so it only grows, by copy on write.
/// </summary>
internal sealed class SeriesKeyEntry(string measurement, KeyValuePair<string, string>[] sortedTags)
{
    /// <summary>Fields remembered per key; past it new fields are made per use, so one odd key cannot grow without bound.</summary>
    private const int MaxRememberedFields = 256;

    private FieldSeries[] _fields = [];

    /// <summary>
    /// Finds the series of a raw field key. Lines of one source usually list fields in the same order, so the
    /// field at the same position is tried first and the linear search is the exception.
    /// </summary>
    public FieldSeries? GetField(ReadOnlySpan<byte> rawField, int position, out string? error)
    {
        error = null;
        var fields = Volatile.Read(ref _fields);
        if (position < fields.Length && rawField.SequenceEqual(fields[position].RawName))
        {
            return fields[position];
        }

        if (Search(fields, rawField) is { } known)
        {
            return known;
        }

        var fieldName = Unescape(rawField, KeyEscapes);
        if (fieldName is null)
        {
            error = $"field \"{Show(rawField, KeyEscapes)}\" is not valid UTF-8";
            return null;
        }

        var field = new FieldSeries(rawField.ToArray(), new SeriesDescriptor($"{measurement}_{fieldName}", sortedTags));
        while (fields.Length < MaxRememberedFields)
        {
            var seen = Interlocked.CompareExchange(ref _fields, [.. fields, field], fields);
            if (ReferenceEquals(seen, fields))
            {
                break;
            }

            // Another request added a field meanwhile: it may be this one.
            fields = seen;
            if (Search(fields, rawField) is { } added)
            {
                return added;
            }
        }

        return field;
    }

    private static FieldSeries? Search(FieldSeries[] fields, ReadOnlySpan<byte> rawField)
    {
        foreach (var field in fields)
        {
            if (rawField.SequenceEqual(field.RawName))
            {
                return field;
            }
        }

        return null;
    }
}

/// <summary>One <c>measurement_field</c> series as parsed; immutable, so requests share it.</summary>
internal sealed class FieldSeries(byte[] rawName, SeriesDescriptor descriptor)
{
    public byte[] RawName { get; } = rawName;

    public SeriesDescriptor Descriptor { get; } = descriptor;
}
