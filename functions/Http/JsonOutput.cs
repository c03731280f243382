using System.Text.Json;
using FunctionsObservability.Pipeline.Query;

namespace FunctionsObservability.Functions.Http;

/// <summary>Response JSON written straight to the body pipe, without reflection or a DOM.</summary>
internal static class JsonOutput
{
    /// <summary>Readable messages: quotes stay quotes. The responses are JSON, never HTML.</summary>
    public static readonly JsonWriterOptions WriterOptions = PointJson.WriterOptions;

    public static async Task WriteAsync(HttpResponse response, Action<Utf8JsonWriter> write, int status = StatusCodes.Status200OK)
    {
        response.StatusCode = status;
        response.ContentType = "application/json; charset=utf-8";
        var writer = new Utf8JsonWriter(response.BodyWriter, JsonOutput.WriterOptions);
        await using (writer.ConfigureAwait(false))
        {
            write(writer);
        }
    }

    public static Task ErrorAsync(HttpResponse response, int status, string message, string? parameter = null) =>
        WriteAsync(response, writer =>
        {
            writer.WriteStartObject();
            writer.WriteString("error", message);
            if (parameter is not null)
            {
                writer.WriteString("parameter", parameter);
            }

            writer.WriteEndObject();
        }, status);

    public static void WritePoint(Utf8JsonWriter writer, QueriedPoint point) =>
        PointJson.WritePoint(writer, point.Series.Descriptor, point.TimestampMicros, point.Value);

    public static void WriteTags(Utf8JsonWriter writer, IReadOnlyList<KeyValuePair<string, string>> tags) => PointJson.WriteTags(writer, tags);

    public static void WriteTimestamp(Utf8JsonWriter writer, long micros) => PointJson.WriteTimestamp(writer, micros);

    /// <summary>RFC 3339 in UTC, with as many fraction digits as the value needs (as Utf8JsonWriter writes it).</summary>
    public static string FormatTimestamp(long micros) => PointJson.FormatTimestamp(micros);
}
