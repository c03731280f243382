using System.Buffers;
using System.Buffers.Text;
using System.Text;
using System.Text.Unicode;
using FunctionsObservability.Pipeline.Model;

namespace FunctionsObservability.Pipeline.Formats;

/// <summary>
/// Lexical rules of InfluxDB line protocol. While scanning, a backslash always protects the byte after
/// it (so <c>\\</c> cannot end an element early); when unescaping, only the escapes the element allows
/// are removed and any other backslash is kept as written, as InfluxDB does.
/// </summary>
internal static class LineProtocolSyntax
{
    public static readonly SearchValues<byte> SpaceOrBackslash = SearchValues.Create(" \\"u8);
    public static readonly SearchValues<byte> CommaOrBackslash = SearchValues.Create(",\\"u8);
    public static readonly SearchValues<byte> TagStops = SearchValues.Create("=,\\"u8);
    public static readonly SearchValues<byte> FieldKeyStops = SearchValues.Create("=, \\"u8);
    public static readonly SearchValues<byte> QuoteOrBackslash = SearchValues.Create("\"\\"u8);
    public static readonly SearchValues<byte> MeasurementEscapes = SearchValues.Create(", "u8);
    public static readonly SearchValues<byte> KeyEscapes = SearchValues.Create(",= "u8);

    private const int MaxShownBytes = 64;

    /// <summary>Index of the first byte of <paramref name="stops"/> (which must include the backslash) that is not escaped, or -1.</summary>
    public static int IndexOfUnescaped(ReadOnlySpan<byte> text, SearchValues<byte> stops)
    {
        var offset = 0;
        while (true)
        {
            var found = text[offset..].IndexOfAny(stops);
            if (found < 0)
            {
                return -1;
            }

            offset += found;
            if (text[offset] != (byte)'\\')
            {
                return offset;
            }

            offset += 2;
            if (offset >= text.Length)
            {
                return -1;
            }
        }
    }

    public static int SkipSpaces(ReadOnlySpan<byte> line, int position)
    {
        while (position < line.Length && line[position] == (byte)' ')
        {
            position++;
        }

        return position;
    }

    /// <summary>Unescapes a name; returns null if the result is not valid UTF-8, because a replacement character would silently alias names.</summary>
    public static string? Unescape(ReadOnlySpan<byte> raw, SearchValues<byte> escapable)
    {
        if (raw.IndexOf((byte)'\\') < 0)
        {
            return Utf8.IsValid(raw) ? Encoding.UTF8.GetString(raw) : null;
        }

        var buffer = ArrayPool<byte>.Shared.Rent(raw.Length);
        try
        {
            var length = 0;
            for (var i = 0; i < raw.Length; i++)
            {
                if (raw[i] == (byte)'\\' && i + 1 < raw.Length && escapable.Contains(raw[i + 1]))
                {
                    i++;
                }

                buffer[length++] = raw[i];
            }

            var unescaped = buffer.AsSpan(0, length);
            return Utf8.IsValid(unescaped) ? Encoding.UTF8.GetString(unescaped) : null;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Text of a key or value for an error message, shortened so one bad line cannot bloat the response.</summary>
    public static string Show(ReadOnlySpan<byte> raw, SearchValues<byte>? escapable = null)
    {
        var shortened = raw.Length > MaxShownBytes;
        var shown = shortened ? raw[..MaxShownBytes] : raw;
        var text = escapable is null ? Encoding.UTF8.GetString(shown) : Unescape(shown, escapable) ?? Encoding.UTF8.GetString(shown);
        return shortened ? text + "..." : text;
    }

    /// <summary>Parses a non-string field value; <paramref name="kind"/> names what it looked like, for the error.</summary>
    public static bool TryParseFieldValue(ReadOnlySpan<byte> text, out double value, out string kind)
    {
        int consumed;

        // Only a digit before the suffix makes it an integer, so "tru" is reported as a bad number, not a bad "tr" unsigned.
        var suffix = text.Length > 1 && char.IsAsciiDigit((char)text[^2]) ? text[^1] : (byte)0;
        switch (suffix)
        {
            case (byte)'i':
                kind = "integer";
                var isLong = Utf8Parser.TryParse(text[..^1], out long signed, out consumed) && consumed == text.Length - 1;
                value = signed;
                return isLong;
            case (byte)'u':
                kind = "unsigned integer";
                var isUlong = Utf8Parser.TryParse(text[..^1], out ulong unsigned, out consumed) && consumed == text.Length - 1;
                value = unsigned;
                return isUlong;
        }

        kind = "number";
        if (text[0] is (byte)'t' or (byte)'T' or (byte)'f' or (byte)'F')
        {
            return TryParseBoolean(text, out value);
        }

        // Utf8Parser passes "NaN" and overflow (±Infinity) through; the validator rejects them with a better message.
        return Utf8Parser.TryParse(text, out value, out consumed) && consumed == text.Length;
    }

    /// <summary>Converts a timestamp in the request's precision to microseconds; null message means success.</summary>
    public static string? TryConvertTimestamp(long raw, TimestampPrecision precision, out long micros)
    {
        long factor;
        switch (precision)
        {
            case TimestampPrecision.Nanoseconds:
                // Floor rather than truncate, so pre-1970 instants keep their order.
                var (quotient, remainder) = long.DivRem(raw, 1000);
                micros = remainder < 0 ? quotient - 1 : quotient;
                return null;
            case TimestampPrecision.Microseconds:
                micros = raw;
                return null;
            case TimestampPrecision.Milliseconds:
                factor = 1000;
                break;
            default:
                factor = 1_000_000;
                break;
        }

        if (raw > long.MaxValue / factor || raw < long.MinValue / factor)
        {
            micros = 0;
            var unit = factor == 1000 ? "ms" : "s";
            return $"timestamp {raw} is out of range for precision {unit}; if it is in a finer unit, send precision={(factor == 1000 ? "us or ns" : "ms, us or ns")}";
        }

        micros = raw * factor;
        return null;
    }

    private static bool TryParseBoolean(ReadOnlySpan<byte> text, out double value)
    {
        if (text.SequenceEqual("t"u8) || text.SequenceEqual("T"u8) || text.SequenceEqual("true"u8)
            || text.SequenceEqual("True"u8) || text.SequenceEqual("TRUE"u8))
        {
            value = 1;
            return true;
        }

        value = 0;
        return text.SequenceEqual("f"u8) || text.SequenceEqual("F"u8) || text.SequenceEqual("false"u8)
            || text.SequenceEqual("False"u8) || text.SequenceEqual("FALSE"u8);
    }
}
