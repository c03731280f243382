using System.Buffers.Text;
using FunctionsObservability.Pipeline.Model;
using static FunctionsObservability.Pipeline.Formats.LineProtocolSyntax;

namespace FunctionsObservability.Pipeline.Formats;

/// <summary>
/// InfluxDB line protocol: <c>measurement[,tag=value...] field=value[,field=value...] [timestamp]</c>.
/// Each numeric or boolean field becomes one point of the series <c>measurement_field</c>.
/// </summary>
/// <remarks>
/// <see cref="LineError.Line"/> is the 1-based physical line. Empty lines and <c>#</c> comments count for
/// numbering but not for <see cref="ParsedBatch.LineCount"/>. A line's points are added only once the whole
/// line parsed, so a bad line contributes nothing. A non-positive <see cref="ParseSettings.MaxLineBytes"/>
/// means no limit. Repeating a field within one line keeps the last value, as InfluxDB does.
/// </remarks>
public sealed class LineProtocolParser : IPointParser
{
    private readonly LineProtocolKeyCache _keys = new();

    /// <summary>
    /// One reader per thread, reused, so a small request allocates no maps of its own. Parse never
    /// awaits, and takes the reader off the thread while it runs, so no two parses share one.
    /// </summary>
    [ThreadStatic]
    private static LineReader? t_reader;

    public void Parse(ReadOnlySpan<byte> payload, ParseSettings settings, ParsedBatch into)
    {
        ArgumentNullException.ThrowIfNull(into);
        var reader = t_reader ?? new LineReader();
        t_reader = null;
        reader.Begin(_keys, settings, into);
        try
        {
            ParseLines(payload, settings, into, reader);
        }
        finally
        {
            if (reader.End())
            {
                t_reader = reader;
            }
        }
    }

    private static void ParseLines(ReadOnlySpan<byte> payload, ParseSettings settings, ParsedBatch into, LineReader reader)
    {
        var rest = payload;
        var lineNumber = 0;
        var units = 0;
        while (TextLines.TryNext(ref rest, out var line))
        {
            lineNumber++;
            var content = TextLines.TrimBlanks(line);
            if (content.IsEmpty || content[0] == (byte)'#')
            {
                continue;
            }

            units++;
            var error = TextLines.IsTooLong(line, settings.MaxLineBytes)
                ? TextLines.TooLongMessage(line.Length, settings.MaxLineBytes)
                : reader.ParseLine(content, lineNumber);
            if (error is not null)
            {
                into.AddError(lineNumber, error);
            }
        }

        into.LineCount = units;
    }

    /// <summary>The per-request state: the batch index of each series, and the points of the line being parsed.</summary>
    private sealed class LineReader
    {
        private const string NoFields = "no fields; expected a space and field=value after the measurement and tags";

        /// <summary>Series past which a request's maps are dropped rather than kept for the next request on the thread.</summary>
        private const int MaxKeptSeries = 1024;

        private LineProtocolKeyCache _keys = null!;
        private ParseSettings _settings;
        private ParsedBatch _into = null!;

        private readonly Dictionary<FieldSeries, int> _indexByField = new(ReferenceEqualityComparer.Instance);

        // Different raw spellings (tag order, needless escapes) can name the same series; this keeps one index per series.
        private readonly Dictionary<string, int> _indexByKey = new(StringComparer.Ordinal);
        private FieldSeries[] _pendingFields = new FieldSeries[8];
        private double[] _pendingValues = new double[8];
        private int _pendingCount;

        public void Begin(LineProtocolKeyCache keys, ParseSettings settings, ParsedBatch into)
        {
            _keys = keys;
            _settings = settings;
            _into = into;
        }

        /// <summary>Forgets the request; false when its maps grew too large to keep.</summary>
        public bool End()
        {
            _into = null!;
            if (_indexByKey.Count > MaxKeptSeries)
            {
                return false;
            }

            _indexByField.Clear();
            _indexByKey.Clear();
            return true;
        }

