using System.Globalization;
using System.Text;
using System.Text.Json;
using FunctionsObservability.Tests.Infrastructure;

namespace FunctionsObservability.Tests.PromApi;

/// <summary>Selectors with an equality matcher on a metric of many series, which PromQL answers from a label index.</summary>
public sealed class PromLabelIndexTests
{
    private static readonly long At = ((DateTimeOffset.UtcNow.ToUnixTimeSeconds() / 60) - 10) * 60;

    [Fact]
    public async Task Equality_selectors_find_exactly_the_series_with_that_value_including_series_added_after_the_index_was_built()
    {
        await using var host = await ServiceHost.StartAsync();
        var lines = new StringBuilder();
        for (var h = 0; h < 100; h++)
        {
            // Every tenth host has no rack: {rack=""} selects those.
            var rack = h % 10 == 0 ? string.Empty : $",rack=r{h % 3}";
            lines.Append(CultureInfo.InvariantCulture, $"node,host=h{h},zone=z{h % 4}{rack} load={h} {At * 1_000_000_000L}\n");
        }

        await WriteAsync(host, lines.ToString());

        Assert.Equal(["h42"], await HostsAsync(host, "node_load{host=\"h42\"}"));
        Assert.Empty(await HostsAsync(host, "node_load{host=\"h420\"}"));
        Assert.Equal(Hosts(h => h % 4 == 1 && h % 10 != 0 && h % 3 == 2), await HostsAsync(host, "node_load{zone=\"z1\",rack=\"r2\"}"));
        Assert.Equal(Hosts(h => h % 4 == 1 && h % 10 != 0 && h % 3 != 2), await HostsAsync(host, "node_load{zone=\"z1\",rack!=\"r2\"}"));
        Assert.Equal(Hosts(h => h % 10 == 0), await HostsAsync(host, "node_load{rack=\"\"}"));
        Assert.Equal(Hosts(h => h % 4 == 3), await HostsAsync(host, "{__name__=\"node_load\",zone=\"z3\"}"));

        await WriteAsync(host, $"node,host=h100,zone=z1,rack=r2 load=100 {At * 1_000_000_000L}\n");

        Assert.Equal(["h100"], await HostsAsync(host, "node_load{host=\"h100\"}"));
        Assert.Equal(Hosts(h => h % 4 == 1 && h % 10 != 0 && h % 3 == 2).Append("h100").Order(StringComparer.Ordinal),
            await HostsAsync(host, "node_load{zone=\"z1\",rack=\"r2\"}"));
    }

    private static string[] Hosts(Func<int, bool> predicate) =>
        [.. Enumerable.Range(0, 100).Where(predicate).Select(h => $"h{h}").Order(StringComparer.Ordinal)];

    private static async Task<string[]> HostsAsync(ServiceHost host, string selector)
    {
        var answer = await host.GetJsonAsync($"/api/v1/query?query={Uri.EscapeDataString(selector)}&time={At + 30}");
        return [.. answer.GetProperty("data").GetProperty("result").EnumerateArray()
            .Select(s => s.GetProperty("metric").GetProperty("host").GetString()!)
            .Order(StringComparer.Ordinal)];
    }

    private static async Task WriteAsync(ServiceHost host, string lines)
    {
        using var response = await host.PostAsync("/api/v2/write?precision=ns", lines);
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
    }
}
