using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.Playwright;

namespace FunctionsObservability.Tests.Explorer;

/// <summary>A browser tab on the explorer, collecting console errors, with the page's test hooks (<c>window.__explorer</c>).</summary>
internal sealed class ExplorerPage : IAsyncDisposable
{
    private readonly IBrowserContext _context;
    private readonly ConcurrentQueue<string> _errors = new();

    private ExplorerPage(IBrowserContext context, IPage page)
    {
        _context = context;
        Page = page;
        page.Console += (_, message) =>
        {
            if (message.Type == "error")
            {
                _errors.Enqueue($"console: {message.Text}");
            }
        };
        page.PageError += (_, error) => _errors.Enqueue($"pageerror: {error}");
    }

    public IPage Page { get; }

    public IReadOnlyCollection<string> Errors => [.. _errors];

    public static async Task<ExplorerPage> OpenAsync(ExplorerFixture fixture, string path, int width = 1280, int height = 900)
    {
        var context = await fixture.Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = fixture.Service.Client.BaseAddress!.ToString(),
            ViewportSize = new ViewportSize { Width = width, Height = height },
            TimezoneId = "Europe/Berlin",
        });
        var page = await context.NewPageAsync();
        var explorer = new ExplorerPage(context, page);
        await page.GotoAsync(path);
        await explorer.WaitIdleAsync();
        return explorer;
    }

    /// <summary>Waits until the page has answered its last change (drawn, or shown its error).</summary>
    public Task WaitIdleAsync() =>
        Page.WaitForFunctionAsync("() => window.__explorer !== undefined && window.__explorer.idle()");

    public async Task<ChartData> ChartDataAsync()
    {
        var json = await Page.EvaluateAsync<JsonElement>("() => window.__explorer.chartData()");
        Assert.Equal(JsonValueKind.Object, json.ValueKind);
        return new ChartData(
            [.. json.GetProperty("labels").EnumerateArray().Select(l => l.GetString()!)],
            [.. json.GetProperty("timestamps").EnumerateArray().Select(t => t.GetInt64())],
            [.. json.GetProperty("values").EnumerateArray().Select(s => s.EnumerateArray().Select(v => v.ValueKind == JsonValueKind.Null ? (double?)null : v.GetDouble()).ToArray())]);
    }

    public Task<string> LastQueryAsync() => Page.EvaluateAsync<string>("() => window.__explorer.lastQuery()");

    public Task<JsonElement> StateAsync() => Page.EvaluateAsync<JsonElement>("() => window.__explorer.state()");

    public void AssertNoErrors() => Assert.True(_errors.IsEmpty, "the page logged errors:\n" + string.Join('\n', _errors));

    public async ValueTask DisposeAsync() => await _context.DisposeAsync();
}

/// <summary>What the chart draws: one label and one array of values (null: an empty bucket) per line.</summary>
internal sealed record ChartData(IReadOnlyList<string> Labels, IReadOnlyList<long> Timestamps, IReadOnlyList<double?[]> Values);