        /// <summary>Parses one trimmed, non-empty line; returns the error, or null once its points are added.</summary>
        public string? ParseLine(ReadOnlySpan<byte> line, int lineNumber)
        {
            var keyEnd = IndexOfUnescaped(line, SpaceOrBackslash);
            if (keyEnd < 0)
            {
                return line[0] == (byte)',' ? "measurement is empty" : NoFields;
            }

            var entry = _keys.Find(line[..keyEnd], out var error);
            if (entry is null)
            {
                return error;
            }

            var position = SkipSpaces(line, keyEnd + 1);
            _pendingCount = 0;
            for (var ordinal = 0; ; ordinal++)
            {
                var rest = line[position..];
                var keyLength = IndexOfUnescaped(rest, FieldKeyStops);
                var rawField = keyLength < 0 ? rest : rest[..keyLength];
                if (rawField.IsEmpty)
                {
                    return ordinal == 0 && rest.IsEmpty ? NoFields : "a field key is empty";
                }

                if (keyLength < 0 || rest[keyLength] != (byte)'=')
                {
                    return $"field \"{Show(rawField, KeyEscapes)}\" has no '=' and value";
                }

                var valueAndRest = rest[(keyLength + 1)..];
                if (!valueAndRest.IsEmpty && valueAndRest[0] == (byte)'"')
                {
                    return DescribeStringField(rawField, valueAndRest[1..]);
                }

                var valueLength = valueAndRest.IndexOfAny((byte)',', (byte)' ');
                var valueText = valueLength < 0 ? valueAndRest : valueAndRest[..valueLength];
                if (valueText.IsEmpty)
                {
                    return $"field \"{Show(rawField, KeyEscapes)}\" has no value";
                }

                if (!TryParseFieldValue(valueText, out var value, out var kind))
                {
                    return $"field \"{Show(rawField, KeyEscapes)}\" has an invalid {kind} value \"{Show(valueText)}\"";
                }

                var field = entry.GetField(rawField, ordinal, out error);
                if (field is null)
                {
                    return error;
                }

                AddPending(field, value);
                position += keyLength + 1 + valueText.Length;
                if (position == line.Length)
                {
                    return Commit(_settings.DefaultTimestampMicros, lineNumber);
                }

                if (line[position] != (byte)',')
                {
                    break;
                }

                position++;
            }

            return ParseTimestampAndCommit(line[SkipSpaces(line, position)..], lineNumber);
        }

        private string? ParseTimestampAndCommit(ReadOnlySpan<byte> text, int lineNumber)
        {
            var end = text.IndexOf((byte)' ');
            var token = end < 0 ? text : text[..end];
            if (!Utf8Parser.TryParse(token, out long raw, out var consumed) || consumed != token.Length)
            {
                return $"timestamp \"{Show(token)}\" is not an integer";
            }

            if (end >= 0)
            {
                return $"unexpected text after the timestamp: \"{Show(text[SkipSpaces(text, end)..])}\"";
            }

            var error = TryConvertTimestamp(raw, _settings.Precision, out var micros);
            return error ?? Commit(micros, lineNumber);
        }

        private static string DescribeStringField(ReadOnlySpan<byte> rawField, ReadOnlySpan<byte> afterQuote)
        {
            var offset = 0;
            while (true)
            {
                var found = afterQuote[offset..].IndexOfAny(QuoteOrBackslash);
                if (found < 0)
                {
                    return $"field \"{Show(rawField, KeyEscapes)}\" has an unterminated string value";
                }

                offset += found;
                if (afterQuote[offset] == (byte)'"')
                {
                    return $"field \"{Show(rawField, KeyEscapes)}\" is a string; only numeric and boolean fields are stored";
                }

                offset += 2;
                if (offset >= afterQuote.Length)
                {
                    return $"field \"{Show(rawField, KeyEscapes)}\" has an unterminated string value";
                }
            }
        }

        private void AddPending(FieldSeries field, double value)
        {
            for (var i = 0; i < _pendingCount; i++)
            {
                if (ReferenceEquals(_pendingFields[i], field))
                {
                    _pendingValues[i] = value;
                    return;
                }
            }

            if (_pendingCount == _pendingFields.Length)
            {
                Array.Resize(ref _pendingFields, _pendingCount * 2);
                Array.Resize(ref _pendingValues, _pendingCount * 2);
            }

            _pendingFields[_pendingCount] = field;
            _pendingValues[_pendingCount] = value;
            _pendingCount++;
        }

        private string? Commit(long timestampMicros, int lineNumber)
        {
            for (var i = 0; i < _pendingCount; i++)
            {
                _into.Add(SeriesIndexOf(_pendingFields[i]), timestampMicros, _pendingValues[i], lineNumber);
            }

            return null;
        }

        /// <summary>Registers the series with the batch on first use, so lines that fail leave no orphan series behind.</summary>
        private int SeriesIndexOf(FieldSeries field)
        {
            if (!_indexByField.TryGetValue(field, out var index))
            {
                var key = field.Descriptor.CanonicalKey;
                if (!_indexByKey.TryGetValue(key, out index))
                {
                    index = _into.AddSeries(field.Descriptor);
                    _indexByKey.Add(key, index);
                }

                _indexByField.Add(field, index);
            }

            return index;
        }
    }
}
