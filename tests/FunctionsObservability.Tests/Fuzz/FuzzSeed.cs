using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace FunctionsObservability.Tests.Fuzz;

/// <summary>
/// The valid data written before the fuzz run, in every format, and its count afterwards through the
/// query API. No fuzz case writes this metric: every mutated body starts from <c>fz_*</c> names.
/// </summary>
internal static class FuzzSeed
{
    public const string Metric = "fuzzseed_v";

    /// <summary>For the PromQL regex cases: <c>fz_redos{v="aaa…a!"}</c>.</summary>
    public const string RedosMetric = "fz_redos";

    /// <summary>Writes the seed and returns the points acknowledged, and a real cursor to fuzz with.</summary>
    public static async Task<(long Acknowledged, string Cursor)> WriteAsync(HttpClient client, long nowMillis)
    {
        var baseMillis = nowMillis - (2 * 3_600_000);
        var n = 0;
        long acknowledged = 0;
        for (var request = 0; request < 3; request++)
        {
            var lines = Enumerable.Range(0, 100).Select(_ => Line(n++));
            acknowledged += await PostAsync(client, "/api/ingest", string.Join('\n', lines), "text/plain", 100);
        }

        string Point(int i) => string.Create(CultureInfo.InvariantCulture, $"{{\"metric\":\"{Metric}\",\"tags\":{{\"host\":\"h{i % 5}\"}},\"timestamp\":{baseMillis + (i * 1000)},\"value\":{i}}}");
        string Line(int i) => string.Create(CultureInfo.InvariantCulture, $"fuzzseed,host=h{i % 5} v={i} {(baseMillis + (i * 1000)) * 1_000_000}");
        acknowledged += await PostAsync(client, "/api/ingest", "[" + string.Join(',', Enumerable.Range(0, 50).Select(_ => Point(n++))) + "]", "application/json", 50);
        acknowledged += await PostAsync(client, "/api/ingest", string.Join('\n', Enumerable.Range(0, 50).Select(_ => Point(n++))), "application/x-ndjson", 50);
        acknowledged += await PostAsync(client, "/api/v2/write?org=o&bucket=b", string.Join('\n', Enumerable.Range(0, 50).Select(_ => Line(n++))), "text/plain", 50);

        // Not counted: a series whose label value makes a nested-quantifier regex backtrack for longer than the matchers' timeout.
        var redos = string.Create(CultureInfo.InvariantCulture, $"[{{\"metric\":\"{RedosMetric}\",\"tags\":{{\"v\":\"{new string('a', 40)}!\"}},\"timestamp\":{baseMillis},\"value\":1}}]");
        await PostAsync(client, "/api/ingest", redos, "application/json", 1);

        using var page = await client.GetAsync($"/api/query/points?metric={Metric}&limit=10");
        var cursor = JsonDocument.Parse(await page.Content.ReadAsStringAsync()).RootElement.GetProperty("nextCursor").GetString();
        Assert.False(string.IsNullOrEmpty(cursor), "the seed's first page has no nextCursor");
        return (acknowledged, cursor!);
    }

    /// <summary>The seed's points by page walk, by NDJSON stream and by the catalog; problems go to <paramref name="problems"/>.</summary>
    public static async Task<(long Paged, long Streamed, long Catalog)> CountAsync(HttpClient client, List<string> problems)
    {
        long paged = 0;
        string? cursor = null;
        for (var pages = 0; pages < 1000; pages++)
        {
            var target = $"/api/query/points?metric={Metric}&limit=97" + (cursor is null ? "" : "&cursor=" + Uri.EscapeDataString(cursor));
            using var response = await client.GetAsync(target);
            var text = await response.Content.ReadAsStringAsync();
            if (response.StatusCode != HttpStatusCode.OK)
            {
                problems.Add($"after the fuzz run, GET {target} answered {(int)response.StatusCode}: {FuzzCase.Escape(text, 300)}");
                break;
            }

            var root = JsonDocument.Parse(text).RootElement;
            paged += root.GetProperty("points").GetArrayLength();
            cursor = root.GetProperty("nextCursor").GetString();
            if (cursor is null)
            {
                break;
            }
        }

        using var stream = new HttpRequestMessage(HttpMethod.Get, $"/api/query/points?metric={Metric}");
        stream.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/x-ndjson"));
        using var streamed = await client.SendAsync(stream);
        var lines = (await streamed.Content.ReadAsStringAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries).LongLength;

        using var metrics = await client.GetAsync("/api/metrics");
        var catalog = JsonDocument.Parse(await metrics.Content.ReadAsStringAsync()).RootElement.GetProperty("metrics").EnumerateArray()
            .Where(m => m.GetProperty("metric").GetString() == Metric).Select(m => m.GetProperty("points").GetInt64()).FirstOrDefault();
        return (paged, lines, catalog);
    }

    private static async Task<long> PostAsync(HttpClient client, string path, string body, string contentType, long sent)
    {
        using var content = new StringContent(body, Encoding.UTF8);
        content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        using var response = await client.PostAsync(path, content);
        var text = await response.Content.ReadAsStringAsync();
        if (response.StatusCode == HttpStatusCode.NoContent)
        {
            return sent;
        }

        Assert.True(response.StatusCode == HttpStatusCode.OK, $"seed POST {path} answered {(int)response.StatusCode}: {text}");
        return JsonDocument.Parse(text).RootElement.GetProperty("pointsWritten").GetInt64();
    }
}
