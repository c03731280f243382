using System.Text.Json;

namespace FunctionsObservability.Tests.Infrastructure;

/// <summary>The oracle itself: a real Prometheus starts, answers PromQL, and stops.</summary>
public sealed class PrometheusServerTests
{
    [Fact]
    public async Task Starts_and_answers_a_query()
    {
        await using var prometheus = await PrometheusServer.StartAsync();
        using var response = await prometheus.Client.GetAsync("/api/v1/query?query=1%2B1&time=1700000000");
        response.EnsureSuccessStatusCode();
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var data = body.RootElement.GetProperty("data");
        Assert.Equal("scalar", data.GetProperty("resultType").GetString());
        Assert.Equal("2", data.GetProperty("result")[1].GetString());
    }
}
