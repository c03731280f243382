using System.Text;
using FunctionsObservability.Pipeline.Formats.Otlp;
using FunctionsObservability.Pipeline.Model;
using Google.Protobuf;

namespace FunctionsObservability.Pipeline.Formats;

/// <summary>
/// OTLP/HTTP metrics: an <c>ExportMetricsServiceRequest</c> in protobuf (<c>application/x-protobuf</c>)
/// or in OTLP's JSON (<c>application/json</c>: the proto3 JSON mapping, lowerCamelCase names, enums as
/// numbers, 64-bit integers as strings or numbers; unknown fields are skipped). Each data point is one
/// unit, numbered from 1 across the request; see <see cref="OtlpPointWriter"/> for what each becomes.
/// </summary>
/// <remarks>
/// A body that does not decode is one error on unit 0, with no units received: the request is rejected
/// whole, and the error says what was wrong. Resource attributes other than <c>service.name</c>,
/// <c>service.namespace</c> and <c>service.instance.id</c>, scope names and versions, units,
/// descriptions, exemplars and histogram min/max are not kept.
/// </remarks>
public sealed class OtlpMetricsParser(bool json) : IPointParser
{
    private static readonly JsonParser Json = new(JsonParser.Settings.Default.WithIgnoreUnknownFields(true));

    public void Parse(ReadOnlySpan<byte> payload, ParseSettings settings, ParsedBatch into)
    {
        ArgumentNullException.ThrowIfNull(into);
        ExportMetricsServiceRequest request;
        try
        {
            request = json
                ? Json.Parse<ExportMetricsServiceRequest>(Encoding.UTF8.GetString(payload))
                : ExportMetricsServiceRequest.Parser.ParseFrom(payload);
        }
        catch (IOException exception)
        {
            // InvalidProtocolBufferException and InvalidJsonException, whose messages say what and where.
            into.LineCount = 0;
            into.AddError(0, json
                ? $"the body is not an OTLP JSON ExportMetricsServiceRequest: {exception.Message}"
                : $"the body is not a protobuf ExportMetricsServiceRequest: {exception.Message}");
            return;
        }

        var writer = new OtlpPointWriter(into);
        foreach (var resource in request.ResourceMetrics)
        {
            var resourceTags = OtlpNames.ResourceTags(resource.Resource);
            foreach (var scope in resource.ScopeMetrics)
            {
                foreach (var metric in scope.Metrics)
                {
                    writer.Write(metric, resourceTags);
                }
            }
        }

        into.LineCount = writer.Units;
    }
}
