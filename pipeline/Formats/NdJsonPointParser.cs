using System.Text.Json;
using FunctionsObservability.Pipeline.Model;

namespace FunctionsObservability.Pipeline.Formats;

/// <summary><c>application/x-ndjson</c>: one point object per line.</summary>
/// <remarks>
/// <see cref="LineError.Line"/> is the 1-based physical line. Blank lines are skipped and not counted in
/// <see cref="ParsedBatch.LineCount"/>. Malformed JSON on a line rejects only that line. A non-positive
/// <see cref="ParseSettings.MaxLineBytes"/> means no limit.
/// </remarks>
public sealed class NdJsonPointParser : IPointParser
{
    public void Parse(ReadOnlySpan<byte> payload, ParseSettings settings, ParsedBatch into)
    {
        ArgumentNullException.ThrowIfNull(into);
        var points = new JsonPointReader(into);
        var rest = payload;
        var lineNumber = 0;
        var units = 0;
        while (TextLines.TryNext(ref rest, out var line))
        {
            lineNumber++;
            var content = TextLines.TrimBlanks(line);
            if (content.IsEmpty)
            {
                continue;
            }

            units++;
            var error = TextLines.IsTooLong(line, settings.MaxLineBytes)
                ? TextLines.TooLongMessage(line.Length, settings.MaxLineBytes)
                : ReadLine(content, lineNumber, points);
            if (error is not null)
            {
                into.AddError(lineNumber, error);
            }
        }

        into.LineCount = units;
    }

    private static string? ReadLine(ReadOnlySpan<byte> line, int lineNumber, JsonPointReader points)
    {
        var reader = new Utf8JsonReader(line);
        try
        {
            reader.Read();
            if (reader.TokenType != JsonTokenType.StartObject)
            {
                return $"line must be a JSON object, not {JsonPointReader.Describe(reader.TokenType)}";
            }

            var error = points.Read(ref reader, out var point);

            // Throws for anything after the object, so "{...} x" is not half-accepted.
            reader.Read();
            if (error is not null)
            {
                return error;
            }

            points.Commit(point, lineNumber);
            return null;
        }
        catch (JsonException exception)
        {
            return JsonPointReader.DescribeMalformed(exception);
        }
    }
}
