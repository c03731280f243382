using System.Globalization;
using System.Text;
using FunctionsObservability.Tests.Infrastructure;
using Microsoft.Playwright;

namespace FunctionsObservability.Tests.Explorer;

/// <summary>
/// One service and one browser for the explorer's tests, with data written relative to now:
/// <see cref="Latency"/> from six hosts in two regions over the last two hours, and
/// <see cref="Load"/>: 100 series over the last 24 hours, for the time to the first chart.
/// </summary>
public sealed class ExplorerFixture : IAsyncLifetime
{
    public const string Latency = "http_request_duration_seconds";
    public const string Load = "node_load_percent";
    public static readonly string[] Hosts = ["h1", "h2", "h3", "h4", "h5", "h6"];

    private IPlaywright? _playwright;
    private IBrowser? _browser;
    private ServiceHost? _service;

    public ServiceHost Service => _service ?? throw new InvalidOperationException("not started");

    /// <summary>Unix seconds when the data was written; every series ends just before it.</summary>
    public long WrittenAt { get; private set; }

    public IBrowser Browser => _browser ?? throw new InvalidOperationException("not started");

    public static string RegionOf(string host) => Array.IndexOf(Hosts, host) < 3 ? "eu" : "us";

    public async Task InitializeAsync()
    {
        await Chromium.EnsureInstalledAsync();
        _service = await ServiceHost.StartAsync();
        var now = WrittenAt = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        await WriteAsync(LatencyLines(now));
        await WriteAsync(LoadLines(now));
        _playwright = await Playwright.CreateAsync();
        _browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Chromium.Path,
            Args = Chromium.Arguments,
            Headless = true,
        });
    }

    public async Task WriteAsync(string lines)
    {
        using var response = await Service.PostAsync("/api/ingest?precision=s", lines);
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
    }

    /// <summary>Every 30 s for two hours; each host its own level and wave, so lines are told apart.</summary>
    private static string LatencyLines(long now)
    {
        var text = new StringBuilder();
        for (var t = now - 7200; t < now; t += 30)
        {
            for (var h = 0; h < Hosts.Length; h++)
            {
                var value = 0.05 + (0.02 * h) + (0.015 * Math.Sin((t / 600.0) + h));
                text.Append(CultureInfo.InvariantCulture, $"http_request,host={Hosts[h]},region={RegionOf(Hosts[h])},env=prod duration_seconds={value:R} {t}\n");
            }
        }

        return text.ToString();
    }

    /// <summary>100 instances, one point a minute for 24 hours: 144,000 points.</summary>
    private static string LoadLines(long now)
    {
        var text = new StringBuilder();
        for (var t = now - 86_400; t < now; t += 60)
        {
            for (var i = 0; i < 100; i++)
            {
                var value = 20 + (i % 50) + (10 * Math.Sin((t / 3600.0) + i));
                text.Append(CultureInfo.InvariantCulture, $"node_load,instance=i{i:D3} percent={value:F2} {t}\n");
            }
        }

        return text.ToString();
    }

    public async Task DisposeAsync()
    {
        if (_browser is not null)
        {
            await _browser.DisposeAsync();
        }

        _playwright?.Dispose();
        if (_service is not null)
        {
            await _service.DisposeAsync();
        }
    }
}
