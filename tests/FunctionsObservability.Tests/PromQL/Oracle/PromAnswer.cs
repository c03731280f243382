using System.Globalization;
using System.Text.Json;

namespace FunctionsObservability.Tests.PromQL.Oracle;

/// <summary>
/// A query's answer as Prometheus's JSON gives it, reduced to what is compared: the error type, or
/// the result type and the series keyed by label set, each with its (timestamp ms, value) points.
/// </summary>
public sealed class PromAnswer
{
    public string? ErrorType { get; private init; }

    public string? Error { get; private init; }

    public string ResultType { get; private init; } = string.Empty;

    /// <summary>Series by label set (as "{a="1",b="2"}"); scalars and strings are one series keyed "".</summary>
    public Dictionary<string, List<(long TimestampMs, string Value, string RawTime)>> Series { get; } = new(StringComparer.Ordinal);

    public static PromAnswer FromError(string errorType, string error) => new() { ErrorType = errorType, Error = error };

    /// <summary>Reads a whole response body: <c>{"status":"success","data":{...}}</c> or <c>{"status":"error",...}</c>.</summary>
    public static PromAnswer FromResponse(string body)
    {
        using var document = JsonDocument.Parse(body);
        var root = document.RootElement;
        Assert.True(root.TryGetProperty("status", out _), $"not a Prometheus answer: {body}");
        return root.GetProperty("status").GetString() == "success"
            ? FromData(root.GetProperty("data"))
            : FromError(root.GetProperty("errorType").GetString()!, root.GetProperty("error").GetString()!);
    }

    /// <summary>Reads the <c>data</c> object alone, as <c>PromJson.WriteData</c> writes it.</summary>
    public static PromAnswer FromData(JsonElement data)
    {
        var answer = new PromAnswer { ResultType = data.GetProperty("resultType").GetString()! };
        var result = data.GetProperty("result");
        switch (answer.ResultType)
        {
            case "scalar" or "string":
                answer.Series[string.Empty] = [Point(result)];
                break;
            default:
                foreach (var item in result.EnumerateArray())
                {
                    var key = Key(item.GetProperty("metric"));
                    Assert.False(answer.Series.ContainsKey(key), $"the answer holds {key} twice");
                    answer.Series[key] = item.TryGetProperty("value", out var value)
                        ? [Point(value)]
                        : [.. item.GetProperty("values").EnumerateArray().Select(Point)];
                }

                break;
        }

        return answer;
    }

    public override string ToString() => ErrorType is not null
        ? $"error {ErrorType}: {Error}"
        : $"{ResultType} with {Series.Count} series: " + string.Join("; ", Series.Take(4).Select(s =>
            $"{s.Key} [{string.Join(", ", s.Value.Take(3).Select(p => $"{p.TimestampMs}:{p.Value}"))}{(s.Value.Count > 3 ? $", ... ({s.Value.Count})" : "")}]"));

    private static string Key(JsonElement metric) =>
        "{" + string.Join(",", metric.EnumerateObject().OrderBy(p => p.Name, StringComparer.Ordinal).Select(p => $"{p.Name}=\"{p.Value.GetString()}\"")) + "}";

    private static (long, string, string) Point(JsonElement point)
    {
        // Timestamps are seconds with up to three decimals; decimal keeps them exact.
        var raw = point[0].GetRawText();
        var seconds = decimal.Parse(raw, NumberStyles.Float, CultureInfo.InvariantCulture);
        return ((long)(seconds * 1000), point[1].GetString()!, raw);
    }
}
