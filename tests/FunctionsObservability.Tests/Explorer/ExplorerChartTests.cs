using System.Globalization;
using System.Text.Json;
using Xunit.Abstractions;
using static FunctionsObservability.Tests.Explorer.ExplorerFixture;

namespace FunctionsObservability.Tests.Explorer;

/// <summary>The explorer in chromium: loading, picking and filtering, the chart against the API, zoom, and reload from the URL.</summary>
[Collection(ExplorerCollection.Name)]
public sealed class ExplorerChartTests(ExplorerFixture fixture, ITestOutputHelper output)
{
    [Theory]
    [InlineData("/")]
    [InlineData("/api/ui")]
    public async Task Explorer_loads_and_draws_the_first_metric_without_console_errors(string path)
    {
        await using var explorer = await ExplorerPage.OpenAsync(fixture, path);

        var chart = await explorer.ChartDataAsync();
        Assert.Equal([$"avg({Latency})"], chart.Labels);
        Assert.Contains("metric=" + Latency, explorer.Page.Url, StringComparison.Ordinal);
        explorer.AssertNoErrors();
    }

    [Fact]
    public async Task Explorer_picks_a_metric_filters_by_a_tag_groups_by_another_and_draws_what_the_API_answers()
    {
        await using var explorer = await ExplorerPage.OpenAsync(fixture, "/api/ui?metric=" + Load);
        var page = explorer.Page;

        await page.FillAsync("#metric-input", "duration");
        var option = page.Locator($"#metric-list [data-metric='{Latency}']");
        Assert.Contains("6 series", await option.InnerTextAsync(), StringComparison.Ordinal);
        await option.ClickAsync();
        await explorer.WaitIdleAsync();

        await page.ClickAsync("#add-filter");
        await page.Locator(".filter select").First.SelectOptionAsync("region");
        await page.Locator(".filter select").Nth(1).SelectOptionAsync("eu");
        await explorer.WaitIdleAsync();
        await page.SelectOptionAsync("#group-by", "host");
        await explorer.WaitIdleAsync();

        Assert.Contains("tag=region%3Aeu", page.Url, StringComparison.Ordinal);
        Assert.Contains("groupBy=host", page.Url, StringComparison.Ordinal);
        var chart = await explorer.ChartDataAsync();
        Assert.Equal(["h1", "h2", "h3"], chart.Labels.Order());

        var query = await explorer.LastQueryAsync();
        Assert.Contains("tag=region%3Aeu", query, StringComparison.Ordinal);
        var answer = await fixture.Service.GetJsonAsync(query);
        var series = answer.GetProperty("series").EnumerateArray().ToList();
        Assert.Equal(3, series.Count);
        foreach (var item in series)
        {
            var line = chart.Labels.ToList().IndexOf(item.GetProperty("tags").GetProperty("host").GetString()!);
            var points = item.GetProperty("points").EnumerateArray().ToList();
            Assert.True(points.Count > 10, $"only {points.Count} buckets");
            Assert.Equal(points.Count, chart.Values[line].Count(v => v is not null));
            foreach (var point in points)
            {
                var at = DateTimeOffset.Parse(point.GetProperty("timestamp").GetString()!, CultureInfo.InvariantCulture).ToUnixTimeMilliseconds();
                var index = chart.Timestamps.ToList().IndexOf(at);
                Assert.True(index >= 0, $"the chart has no bucket at {at}");
                Assert.Equal(point.GetProperty("value").GetDouble(), chart.Values[line][index]);
            }
        }

        explorer.AssertNoErrors();
    }

