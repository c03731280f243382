using System.Text.Json;
using FunctionsObservability.Pipeline.Query;

namespace FunctionsObservability.Functions.Http;

/// <summary>
/// Writes an aggregate answer. Answers can hold up to a million buckets, so the writer flushes
/// to the client as it goes, and each bucket time is formatted once, not once per series.
/// </summary>
internal static class AggregateJson
{
    private const int FlushEveryBytes = 64 * 1024;
    private static readonly JsonEncodedText SeriesName = JsonEncodedText.Encode("series");
    private static readonly JsonEncodedText PointsName = JsonEncodedText.Encode("points");
    private static readonly JsonEncodedText TimestampName = JsonEncodedText.Encode("timestamp");
    private static readonly JsonEncodedText ValueName = JsonEncodedText.Encode("value");

    public static async Task WriteAsync(HttpResponse response, IReadOnlyList<AggregateSeries> series, CancellationToken cancellationToken)
    {
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "application/json; charset=utf-8";
        var times = new Dictionary<long, JsonEncodedText>();
        var writer = new Utf8JsonWriter(response.BodyWriter, JsonOutput.WriterOptions);
        await using (writer.ConfigureAwait(false))
        {
            writer.WriteStartObject();
            writer.WriteStartArray(SeriesName);
            foreach (var item in series)
            {
                writer.WriteStartObject();
                JsonOutput.WriteTags(writer, item.Tags);
                writer.WriteStartArray(PointsName);
                foreach (var bucket in item.Points)
                {
                    if (!times.TryGetValue(bucket.TimestampMicros, out var time))
                    {
                        time = JsonEncodedText.Encode(JsonOutput.FormatTimestamp(bucket.TimestampMicros));
                        times[bucket.TimestampMicros] = time;
                    }

                    writer.WriteStartObject();
                    writer.WriteString(TimestampName, time);
                    writer.WriteNumber(ValueName, bucket.Value);
                    writer.WriteEndObject();
                }

                writer.WriteEndArray();
                writer.WriteEndObject();
                if (writer.BytesPending > FlushEveryBytes)
                {
                    await writer.FlushAsync(cancellationToken).ConfigureAwait(false);
                }
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }
    }
}
