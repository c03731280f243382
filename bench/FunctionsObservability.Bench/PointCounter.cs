using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace FunctionsObservability.Bench;

/// <summary>
/// Counts stored points through <c>GET /api/metrics</c>. The response shape is read loosely: any
/// JSON object with a name-like string property and a count-like number property is one metric,
/// as is a plain <c>{"name": number}</c> map.
/// </summary>
internal static class PointCounter
{
    private static readonly string[] NameKeys = ["name", "metric", "metricName", "metric_name", "measurement"];

    private static readonly string[] CountKeys =
        ["points", "pointCount", "point_count", "count", "totalPoints", "total_points", "numPoints", "rows"];

    public static async Task<CountResult> CountAsync(
        HttpClient client, string prefix, CancellationToken token = default)
    {
        var clock = Stopwatch.StartNew();
        using var response = await client.GetAsync(Http.Relative("/api/metrics"), token);
        var body = await response.Content.ReadAsStringAsync(token);
        var ms = clock.Elapsed.TotalMilliseconds;
        if (!response.IsSuccessStatusCode)
        {
            return new CountResult(null, 0, ms, $"HTTP {(int)response.StatusCode}: {Trim(body)}");
        }

        var found = new Dictionary<string, long>(StringComparer.Ordinal);
        try
        {
            Collect(JsonNode.Parse(body), found);
        }
        catch (JsonException e)
        {
            return new CountResult(null, 0, ms, $"not JSON ({e.Message}): {Trim(body)}");
        }

        if (found.Count == 0)
        {
            return new CountResult(null, 0, ms, $"no metric counts recognised in: {Trim(body)}");
        }

        var matching = found.Where(kv => kv.Key.StartsWith(prefix, StringComparison.Ordinal)).ToList();
        return new CountResult(matching.Sum(kv => kv.Value), matching.Count, ms, null);
    }

    /// <summary>
    /// Counts until the stored points reach <paramref name="expected"/> or <paramref name="maxWait"/>
    /// passes; a store that commits before it answers reaches it on the first try.
    /// </summary>
    public static Task<JsonObject> VerifyAsync(
        HttpClient client, string prefix, long expected, TimeSpan maxWait) =>
        VerifyAsync(() => CountAsync(client, prefix), prefix, expected, maxWait, TimeSpan.FromMilliseconds(250));

    /// <summary>
    /// The same with any counter (see <see cref="PeerCount"/>), polling every <paramref name="poll"/>;
    /// <c>waited_ms</c> is from the call until the last count answered.
    /// </summary>
    public static async Task<JsonObject> VerifyAsync(
        Func<Task<CountResult>> count, string prefix, long expected, TimeSpan maxWait, TimeSpan poll)
    {
        var clock = Stopwatch.StartNew();
        CountResult result;
        var attempts = 0;
        while (true)
        {
            attempts++;
            result = await count();
            if (result.Stored >= expected || clock.Elapsed >= maxWait || result.Error is not null)
            {
                break;
            }

            await Task.Delay(poll);
        }

        return new JsonObject
        {
            ["metric_prefix"] = prefix,
            ["acknowledged"] = expected,
            ["stored"] = result.Stored,
            ["lost"] = result.Stored is { } s ? expected - s : null,
            ["ok"] = result.Stored == expected,
            ["metrics"] = result.Metrics,
            ["count_query_ms"] = JsonOut.Num(result.Milliseconds, 2),
            ["attempts"] = attempts,
            ["waited_ms"] = JsonOut.Num(clock.Elapsed.TotalMilliseconds, 0),
            ["error"] = result.Error,
        };
    }

    private static void Collect(JsonNode? node, Dictionary<string, long> found)
    {
        switch (node)
        {
            case JsonArray array:
                foreach (var item in array)
                {
                    Collect(item, found);
                }

                break;
            case JsonObject obj:
                var name = NameKeys.Select(k => obj[k]).OfType<JsonValue>()
                    .Select(v => v.TryGetValue<string>(out var s) ? s : null).FirstOrDefault(s => s is not null);
                var count = CountKeys.Select(k => obj[k]).OfType<JsonValue>()
                    .Select(v => v.TryGetValue<long>(out var n) ? n : (long?)null).FirstOrDefault(n => n is not null);
                if (name is not null && count is not null)
                {
                    found[name] = found.GetValueOrDefault(name) + count.Value;
                    return;
                }

                foreach (var (key, value) in obj)
                {
                    if (value is JsonValue v && v.GetValueKind() == JsonValueKind.Number
                        && v.TryGetValue<long>(out var n) && key.Contains('_', StringComparison.Ordinal))
                    {
                        found[key] = found.GetValueOrDefault(key) + n; // {"cpu_usage_user": 123}
                    }
                    else
                    {
                        Collect(value, found);
                    }
                }

                break;
        }
    }

    private static string Trim(string body) => body.Length > 300 ? body[..300] + "..." : body;
}

internal readonly record struct CountResult(long? Stored, int Metrics, double Milliseconds, string? Error);
