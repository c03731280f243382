using System.Text.Json;
using System.Text.Json.Nodes;

namespace FunctionsObservability.Bench;

internal static class JsonOut
{
    private static readonly JsonSerializerOptions Compact = new() { WriteIndented = false };

    /// <summary>Writes one JSON object on one line of stdout; NaN and infinities become null.</summary>
    public static void Print(JsonObject result)
    {
        Console.Out.WriteLine(result.ToJsonString(Compact));
        Console.Out.Flush();
    }

    /// <summary>A JSON number rounded to <paramref name="digits"/>, or null for NaN.</summary>
    public static JsonNode? Num(double value, int digits = 3) =>
        double.IsFinite(value) ? JsonValue.Create(Math.Round(value, digits)) : null;
}
