using System.Buffers.Text;
using System.Text;
using System.Text.Json;
using System.Text.Unicode;
using FunctionsObservability.Pipeline.Model;

namespace FunctionsObservability.Pipeline.Formats;

/// <summary>A point object that read cleanly, waiting to be added to the batch.</summary>
internal readonly record struct JsonPoint(SeriesDescriptor Series, long TimestampMicros, double Value);

/// <summary>
/// Reads point objects (<c>{"metric":..,"tags":{..},"timestamp":..,"value":..}</c>) for the JSON and NDJSON
/// parsers, and dedupes their series within one request. One instance per request.
/// </summary>
internal sealed class JsonPointReader(ParsedBatch into)
{
    private const int MaxTimestampBytes = 64;

    private readonly Dictionary<string, int> _seriesIndexByKey = new(StringComparer.Ordinal);
    private readonly List<KeyValuePair<string, string>> _tags = [];

    /// <summary>
    /// Reads the object starting at the reader's <c>StartObject</c> and always leaves the reader on its
    /// <c>EndObject</c>, so a bad point does not derail the next one. Returns the first problem, or null.
    /// Throws <see cref="JsonException"/> only for malformed JSON; a string that is not text (invalid UTF-8,
    /// or a lone surrogate escape such as <c>\udc00</c>) is a problem of the point, like any other.
    /// </summary>
    public string? Read(ref Utf8JsonReader reader, out JsonPoint point)
    {
        point = default;
        string? error = null;
        string? metric = null;
        long? timestamp = null;
        double? value = null;
        _tags.Clear();
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (NameIs(reader, "metric"u8))
            {
                reader.Read();
                if (reader.TokenType != JsonTokenType.String)
                {
                    metric = null;
                    error ??= $"field \"metric\" must be a string, not {Describe(reader.TokenType)}";
                }
                else
                {
                    metric = JsonText.ReadText(ref reader, out var problem);
                    error ??= problem is not null ? $"field \"metric\" {problem}"
                        : metric!.Length == 0 ? "field \"metric\" is empty" : null;
                }
            }
            else if (NameIs(reader, "tags"u8))
            {
                reader.Read();
                error ??= ReadTags(ref reader);
            }
            else if (NameIs(reader, "timestamp"u8))
            {
                reader.Read();
                timestamp = ReadTimestamp(ref reader, ref error);
            }
            else if (NameIs(reader, "value"u8))
            {
                reader.Read();
                value = reader.TokenType switch
                {
                    // Overflow comes back as ±Infinity and is left for the validator to reject.
                    JsonTokenType.Number => reader.TryGetDouble(out var number) ? number : null,
                    JsonTokenType.True => 1,
                    JsonTokenType.False => 0,
                    _ => null,
                };
                error ??= value is null ? $"field \"value\" must be a number or a boolean, not {Describe(reader.TokenType)}" : null;
            }
            else
            {
                reader.Read();
            }

            reader.Skip();
        }

        error ??= metric is null ? "missing field \"metric\""
            : timestamp is null ? "missing field \"timestamp\""
            : value is null ? "missing field \"value\""
            : null;
        if (error is not null)
        {
            return error;
        }

        _tags.Sort(static (a, b) => string.CompareOrdinal(a.Key, b.Key));
        for (var i = 1; i < _tags.Count; i++)
        {
            if (string.Equals(_tags[i - 1].Key, _tags[i].Key, StringComparison.Ordinal))
            {
                return $"tag \"{_tags[i].Key}\" appears more than once";
            }
        }

