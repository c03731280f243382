using System.Text.Json;

namespace FunctionsObservability.Pipeline.PromQL;

/// <summary>
/// Writes the <c>data</c> object of Prometheus's query answer:
/// <c>{"resultType":"vector","result":[{"metric":{...},"value":[1700000000.123,"1.5"]}]}</c>, matrices with
/// <c>"values"</c>, scalars and strings as <c>[t,"v"]</c>.
/// </summary>
public static class PromJson
{
    public static void WriteData(Utf8JsonWriter writer, PromResult result)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(result);
        writer.WriteStartObject();
        writer.WriteString("resultType", result.Type switch
        {
            PromValueType.Scalar => "scalar",
            PromValueType.String => "string",
            PromValueType.Vector => "vector",
            _ => "matrix",
        });
        writer.WritePropertyName("result");
        switch (result.Type)
        {
            case PromValueType.Scalar:
                // Prometheus writes scalars and strings through Go's JSON (float seconds, plain 'f' value),
                // unlike the points of vectors and matrices.
                WritePoint(writer, PromNumberFormat.FormatFloatSeconds(result.TimestampMs), PromNumberFormat.FormatPlain(result.Scalar));
                break;
            case PromValueType.String:
                WritePoint(writer, PromNumberFormat.FormatFloatSeconds(result.TimestampMs), result.String);
                break;
            case PromValueType.Vector:
                writer.WriteStartArray();
                foreach (var sample in result.Vector)
                {
                    writer.WriteStartObject();
                    WriteMetric(writer, sample.Labels);
                    writer.WritePropertyName("value");
                    WritePoint(writer, PromNumberFormat.FormatTimestamp(sample.TimestampMs), PromNumberFormat.Format(sample.Value));
                    writer.WriteEndObject();
                }

                writer.WriteEndArray();
                break;
            default:
                writer.WriteStartArray();
                foreach (var series in result.Matrix)
                {
                    writer.WriteStartObject();
                    WriteMetric(writer, series.Labels);
                    writer.WriteStartArray("values");
                    for (var i = series.Start; i < series.End; i++)
                    {
                        WritePoint(writer, PromNumberFormat.FormatTimestamp(series.TimestampsMs[i]), PromNumberFormat.Format(series.Values[i]));
                    }

                    writer.WriteEndArray();
                    writer.WriteEndObject();
                }

                writer.WriteEndArray();
                break;
        }

        writer.WriteEndObject();
    }

    private static void WriteMetric(Utf8JsonWriter writer, PromLabels labels)
    {
        writer.WriteStartObject("metric");
        foreach (var (name, value) in labels.AsEnumerable())
        {
            writer.WriteString(name, value);
        }

        writer.WriteEndObject();
    }

    private static void WritePoint(Utf8JsonWriter writer, string seconds, string value)
    {
        writer.WriteStartArray();
        writer.WriteRawValue(seconds, skipInputValidation: true);
        writer.WriteStringValue(value);
        writer.WriteEndArray();
    }
}
