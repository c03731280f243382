using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
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

    /// <summary>Rows of one hour of cpu_usage: 3 hosts every 20 s, plus h0's 6 duplicates.</summary>
    public const long CpuRowsPerHour = (3 * 180) + 6;

    /// <summary>Rows of one hour of mem_used: one host every minute.</summary>
    public const long MemRowsPerHour = 60;

    /// <summary>Partitions (files) the data set archives: four hours of cpu_usage, two of mem_used.</summary>
    public const int ArchivedFiles = ArchivedHours + 2;

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
    public static Task IngestAsync(ServiceHost host) => IngestAsync(host.Client);

    /// <summary>The data set over any client (a separate process too); <paramref name="keep"/> filters lines by their timestamp in seconds.</summary>
    public static Task IngestAsync(HttpClient client, Func<long, bool>? keep = null) => WriteAsync(client, DataSet(keep));

    /// <summary>The data set as line protocol (seconds precision), optionally only the lines whose timestamp <paramref name="keep"/> accepts.</summary>
    public static string DataSet(Func<long, bool>? keep = null)
    {
        keep ??= static _ => true;
        var body = new StringBuilder();
        foreach (var start in Enumerable.Range(0, ArchivedHours).Select(h => OldHour + (h * 3600)).Append(RecentHour))
        {
            for (var second = 0; second < 3600; second += 20)
            {
                if (!keep(start + second))
                {
                    continue;
                }

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
            if (keep(OldHour + second))
            {
                body.Append(CultureInfo.InvariantCulture, $"mem,host=h0 used={second} {OldHour + second}\n");
            }
        }

        return body.ToString();
    }

    public static Task WriteAsync(ServiceHost host, string lineProtocol) => WriteAsync(host.Client, lineProtocol);

    public static async Task WriteAsync(HttpClient client, string lineProtocol)
    {
        using var content = new StringContent(lineProtocol, Encoding.UTF8);
        content.Headers.ContentType = MediaTypeHeaderValue.Parse("text/plain");
        using var response = await client.PostAsync("/api/v2/write?precision=s", content);
        Assert.True(response.StatusCode == HttpStatusCode.NoContent, $"write answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
    }

    public static Task<JsonElement> ArchiveNowAsync(ServiceHost host, HttpStatusCode expected = HttpStatusCode.OK) => ArchiveNowAsync(host.Client, expected);

    public static async Task<JsonElement> ArchiveNowAsync(HttpClient client, HttpStatusCode expected = HttpStatusCode.OK)
    {
        using var response = await client.PostAsync("/api/admin/archive", null);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(expected == response.StatusCode, $"archive answered {(int)response.StatusCode}: {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    /// <summary>
    /// Fresh rows wait in arrival order (points_recent) until writes pause for a couple of
    /// seconds, then move to the clustered table and its minute rollup (points, points_1m). This
    /// keeps them where they landed for the test's lifetime, so which tables a run touches does not
    /// depend on timing; <see cref="CompactAsync"/> then moves them on demand.
    /// </summary>
    public static Dictionary<string, string> KeepRowsInArrivalOrder(this Dictionary<string, string> settings)
    {
        settings["Storage:CompactionIdleSeconds"] = "3600";
        return settings;
    }

    /// <summary>Clusters every row now, as the idle compactor would, under the writer's gate.</summary>
    public static async Task CompactAsync(ServiceHost host)
    {
        var writer = host.Service<PointWriter>();
        await writer.Gate.WaitAsync();
        try
        {
            writer.Compact();
        }
        finally
        {
            writer.Gate.Release();
        }

        Assert.Equal(0, writer.RecentRows);
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
    public static Task<List<string>> WalkPagesAsync(ServiceHost host, string query, int limit = 97) => WalkPagesAsync(host.Client, query, limit);

    public static async Task<List<string>> WalkPagesAsync(HttpClient client, string query, int limit = 97)
    {
        var pages = new List<string>();
        string? cursor = null;
        do
        {
            var path = $"/api/query/points?{query}&limit={limit}" + (cursor is null ? "" : $"&cursor={Uri.EscapeDataString(cursor)}");
            if (await GetAnswerAsync(client, path) is not { } page)
            {
                pages.Add(await UnknownMetricAnswerAsync(client, path));
                break;
            }

            pages.Add(page.GetRawText());
            cursor = page.TryGetProperty("nextCursor", out var next) && next.ValueKind == JsonValueKind.String ? next.GetString() : null;
        }
        while (cursor is not null && pages.Count < 10_000);
        return pages;
    }

    public static Task<string> StreamAsync(ServiceHost host, string query) => StreamAsync(host.Client, query);

    public static async Task<string> StreamAsync(HttpClient client, string query)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/query/points?{query}");
        request.Headers.Accept.ParseAdd("application/x-ndjson");
        using var response = await client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, text);
        return text;
    }

    /// <summary>The answers compared before and after archiving.</summary>
    public static Task<List<string>> CaptureAsync(ServiceHost host) => CaptureAsync(host.Client);

    /// <summary>The answers compared before and after archiving, over any client (a separate process too).</summary>
    public static async Task<List<string>> CaptureAsync(HttpClient client)
    {
        var from = Iso(OldHour - 3600);
        var to = Iso(RecentHour + 7200);
        var answers = new List<string>();
        answers.AddRange(await WalkPagesAsync(client, $"metric=cpu_usage&from={from}&to={to}"));
        answers.AddRange(await WalkPagesAsync(client, "metric=cpu_usage&tag=host:h0", limit: 1000));
        answers.AddRange(await WalkPagesAsync(client, "metric=mem_used"));
        answers.Add(await StreamAsync(client, $"metric=cpu_usage&from={from}&to={to}"));
        answers.Add(await StreamAsync(client, "metric=cpu_usage&tag=region:r1"));
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
            answers.Add((await GetJsonAsync(client, $"/api/query/aggregate?metric=cpu_usage&from={from}&to={to}&{aggregate}")).GetRawText());
        }

        var oldHours = $"from={Iso(OldHour)}&to={Iso(OldHour + (ArchivedHours * 3600))}";
        answers.Add((await GetJsonAsync(client, $"/api/query/aggregate?metric=cpu_usage&{oldHours}&fn=avg&step=7s&tag=host:h1")).GetRawText());
        answers.Add((await GetJsonAsync(client, $"/api/query/aggregate?metric=cpu_usage&{oldHours}&fn=p99&step=13s&groupBy=host")).GetRawText());
        var memAggregate = $"/api/query/aggregate?metric=mem_used&from={from}&to={to}&fn=avg&step=1h";
        answers.Add((await GetAnswerAsync(client, memAggregate))?.GetRawText() ?? await UnknownMetricAnswerAsync(client, memAggregate));
        answers.Add((await GetJsonAsync(client, "/api/metrics")).GetRawText());
        answers.Add((await GetJsonAsync(client, "/api/metrics/cpu_usage/tags")).GetRawText());

        // PromQL reads the same union of hot rows and archived files.
        var promRange = $"start={OldHour - 3600}&end={RecentHour + 7200}&step=300";
        foreach (var promql in new[]
        {
            "sum by (region) (rate(cpu_usage[5m]))",
            "avg_over_time(cpu_usage{host=\"h0\"}[10m])",
            "max without (host) (cpu_usage)",
            "count_over_time({__name__=~\"cpu_usage|mem_used\"}[1h])",
        })
        {
            answers.Add((await GetJsonAsync(client, $"/api/v1/query_range?query={Uri.EscapeDataString(promql)}&{promRange}")).GetRawText());
        }

        answers.Add((await GetJsonAsync(client, $"/api/v1/series?match[]=cpu_usage&match[]=mem_used&start={OldHour - 3600}&end={RecentHour + 7200}")).GetRawText());
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

    /// <summary>The answer, or null when the metric has no points (404): retention may delete a metric's last point.</summary>
    private static async Task<JsonElement?> GetAnswerAsync(HttpClient client, string path)
    {
        using var response = await client.GetAsync(path);
        var text = await response.Content.ReadAsStringAsync();
        if (response.StatusCode == System.Net.HttpStatusCode.NotFound && text.Contains("has no points", StringComparison.Ordinal))
        {
            return null;
        }

        Assert.True(response.IsSuccessStatusCode, $"GET {path} answered {(int)response.StatusCode}: {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    private static async Task<string> UnknownMetricAnswerAsync(HttpClient client, string path)
    {
        using var response = await client.GetAsync(path);
        return $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}";
    }

    public static async Task<JsonElement> GetJsonAsync(HttpClient client, string path)
    {
        using var response = await client.GetAsync(path);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"GET {path} answered {(int)response.StatusCode}: {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    private static string Shorten(string text) => text.Length > 600 ? text[..600] + "…" : text;
}