        point = new JsonPoint(new SeriesDescriptor(metric!, [.. _tags]), timestamp!.Value, value!.Value);
        return null;
    }

    public void Commit(in JsonPoint point, int unit)
    {
        var key = point.Series.CanonicalKey;
        if (!_seriesIndexByKey.TryGetValue(key, out var index))
        {
            index = into.AddSeries(point.Series);
            _seriesIndexByKey.Add(key, index);
        }

        into.Add(index, point.TimestampMicros, point.Value, unit);
    }

    /// <summary>Describes malformed JSON by the reader's 0-based byte position, reported 1-based.</summary>
    public static string DescribeMalformed(JsonException exception)
    {
        var reason = exception.Message;

        // The reader appends its own 0-based location; the caller reports the line and we give the byte.
        var location = reason.IndexOf(" LineNumber:", StringComparison.Ordinal);
        if (location >= 0)
        {
            reason = reason[..location];
        }

        return $"malformed JSON at byte {(exception.BytePositionInLine ?? 0) + 1} of the line: {reason}";
    }

    /// <summary>
    /// Whether the current property name is <paramref name="name"/>. A name that is not text matches no
    /// name (and so is skipped like any unknown property): comparing it would throw.
    /// </summary>
    public static bool NameIs(in Utf8JsonReader reader, ReadOnlySpan<byte> name) =>
        (!reader.ValueIsEscaped || JsonText.IsText(reader)) && reader.ValueTextEquals(name);

    public static string Describe(JsonTokenType token) => token switch
    {
        JsonTokenType.StartObject => "an object",
        JsonTokenType.StartArray => "an array",
        JsonTokenType.String => "a string",
        JsonTokenType.Number => "a number",
        JsonTokenType.True or JsonTokenType.False => "a boolean",
        JsonTokenType.Null => "null",
        _ => token.ToString(),
    };

    private string? ReadTags(ref Utf8JsonReader reader)
    {
        if (reader.TokenType == JsonTokenType.Null)
        {
            return null;
        }

        if (reader.TokenType != JsonTokenType.StartObject)
        {
            return $"field \"tags\" must be an object, not {Describe(reader.TokenType)}";
        }

        // A repeated "tags" property replaces the earlier one, like any other repeated property.
        _tags.Clear();
        string? error = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var key = JsonText.ReadText(ref reader, out var keyProblem);
            if (key is null)
            {
                error ??= $"tag key \"{JsonText.ShowRaw(reader.ValueSpan)}\" {keyProblem}";
                reader.Read();
                reader.Skip();
                continue;
            }

            reader.Read();
            if (reader.TokenType != JsonTokenType.String)
            {
                error ??= $"tag \"{key}\" must be a string, not {Describe(reader.TokenType)}";
                reader.Skip();
                continue;
            }

            var value = JsonText.ReadText(ref reader, out var valueProblem);
            if (value is null)
            {
                error ??= $"value of tag \"{key}\" {valueProblem}";
                continue;
            }

            error ??= key.Length == 0 ? "a tag key is empty"
                : value.Length == 0 ? $"tag \"{key}\" has an empty value"
                : null;
            _tags.Add(new KeyValuePair<string, string>(key, value));
        }

        return error;
    }

    private static long? ReadTimestamp(ref Utf8JsonReader reader, ref string? error)
    {
        long micros;
        switch (reader.TokenType)
        {
            case JsonTokenType.String:
                if (TryParseRfc3339(ref reader, out micros))
                {
                    return micros;
                }

                error ??= JsonText.TextProblem(reader) is { } problem
                    ? $"field \"timestamp\" {problem}"
                    : $"field \"timestamp\" is not an RFC 3339 date-time with an offset, such as 2026-11-22T10:00:00Z: \"{Shorten(reader.GetString()!)}\"";
                return 0;
            case JsonTokenType.Number:
                if (reader.TryGetInt64(out var millis) && millis <= long.MaxValue / 1000 && millis >= long.MinValue / 1000)
                {
                    return millis * 1000;
                }

                // Fractional milliseconds: decimal keeps every microsecond digit that double would blur.
                if (reader.TryGetDecimal(out var fractional)
                    && fractional <= long.MaxValue / 1000m && fractional >= long.MinValue / 1000m)
                {
                    return (long)decimal.Floor(fractional * 1000);
                }

                error ??= "field \"timestamp\" is out of range for Unix epoch milliseconds";
                return 0;
            default:
                error ??= $"field \"timestamp\" must be an RFC 3339 string or Unix epoch milliseconds, not {Describe(reader.TokenType)}";
                return 0;
        }
    }

    private static bool TryParseRfc3339(ref Utf8JsonReader reader, out long micros)
    {
        micros = 0;
        if (!reader.ValueIsEscaped)
        {
            return Rfc3339.TryParseMicros(reader.ValueSpan, out micros);
        }

        // CopyString would throw for a lone surrogate escape.
        if (reader.ValueSpan.Length > MaxTimestampBytes || !JsonText.IsText(reader))
        {
            return false;
        }

        // Unescaping never lengthens the text, so the buffer fits whatever passed the check above.
        Span<byte> unescaped = stackalloc byte[MaxTimestampBytes];
        var length = reader.CopyString(unescaped);
        return Rfc3339.TryParseMicros(unescaped[..length], out micros);
    }

    private static string Shorten(string text)
    {
        if (text.Length <= MaxTimestampBytes)
        {
            return text;
        }

        // Never keep half of a surrogate pair: the message must stay valid text for the JSON answer.
        var length = char.IsHighSurrogate(text[MaxTimestampBytes - 1]) ? MaxTimestampBytes - 1 : MaxTimestampBytes;
        return string.Concat(text.AsSpan(0, length), "...");
    }
}
