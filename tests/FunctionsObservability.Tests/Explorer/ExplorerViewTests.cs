using System.Globalization;
using FunctionsObservability.Tests.Infrastructure;
using Microsoft.Playwright;
using static FunctionsObservability.Tests.Explorer.ExplorerFixture;

namespace FunctionsObservability.Tests.Explorer;

/// <summary>The explorer in chromium: the raw-points table, errors beside their controls, live mode, and keys.</summary>
[Collection(ExplorerCollection.Name)]
public sealed class ExplorerViewTests(ExplorerFixture fixture)
{
    [Fact]
    public async Task Raw_points_table_pages_forward_and_back_with_the_cursor()
    {
        // One host over the hour before the data was written: 120 points, so a second page of 20.
        var to = fixture.WrittenAt * 1000;
        await using var explorer = await ExplorerPage.OpenAsync(fixture, $"/?metric={Latency}&tag=host:h1&view=table&from={to - 3_600_000}&to={to}");
        var page = explorer.Page;
        var rows = page.Locator("#points tbody tr");
        Assert.Equal(100, await rows.CountAsync());
        Assert.True(await page.IsDisabledAsync("#prev-page"));
        var firstPage = await rows.AllInnerTextsAsync();

        await page.ClickAsync("#next-page");
        await page.WaitForFunctionAsync("() => document.getElementById('page-label').textContent.startsWith('Page 2')");
        var secondPage = await rows.AllInnerTextsAsync();
        Assert.Equal(20, secondPage.Count);
        Assert.True(await page.IsDisabledAsync("#next-page"));
        Assert.True(string.CompareOrdinal(Time(firstPage[^1]), Time(secondPage[0])) < 0, "page 2 does not follow page 1");
        Assert.All(secondPage, row => Assert.Contains("host=h1", row, StringComparison.Ordinal));

        await page.ClickAsync("#prev-page");
        await page.WaitForFunctionAsync("() => document.getElementById('page-label').textContent.startsWith('Page 1')");
        Assert.Equal(firstPage, await rows.AllInnerTextsAsync());
        explorer.AssertNoErrors();
    }

    [Fact]
    public async Task A_step_too_small_for_the_range_shows_the_API_message_beside_the_step()
    {
        await using var explorer = await ExplorerPage.OpenAsync(fixture, $"/?metric={Latency}&range=7d&step=1s");
        var page = explorer.Page;

        using var refused = await fixture.Service.Client.GetAsync(await explorer.LastQueryAsync());
        Assert.Equal(400, (int)refused.StatusCode);
        var message = System.Text.Json.JsonDocument.Parse(await refused.Content.ReadAsStringAsync()).RootElement.GetProperty("error").GetString()!;
        Assert.Equal(message, await page.InnerTextAsync("[data-error-for='step']"));
        Assert.Equal("true", await page.GetAttributeAsync("#step", "aria-invalid"));
        Assert.Contains(message, await page.InnerTextAsync("#chart-empty"), StringComparison.Ordinal);

        // Emptying the step (automatic again) clears the error and draws.
        await page.FillAsync("#step", "");
        await page.PressAsync("#step", "Enter");
        await explorer.WaitIdleAsync();
        Assert.Equal("", await page.InnerTextAsync("[data-error-for='step']"));
        Assert.Single((await explorer.ChartDataAsync()).Labels);
    }

    [Fact]
    public async Task Live_mode_appends_written_points_without_querying_again_and_folds_them_as_the_API_does()
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        await fixture.WriteAsync($"live_temp,room=a celsius=20 {now - 120}\n");
        await using var explorer = await ExplorerPage.OpenAsync(fixture, "/?metric=live_temp_celsius&range=15m&groupBy=room&fn=p90&live=1");
        var page = explorer.Page;
        var aggregates = 0;
        page.Request += (_, request) => aggregates += request.Url.Contains("/api/query/aggregate", StringComparison.Ordinal) ? 1 : 0;
        await page.WaitForFunctionAsync("() => window.__explorer.live() === 'live' && window.__explorer.chartData() !== null");

