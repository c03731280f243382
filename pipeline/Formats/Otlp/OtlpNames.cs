using System.Globalization;
using System.Text;
using System.Text.Json;

namespace FunctionsObservability.Pipeline.Formats.Otlp;

/// <summary>
/// OTLP names and values as Prometheus translates them: a character a Prometheus name may not hold
/// becomes <c>_</c>, a metric name that starts with a digit gets a leading <c>_</c> and a tag key one
/// <c>key_</c>; attribute values of any kind become text; <c>service.name</c> (with
/// <c>service.namespace</c>) is the <c>job</c> tag and <c>service.instance.id</c> the <c>instance</c> tag.
/// </summary>
internal static class OtlpNames
{
    public const string Job = "job";
    public const string Instance = "instance";

    private const string ServiceName = "service.name";
    private const string ServiceNamespace = "service.namespace";
    private const string ServiceInstance = "service.instance.id";
    private const string CounterSuffix = "_total";

    /// <summary>Letters, digits, <c>_</c> and <c>:</c> stay; anything else becomes <c>_</c>.</summary>
    public static string MetricName(string name) => Sanitise(name, allowColon: true, digitPrefix: "_");

    /// <summary>Letters, digits and <c>_</c> stay; anything else becomes <c>_</c>.</summary>
    public static string TagKey(string key) => Sanitise(key, allowColon: false, digitPrefix: "key_");

    /// <summary>A monotonic cumulative sum is a Prometheus counter: the name ends in <c>_total</c>, never twice.</summary>
    public static string CounterName(string metric) =>
        metric.EndsWith(CounterSuffix, StringComparison.Ordinal) ? metric : metric + CounterSuffix;

    /// <summary>A bucket bound or quantile as a tag value: shortest round-trip text, <c>+Inf</c> for infinity.</summary>
    public static string Number(double value) => double.IsPositiveInfinity(value) ? "+Inf"
        : double.IsNegativeInfinity(value) ? "-Inf"
        : value.ToString(CultureInfo.InvariantCulture);

    /// <summary><c>job</c> and <c>instance</c> from the resource; its other attributes are not kept.</summary>
    public static KeyValuePair<string, string>[] ResourceTags(Resource? resource)
    {
        if (resource is null)
        {
            return [];
        }

        string? name = null, space = null, instance = null;
        foreach (var attribute in resource.Attributes)
        {
            switch (attribute.Key)
            {
                case ServiceName: name = Text(attribute.Value); break;
                case ServiceNamespace: space = Text(attribute.Value); break;
                case ServiceInstance: instance = Text(attribute.Value); break;
            }
        }

        var tags = new List<KeyValuePair<string, string>>(2);
        if (!string.IsNullOrEmpty(name))
        {
            tags.Add(new(Job, string.IsNullOrEmpty(space) ? name : $"{space}/{name}"));
        }

        if (!string.IsNullOrEmpty(instance))
        {
            tags.Add(new(Instance, instance));
        }

        return [.. tags];
    }

    /// <summary>
    /// A data point's attributes as tags. Keys that sanitise to the same text keep both values, joined
    /// with <c>;</c> in the order given; an empty value is an absent tag, as in Prometheus.
    /// </summary>
    public static Dictionary<string, string> Tags(IEnumerable<KeyValue> attributes, KeyValuePair<string, string>[] resourceTags)
    {
        var tags = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var attribute in attributes)
        {
            var value = Text(attribute.Value);
            if (value.Length == 0 || attribute.Key.Length == 0)
            {
                continue;
            }

            var key = TagKey(attribute.Key);
            tags[key] = tags.TryGetValue(key, out var earlier) ? $"{earlier};{value}" : value;
        }

        // The resource's job and instance win over attributes of the same name, as in Prometheus.
        foreach (var (key, value) in resourceTags)
        {
            tags[key] = value;
        }

        return tags;
    }

    /// <summary>Strings as they are; numbers and booleans in invariant text; bytes in base64; arrays and maps as JSON.</summary>
    public static string Text(AnyValue? value) => value?.ValueCase switch
    {
        AnyValue.ValueOneofCase.StringValue => value.StringValue,
        AnyValue.ValueOneofCase.BoolValue => value.BoolValue ? "true" : "false",
        AnyValue.ValueOneofCase.IntValue => value.IntValue.ToString(CultureInfo.InvariantCulture),
        AnyValue.ValueOneofCase.DoubleValue => value.DoubleValue.ToString(CultureInfo.InvariantCulture),
        AnyValue.ValueOneofCase.BytesValue => Convert.ToBase64String(value.BytesValue.Span),
        AnyValue.ValueOneofCase.ArrayValue or AnyValue.ValueOneofCase.KvlistValue => Json(value),
        _ => string.Empty,
    };

    /// <summary>
    /// The JSON text of an array or map. Every string is valid UTF-16: protobuf decoding replaces bad
    /// UTF-8, and the JSON parser refuses a lone surrogate escape (the body is rejected).
    /// </summary>
    private static string Json(AnyValue value)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream))
        {
            WriteJson(writer, value);
        }

        return Encoding.UTF8.GetString(stream.GetBuffer(), 0, (int)stream.Length);
    }

    private static void WriteJson(Utf8JsonWriter writer, AnyValue? value)
    {
        switch (value?.ValueCase)
        {
            case AnyValue.ValueOneofCase.BoolValue: writer.WriteBooleanValue(value.BoolValue); break;
            case AnyValue.ValueOneofCase.IntValue: writer.WriteNumberValue(value.IntValue); break;
            case AnyValue.ValueOneofCase.DoubleValue when double.IsFinite(value.DoubleValue): writer.WriteNumberValue(value.DoubleValue); break;
            case AnyValue.ValueOneofCase.ArrayValue:
                writer.WriteStartArray();
                foreach (var item in value.ArrayValue.Values)
                {
                    WriteJson(writer, item);
                }

                writer.WriteEndArray();
                break;
            case AnyValue.ValueOneofCase.KvlistValue:
                writer.WriteStartObject();
                foreach (var pair in value.KvlistValue.Values)
                {
                    writer.WritePropertyName(pair.Key);
                    WriteJson(writer, pair.Value);
                }

                writer.WriteEndObject();
                break;
            case null or AnyValue.ValueOneofCase.None: writer.WriteNullValue(); break;
            default: writer.WriteStringValue(Text(value)); break;
        }
    }

    private static string Sanitise(string name, bool allowColon, string digitPrefix)
    {
        var valid = true;
        foreach (var c in name)
        {
            valid &= IsNameChar(c, allowColon);
        }

        var prefixed = name.Length > 0 && char.IsAsciiDigit(name[0]);
        if (valid && !prefixed)
        {
            return name;
        }

        var builder = new StringBuilder(name.Length + digitPrefix.Length);
        if (prefixed)
        {
            builder.Append(digitPrefix);
        }

        foreach (var c in name)
        {
            builder.Append(IsNameChar(c, allowColon) ? c : '_');
        }

        return builder.ToString();
    }

    private static bool IsNameChar(char c, bool allowColon) => char.IsAsciiLetterOrDigit(c) || c == '_' || (allowColon && c == ':');
}
