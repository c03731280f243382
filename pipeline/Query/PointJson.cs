using System.Text.Encodings.Web;
using System.Text.Json;
using FunctionsObservability.Pipeline.Model;

namespace FunctionsObservability.Pipeline.Query;

/// <summary>
/// The API's point shape, <c>{"metric","tags","timestamp","value"}</c>, written once for the query
/// routes and the live tail alike.
/// </summary>
public static class PointJson
{
    /// <summary>Readable messages: quotes stay quotes. The answers are JSON, never HTML.</summary>
    public static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static void WritePoint(Utf8JsonWriter writer, SeriesDescriptor series, long timestampMicros, double value)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(series);
        writer.WriteStartObject();
        writer.WriteString("metric", series.Metric);
        WriteTags(writer, series.Tags);
        WriteTimestamp(writer, timestampMicros);
        writer.WriteNumber("value", value);
        writer.WriteEndObject();
    }

    public static void WriteTags(Utf8JsonWriter writer, IReadOnlyList<KeyValuePair<string, string>> tags)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(tags);
        writer.WriteStartObject("tags");
        foreach (var (key, value) in tags)
        {
            writer.WriteString(key, value);
        }

        writer.WriteEndObject();
    }

    public static void WriteTimestamp(Utf8JsonWriter writer, long micros)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteString("timestamp", ToDateTime(micros));
    }

    /// <summary>RFC 3339 in UTC, with as many fraction digits as the value needs (as Utf8JsonWriter writes it).</summary>
    public static string FormatTimestamp(long micros) =>
        ToDateTime(micros).ToString(TimestampFormat(micros), System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The format of <see cref="FormatTimestamp"/>: whole seconds without a fraction.</summary>
    public static string TimestampFormat(long micros) =>
        micros % 1_000_000 == 0 ? "yyyy-MM-dd'T'HH:mm:ss'Z'" : "yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'";

    public static DateTime ToDateTime(long micros) => new(DateTime.UnixEpoch.Ticks + (micros * 10), DateTimeKind.Utc);
}
