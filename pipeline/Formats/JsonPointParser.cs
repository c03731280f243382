using System.Text.Json;
using FunctionsObservability.Pipeline.Model;

namespace FunctionsObservability.Pipeline.Formats;

/// <summary>
/// <c>application/json</c>: a top-level array of point objects, or <c>{"points":[...]}</c>.
/// </summary>
/// <remarks>
/// <para>
/// For a well-formed document, each point is one unit: <see cref="LineError.Line"/> is the 1-based index of the
/// point in the array (not a text line) and <see cref="ParsedBatch.LineCount"/> is the number of points.
/// </para>
/// <para>
/// A document that is not well-formed JSON, or whose shape is neither of the two forms, is rejected whole:
/// no points and exactly one error, whose <see cref="LineError.Line"/> is the 1-based text line where reading
/// failed and whose message gives the 1-based byte in that line. <see cref="ParsedBatch.LineCount"/> is then
/// the number of points begun before the failure. To guarantee this, the document is checked in a first,
/// allocation-free pass before any point or series is added.
/// </para>
/// </remarks>
public sealed class JsonPointParser : IPointParser
{
    public void Parse(ReadOnlySpan<byte> payload, ParseSettings settings, ParsedBatch into)
    {
        ArgumentNullException.ThrowIfNull(into);
        var points = 0;
        try
        {
            var structureError = CheckDocument(payload, ref points);
            if (structureError is { } error)
            {
                into.LineCount = points;
                into.AddError(error.Line, error.Message);
                return;
            }

            into.LineCount = points;
            ReadPoints(payload, into);
        }
        catch (JsonException exception)
        {
            // Only the checking pass can get here; the second pass reads a document already known to be well-formed.
            into.LineCount = points;
            into.AddError((int)(exception.LineNumber ?? 0) + 1, JsonPointReader.DescribeMalformed(exception));
        }
    }

    /// <summary>Validates syntax and shape, and counts the points; returns a shape error, or null.</summary>
    private static LineError? CheckDocument(ReadOnlySpan<byte> payload, ref int points)
    {
        var reader = new Utf8JsonReader(payload);
        reader.Read();
        LineError? error = null;
        if (reader.TokenType == JsonTokenType.StartArray)
        {
            CountPoints(ref reader, ref points);
        }
        else if (reader.TokenType == JsonTokenType.StartObject)
        {
            var found = false;
            while (error is null && reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var isPoints = JsonPointReader.NameIs(reader, "points"u8);
                reader.Read();
                if (!isPoints)
                {
                    reader.Skip();
                }
                else if (found)
                {
                    error = ShapeError(payload, reader, "property \"points\" appears more than once");
                }
                else if (reader.TokenType != JsonTokenType.StartArray)
                {
                    error = ShapeError(payload, reader, $"\"points\" must be an array, not {JsonPointReader.Describe(reader.TokenType)}");
                }
                else
                {
                    found = true;
                    CountPoints(ref reader, ref points);
                }
            }

            error ??= found ? null : ShapeError(payload, reader, "the object has no \"points\" array");
        }
        else
        {
            error = ShapeError(payload, reader, $"expected an array of points or an object with a \"points\" array, not {JsonPointReader.Describe(reader.TokenType)}");
        }

        if (error is null)
        {
            // Throws if anything but whitespace follows the top-level value.
            reader.Read();
        }

        return error;
    }

    private static void CountPoints(ref Utf8JsonReader reader, ref int points)
    {
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            points++;
            reader.Skip();
        }
    }

    /// <summary>Locates a shape error the way the reader locates syntax errors: 1-based line, 1-based byte in it.</summary>
    private static LineError ShapeError(ReadOnlySpan<byte> payload, in Utf8JsonReader reader, string problem)
    {
        var before = payload[..(int)reader.TokenStartIndex];
        var lineStart = before.LastIndexOf((byte)'\n') + 1;
        var line = before.Count((byte)'\n') + 1;
        return new LineError(line, $"unexpected JSON shape at byte {before.Length - lineStart + 1} of the line: {problem}");
    }

    private static void ReadPoints(ReadOnlySpan<byte> payload, ParsedBatch into)
    {
        var reader = new Utf8JsonReader(payload);
        reader.Read();
        if (reader.TokenType == JsonTokenType.StartObject)
        {
            while (reader.Read() && !JsonPointReader.NameIs(reader, "points"u8))
            {
                reader.Read();
                reader.Skip();
            }

            reader.Read();
        }

        // On the array's StartArray now; step onto the first point.
        reader.Read();
        var points = new JsonPointReader(into);
        var index = 0;
        while (reader.TokenType != JsonTokenType.EndArray)
        {
            index++;
            if (reader.TokenType != JsonTokenType.StartObject)
            {
                into.AddError(index, $"point must be an object, not {JsonPointReader.Describe(reader.TokenType)}");
                reader.Skip();
            }
            else if (points.Read(ref reader, out var point) is { } error)
            {
                into.AddError(index, error);
            }
            else
            {
                points.Commit(point, index);
            }

            reader.Read();
        }
    }
}