    [Fact]
    public async Task Dragging_on_the_chart_zooms_puts_the_range_in_the_URL_and_a_reload_brings_the_same_view_back()
    {
        await using var explorer = await ExplorerPage.OpenAsync(fixture, $"/?metric={Latency}&tag=region:us&groupBy=host&fn=max&range=1h");
        var page = explorer.Page;
        var before = await explorer.ChartDataAsync();
        Assert.Equal(3, before.Labels.Count);

        // On a loaded machine the chart can still be redrawn (its step follows its width) while the
        // drag happens, and a drag on the replaced overlay zooms nothing: drag again, at most three times.
        for (var attempt = 1; ; attempt++)
        {
            await explorer.WaitIdleAsync();
            var box = (await page.Locator("#chart .u-over").BoundingBoxAsync())!;
            await page.Mouse.MoveAsync(box.X + (box.Width * 0.3f), box.Y + (box.Height / 2));
            await page.Mouse.DownAsync();
            await page.Mouse.MoveAsync(box.X + (box.Width * 0.6f), box.Y + (box.Height / 2), new() { Steps = 5 });
            await page.Mouse.UpAsync();
            try
            {
                await page.WaitForURLAsync(url => url.Contains("from=", StringComparison.Ordinal), new() { Timeout = 10_000 });
                break;
            }
            catch (TimeoutException) when (attempt < 3)
            {
            }
        }

        await explorer.WaitIdleAsync();

        var state = await explorer.StateAsync();
        Assert.Equal("custom", state.GetProperty("range").GetString());
        var (from, to) = (state.GetProperty("from").GetInt64(), state.GetProperty("to").GetInt64());
        Assert.InRange(to - from, 5 * 60_000, 30 * 60_000);
        var zoomed = await explorer.ChartDataAsync();

        // The zoomed range is queried again at a finer step, on the grid [alignDown(from, step), to):
        // the first bucket may start up to one step before the range does, never earlier.
        var step = zoomed.Timestamps[1] - zoomed.Timestamps[0];
        Assert.True(step < before.Timestamps[1] - before.Timestamps[0], $"the step stayed {step} ms");
        Assert.InRange(zoomed.Timestamps[0], from - step + 1, from);
        Assert.InRange(zoomed.Timestamps[^1], to - step, to - 1);
        var url = page.Url;

        await page.ReloadAsync();
        await explorer.WaitIdleAsync();

        Assert.Equal(url, page.Url);
        var restored = await explorer.StateAsync();
        foreach (var name in new[] { "metric", "range", "from", "to", "fn", "groupBy" })
        {
            Assert.Equal(state.GetProperty(name).ToString(), restored.GetProperty(name).ToString());
        }

        Assert.Equal(JsonSerializer.Serialize(state.GetProperty("tags")), JsonSerializer.Serialize(restored.GetProperty("tags")));
        var again = await explorer.ChartDataAsync();
        Assert.Equal(zoomed.Labels, again.Labels);
        Assert.Equal(zoomed.Timestamps, again.Timestamps);
        Assert.Equal(zoomed.Values, again.Values);
        Assert.Equal("max", await page.InputValueAsync("#fn"));
        Assert.Equal("host", await page.InputValueAsync("#group-by"));

        // Back returns to the view before the zoom.
        await page.GoBackAsync();
        await page.WaitForURLAsync(u => u.Contains("range=1h", StringComparison.Ordinal));
        await explorer.WaitIdleAsync();
        Assert.Equal("1h", (await explorer.StateAsync()).GetProperty("range").GetString());
        explorer.AssertNoErrors();
    }

    [Fact]
    public async Task First_chart_of_100_series_over_24_hours_is_timed_by_the_page()
    {
        var path = $"/?metric={Load}&range=24h&groupBy=instance";
        foreach (var round in new[] { "cold", "warm" })
        {
            await using var explorer = await ExplorerPage.OpenAsync(fixture, path);
            var chart = await explorer.ChartDataAsync();
            Assert.Equal(100, chart.Labels.Count);
            var mark = await explorer.Page.EvaluateAsync<double>("() => performance.getEntriesByName('first-chart')[0].startTime");
            var aggregate = await explorer.Page.EvaluateAsync<double>(
                "() => performance.getEntriesByType('resource').filter(e => e.name.includes('/api/query/aggregate')).map(e => e.duration)[0]");
            output.WriteLine(FormattableString.Invariant(
                $"first chart ({round}): {mark:F0} ms after navigation start (the aggregate call took {aggregate:F0} ms); {chart.Labels.Count} series x {chart.Timestamps.Count} buckets"));
            explorer.AssertNoErrors();
        }
    }

    [Fact]
    public async Task Screenshot_of_a_grouped_view_for_the_docs()
    {
        await using var explorer = await ExplorerPage.OpenAsync(fixture, $"/?metric={Latency}&groupBy=host&range=1h&fn=p90", 1280, 860);
        var box = (await explorer.Page.Locator("#chart .u-over").BoundingBoxAsync())!;
        await explorer.Page.Mouse.MoveAsync(box.X + (box.Width * 0.62f), box.Y + (box.Height * 0.4f));
        // The README's picture is refreshed on request only, so a test run leaves the tree clean.
        var file = Environment.GetEnvironmentVariable("FUNCTIONSOBSERVABILITY_UPDATE_SCREENSHOT") == "1"
            ? Path.Combine(Infrastructure.RepositoryPaths.Root, "docs", "explorer.png")
            : Path.Combine(Path.GetTempPath(), $"explorer-{Guid.NewGuid():N}.png");
        await explorer.Page.ScreenshotAsync(new() { Path = file, FullPage = true });
        var bytes = await File.ReadAllBytesAsync(file);
        Assert.True(bytes.Length > 10_000);
        Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, bytes[..4]);
        if (file.StartsWith(Path.GetTempPath(), StringComparison.Ordinal))
        {
            File.Delete(file);
        }

        explorer.AssertNoErrors();
    }
}
