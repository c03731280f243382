using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using FunctionsObservability.Pipeline.Storage;
using FunctionsObservability.Tests.Infrastructure;

namespace FunctionsObservability.Tests.Archiving;

/// <summary>
/// A data set that spans archived and hot partitions, and every kind of query answer over it,
/// captured as text so "the same answer" is string equality.
/// </summary>
internal static class ArchiveTestKit
{
    /// <summary>Four whole hours, three days ago: due for archiving with the default 24 h hot window.</summary>
    public static readonly long OldHour = ((DateTimeOffset.UtcNow.ToUnixTimeSeconds() / 3600) - 72) * 3600;

    /// <summary>An hour that stays hot.</summary>
    public static readonly long RecentHour = ((DateTimeOffset.UtcNow.ToUnixTimeSeconds() / 3600) - 2) * 3600;

    public const int ArchivedHours = 4;

    public static string Iso(long seconds) => DateTimeOffset.FromUnixTimeSeconds(seconds).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    public static Dictionary<string, string> Settings(AzuriteServer? azurite, string? container = null)
    {
        var settings = new Dictionary<string, string>();
        if (azurite is not null)
        {
            settings["Archive:Kind"] = "Blob";
            settings["Archive:ConnectionString"] = azurite.ConnectionString;
            settings["Archive:ContainerName"] = container ?? $"archive-{Guid.NewGuid():N}";
            settings["Archive:NetworkTimeoutSeconds"] = "5";
            settings["Archive:MaxRetries"] = "1";
        }

        return settings;
    }

    /// <summary>
    /// cpu_usage: 3 hosts in 2 regions, a point every 20 s over four old hours and one recent hour,
    /// integer values (so sums are exact in any order), and host h0 written twice at some
    /// instants (duplicates the cursor must count). mem_used: one host, two old hours.
    /// </summary>
    public static async Task IngestAsync(ServiceHost host)
    {
        var body = new StringBuilder();
        foreach (var start in Enumerable.Range(0, ArchivedHours).Select(h => OldHour + (h * 3600)).Append(RecentHour))
        {
            for (var second = 0; second < 3600; second += 20)
            {
                for (var h = 0; h < 3; h++)
                {
                    body.Append(CultureInfo.InvariantCulture, $"cpu,host=h{h},region=r{h % 2} usage={(h * 1000) + (second / 20)} {start + second}\n");
                }

                if (second % 600 == 0)
                {
                    body.Append(CultureInfo.InvariantCulture, $"cpu,host=h0,region=r0 usage={7 + (second / 600)} {start + second}\n");
                }
            }
        }

        for (var second = 0; second < 7200; second += 60)
        {
            body.Append(CultureInfo.InvariantCulture, $"mem,host=h0 used={second} {OldHour + second}\n");
        }

        await WriteAsync(host, body.ToString());
    }

    public static async Task WriteAsync(ServiceHost host, string lineProtocol)
    {
        using var response = await host.PostAsync("/api/v2/write?precision=s", lineProtocol);
        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
    }

    public static async Task<JsonElement> ArchiveNowAsync(ServiceHost host, HttpStatusCode expected = HttpStatusCode.OK)
    {
        using var response = await host.Client.PostAsync("/api/admin/archive", null);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(expected == response.StatusCode, $"archive answered {(int)response.StatusCode}: {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    /// <summary>Rows of a metric still in DuckDB before the given instant (seconds).</summary>
    public static long HotRows(ServiceHost host, string metric, long beforeSeconds)
    {
        using var connection = host.Service<MetricsDatabase>().OpenConnection();
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT count(*) FROM all_points WHERE ts < {beforeSeconds * 1_000_000L} AND series_id IN (SELECT series_id FROM series WHERE metric = '{metric}')";
        return Convert.ToInt64(command.ExecuteScalar(), CultureInfo.InvariantCulture);
    }

    /// <summary>Every page of a keyset walk (points and cursors), with a small page size.</summary>
    public static async Task<List<string>> WalkPagesAsync(ServiceHost host, string query, int limit = 97)
    {
        var pages = new List<string>();
        string? cursor = null;
        do
        {
            var path = $"/api/query/points?{query}&limit={limit}" + (cursor is null ? "" : $"&cursor={Uri.EscapeDataString(cursor)}");
            var page = await host.GetJsonAsync(path);
            pages.Add(page.GetRawText());
            cursor = page.TryGetProperty("nextCursor", out var next) && next.ValueKind == JsonValueKind.String ? next.GetString() : null;
        }
        while (cursor is not null && pages.Count < 10_000);
        return pages;
    }

    public static async Task<string> StreamAsync(ServiceHost host, string query)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/query/points?{query}");
        request.Headers.Accept.ParseAdd("application/x-ndjson");
        using var response = await host.Client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, text);
        return text;
    }

    /// <summary>The answers compared before and after archiving.</summary>
    public static async Task<List<string>> CaptureAsync(ServiceHost host)
    {
        var from = Iso(OldHour - 3600);
        var to = Iso(RecentHour + 7200);
        var answers = new List<string>();
        answers.AddRange(await WalkPagesAsync(host, $"metric=cpu_usage&from={from}&to={to}"));
        answers.AddRange(await WalkPagesAsync(host, "metric=cpu_usage&tag=host:h0", limit: 1000));
        answers.AddRange(await WalkPagesAsync(host, "metric=mem_used"));
        answers.Add(await StreamAsync(host, $"metric=cpu_usage&from={from}&to={to}"));
        answers.Add(await StreamAsync(host, "metric=cpu_usage&tag=region:r1"));
        foreach (var aggregate in new[]
        {
            "fn=avg&step=1m&tag=host:h0",
            "fn=sum&step=1h&groupBy=host",
            "fn=count&step=10m",
            "fn=max&step=1h&groupBy=region",
            "fn=p90&step=1h&groupBy=region",
            "fn=p50&step=30m",
        })
        {
            answers.Add((await host.GetJsonAsync($"/api/query/aggregate?metric=cpu_usage&from={from}&to={to}&{aggregate}")).GetRawText());
        }

        var oldHours = $"from={Iso(OldHour)}&to={Iso(OldHour + (ArchivedHours * 3600))}";
        answers.Add((await host.GetJsonAsync($"/api/query/aggregate?metric=cpu_usage&{oldHours}&fn=avg&step=7s&tag=host:h1")).GetRawText());
        answers.Add((await host.GetJsonAsync($"/api/query/aggregate?metric=cpu_usage&{oldHours}&fn=p99&step=13s&groupBy=host")).GetRawText());
        answers.Add((await host.GetJsonAsync($"/api/query/aggregate?metric=mem_used&from={from}&to={to}&fn=avg&step=1h")).GetRawText());
        answers.Add((await host.GetJsonAsync("/api/metrics")).GetRawText());
        answers.Add((await host.GetJsonAsync("/api/metrics/cpu_usage/tags")).GetRawText());
        return answers;
    }

    public static void AssertSameAnswers(List<string> expected, List<string> actual)
    {
        Assert.Equal(expected.Count, actual.Count);
        for (var i = 0; i < expected.Count; i++)
        {
            Assert.True(expected[i] == actual[i], $"answer {i} differs:\nbefore: {Shorten(expected[i])}\nafter:  {Shorten(actual[i])}");
        }
    }

    private static string Shorten(string text) => text.Length > 600 ? text[..600] + "…" : text;
}