        // Three values of room a in one bucket, so the live p90 interpolates as the server's does.
        now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        await fixture.WriteAsync($"live_temp,room=a celsius=21.5 {now}\nlive_temp,room=a celsius=22.5 {now}\nlive_temp,room=a celsius=30 {now}\nlive_temp,room=b celsius=30.25 {now}\n");

        await page.WaitForFunctionAsync("""
            () => {
              const data = window.__explorer.chartData();
              const b = data.labels.indexOf('b');
              return b >= 0 && data.values[b].includes(30.25);
            }
            """);
        Assert.Equal(0, aggregates);
        var chart = await explorer.ChartDataAsync();
        Assert.Equal(["a", "b"], chart.Labels);

        var step = (await explorer.StateAsync()).GetProperty("step").GetString() is { Length: > 0 } chosen ? chosen : null;
        var bucketMs = chart.Timestamps[1] - chart.Timestamps[0];
        var bucket = now * 1000 / bucketMs * bucketMs;
        var index = chart.Timestamps.ToList().IndexOf(bucket);
        Assert.True(index >= 0, "no live bucket at the written points' time");
        var answer = await fixture.Service.GetJsonAsync(string.Create(CultureInfo.InvariantCulture,
            $"/api/query/aggregate?metric=live_temp_celsius&fn=p90&groupBy=room&tag=room:a&from={bucket}&to={bucket + bucketMs}&step={step ?? bucketMs + "ms"}"));
        var expected = answer.GetProperty("series")[0].GetProperty("points")[0].GetProperty("value").GetDouble();
        Assert.Equal(expected, chart.Values[0][index]!.Value, 9);
        explorer.AssertNoErrors();
    }

    [Fact]
    public async Task A_401_asks_for_a_key_which_is_sent_as_a_header_and_kept_out_of_the_URL()
    {
        await using var keyed = await ServiceHost.StartAsync(new Dictionary<string, string> { ["Auth:QueryKeys:0"] = "query-key-1", ["Auth:IngestKeys:0"] = "ingest-key-1" });
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        using (var write = new HttpRequestMessage(HttpMethod.Post, "/api/ingest?precision=s") { Content = new StringContent($"keyed,host=h1 v=1 {now - 60}") })
        {
            write.Headers.Add("x-functions-key", "ingest-key-1");
            using var written = await keyed.Client.SendAsync(write);
            Assert.True(written.IsSuccessStatusCode);
        }

        await using var context = await fixture.Browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = keyed.Client.BaseAddress!.ToString() });
        var page = await context.NewPageAsync();
        await page.GotoAsync("/");
        await page.Locator("#key-dialog").WaitForAsync();
        await page.FillAsync("#key-input", "wrong");
        await page.ClickAsync("#key-form button[type=submit]");
        await page.WaitForFunctionAsync("() => document.getElementById('key-error').textContent !== '' && !document.getElementById('key-dialog').hidden");
        await page.FillAsync("#key-input", "query-key-1");
        await page.ClickAsync("#key-form button[type=submit]");
        await page.WaitForFunctionAsync("() => window.__explorer.idle() && window.__explorer.chartData() !== null");

        Assert.Equal(["avg(keyed_v)"], (await page.EvaluateAsync<string[]>("() => window.__explorer.chartData().labels")));
        Assert.Equal("query-key-1", await page.EvaluateAsync<string>("() => sessionStorage.getItem('functions-observability-key')"));
        Assert.DoesNotContain("query-key-1", page.Url, StringComparison.Ordinal);
        Assert.True(await page.IsHiddenAsync("#key-dialog"));
    }

    private static string Time(string row) => row.Split('\t')[0].ToString(CultureInfo.InvariantCulture);
}
