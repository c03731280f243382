using System.Buffers.Text;
using System.Text;
using System.Text.Json;
using System.Text.Unicode;

namespace FunctionsObservability.Pipeline.Formats;

/// <summary>
/// JSON strings and property names that must be text: <c>Utf8JsonReader</c> checks neither the
/// UTF-8 of a value nor the pairing of its surrogate escapes, and <c>GetString</c> throws for both,
/// so each is checked here first and reported as a line error instead.
/// </summary>
internal static class JsonText
{
    private const int MaxShownBytes = 64;

    /// <summary>The current string or property name, or null with the problem when it is not text.</summary>
    public static string? ReadText(ref Utf8JsonReader reader, out string? problem)
    {
        problem = TextProblem(reader);
        return problem is null ? reader.GetString() : null;
    }

    /// <summary>
    /// Why the current string or property name is not text, or null if it is. The reader checks neither
    /// the UTF-8 nor the pairing of surrogate escapes while reading; <c>GetString</c> throws for both.
    /// </summary>
    public static string? TextProblem(in Utf8JsonReader reader)
    {
        // Payloads are single spans, so a value is never split into a ValueSequence.
        var raw = reader.ValueSpan;
        if (!Utf8.IsValid(raw))
        {
            return "is not valid UTF-8";
        }

        var escape = reader.ValueIsEscaped ? IndexOfLoneSurrogateEscape(raw) : -1;
        return escape < 0 ? null
            : $"holds a lone surrogate escape \"{Encoding.ASCII.GetString(raw.Slice(escape, 6))}\", which cannot be stored as UTF-8";
    }

    public static bool IsText(in Utf8JsonReader reader) =>
        Utf8.IsValid(reader.ValueSpan) && (!reader.ValueIsEscaped || IndexOfLoneSurrogateEscape(reader.ValueSpan) < 0);

    /// <summary>
    /// Index of the first <c>\uXXXX</c> escape that is half of a surrogate pair, or -1. Escapes are ASCII, so
    /// a raw value that is valid UTF-8 unescapes to valid UTF-8 unless it holds one of these.
    /// </summary>
    private static int IndexOfLoneSurrogateEscape(ReadOnlySpan<byte> raw)
    {
        // The reader has already checked the escapes: a backslash, then one of "\/bfnrt or u and four hex digits.
        var backslash = raw.IndexOf((byte)'\\');
        while (backslash >= 0)
        {
            var length = 2;
            if (raw[backslash + 1] == (byte)'u')
            {
                var unit = EscapedUnit(raw, backslash);
                if (char.IsLowSurrogate(unit))
                {
                    return backslash;
                }

                length = 6;
                if (char.IsHighSurrogate(unit))
                {
                    var next = backslash + 6;
                    if (next + 6 > raw.Length || raw[next] != (byte)'\\' || raw[next + 1] != (byte)'u' || !char.IsLowSurrogate(EscapedUnit(raw, next)))
                    {
                        return backslash;
                    }

                    length = 12;
                }
            }

            var rest = backslash + length;
            var found = raw[rest..].IndexOf((byte)'\\');
            backslash = found < 0 ? -1 : rest + found;
        }

        return -1;
    }

    private static char EscapedUnit(ReadOnlySpan<byte> raw, int backslash) =>
        Utf8Parser.TryParse(raw.Slice(backslash + 2, 4), out ushort unit, out _, 'x') ? (char)unit : '\0';

    /// <summary>A name that is not text, as written (escapes kept, bad bytes as U+FFFD), shortened for the message.</summary>
    public static string ShowRaw(ReadOnlySpan<byte> raw) =>
        raw.Length > MaxShownBytes ? Encoding.UTF8.GetString(raw[..MaxShownBytes]) + "..." : Encoding.UTF8.GetString(raw);
}
