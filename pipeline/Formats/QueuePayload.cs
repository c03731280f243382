using System.Text;
using System.Text.Json;
using FunctionsObservability.Pipeline.Model;

namespace FunctionsObservability.Pipeline.Formats;

/// <summary>
/// What a queue message carries, and in which format. A message is either an envelope
/// <c>{"contentType":"text/plain","precision":"s","payload":"..."}</c>, or a bare payload whose
/// format is recognised from its first character: <c>[</c> is a JSON array, <c>{</c> is
/// <c>{"points":[...]}</c> or NDJSON point objects, anything else is line protocol (nanoseconds).
/// </summary>
public sealed record QueuePayload(PayloadFormat Format, TimestampPrecision Precision, byte[] Body)
{
    public static bool TryRead(string message, out QueuePayload? payload, out string? error)
    {
        ArgumentNullException.ThrowIfNull(message);
        payload = null;
        var trimmed = message.AsSpan().TrimStart();
        if (trimmed.IsEmpty)
        {
            error = "the message is empty";
            return false;
        }

        if (trimmed[0] == '[')
        {
            return Bare(PayloadFormat.Json, message, out payload, out error);
        }

        if (trimmed[0] != '{')
        {
            return Bare(PayloadFormat.LineProtocol, message, out payload, out error);
        }

        return FirstPropertyName(message) switch
        {
            "contentType" or "payload" or "precision" => TryReadEnvelope(message, out payload, out error),
            "points" => Bare(PayloadFormat.Json, message, out payload, out error),
            _ => Bare(PayloadFormat.NdJson, message, out payload, out error),
        };
    }

    private static bool Bare(PayloadFormat format, string message, out QueuePayload? payload, out string? error)
    {
        payload = new QueuePayload(format, TimestampPrecision.Nanoseconds, Encoding.UTF8.GetBytes(message));
        error = null;
        return true;
    }

    private static string? FirstPropertyName(string message)
    {
        var reader = new Utf8JsonReader(Encoding.UTF8.GetBytes(message), new JsonReaderOptions { AllowTrailingCommas = false });
        try
        {
            return reader.Read() && reader.TokenType == JsonTokenType.StartObject && reader.Read() && reader.TokenType == JsonTokenType.PropertyName
                ? reader.GetString()
                : null;
        }
        catch (Exception exception) when (exception is JsonException or InvalidOperationException)
        {
            // Not JSON, or a name that cannot be text (a lone surrogate escape): not an envelope.
            return null;
        }
    }

    private static bool TryReadEnvelope(string message, out QueuePayload? payload, out string? error)
    {
        payload = null;
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(message);
        }
        catch (JsonException exception)
        {
            error = $"the envelope is not valid JSON: {exception.Message}";
            return false;
        }

        using (document)
        {
            try
            {
                return TryReadEnvelope(document.RootElement, out payload, out error);
            }
            catch (InvalidOperationException)
            {
                // GetString refuses a lone surrogate escape: such a message can never be ingested.
                error = "the envelope holds a string with a lone surrogate escape, which is not valid text";
                return false;
            }
        }
    }

    private static bool TryReadEnvelope(JsonElement root, out QueuePayload? payload, out string? error)
    {
        payload = null;
        if (!root.TryGetProperty("payload", out var body) || body.ValueKind != JsonValueKind.String)
        {
            error = "the envelope has no \"payload\" string";
            return false;
        }

        var contentType = root.TryGetProperty("contentType", out var type) && type.ValueKind == JsonValueKind.String ? type.GetString() : "text/plain";
        PayloadFormat? format = (contentType ?? "").Split(';', 2)[0].Trim().ToLowerInvariant() switch
        {
            "text/plain" or "" => PayloadFormat.LineProtocol,
            "application/json" => PayloadFormat.Json,
            "application/x-ndjson" or "application/ndjson" or "application/jsonl" => PayloadFormat.NdJson,
            _ => null,
        };
        if (format is null)
        {
            error = $"contentType \"{contentType}\" is not text/plain, application/json or application/x-ndjson";
            return false;
        }

        var precisionText = root.TryGetProperty("precision", out var p) && p.ValueKind == JsonValueKind.String ? p.GetString() : null;
        if (!TimestampPrecisionParser.TryParse(precisionText, out var precision))
        {
            error = $"precision \"{precisionText}\" is not one of ns, us, ms, s";
            return false;
        }

        payload = new QueuePayload(format.Value, precision, Encoding.UTF8.GetBytes(body.GetString()!));
        error = null;
        return true;
    }
}
