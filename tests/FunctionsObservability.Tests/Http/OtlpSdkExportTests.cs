using System.Diagnostics.Metrics;
using System.Globalization;
using System.Text.Json;
using FunctionsObservability.Tests.Infrastructure;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;

namespace FunctionsObservability.Tests.Http;

/// <summary>The OpenTelemetry .NET SDK's own OTLP exporter (HTTP/protobuf) posting to the real app's /v1/metrics.</summary>
public sealed class OtlpSdkExportTests
{
    [Fact]
    public async Task TheSdkExporter_WritesCounterGaugeAndHistogram_UnderTheDocumentedNamesAndTags()
    {
        await using var host = await ServiceHost.StartAsync();
        var from = DateTimeOffset.UtcNow.AddHours(-1).ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture);
        using var meter = new Meter("FunctionsObservability.Tests.OtlpSdk." + Guid.NewGuid().ToString("N"));
        var orders = meter.CreateCounter<long>("orders.placed");
        var duration = meter.CreateHistogram<double>("checkout.duration", "s");
        meter.CreateObservableGauge("queue.depth", () => new Measurement<int>(4, new KeyValuePair<string, object?>("queue.name", "orders")));

        using (var provider = Sdk.CreateMeterProviderBuilder()
            .ConfigureResource(resource => resource.AddService("checkout", serviceNamespace: "shop", serviceInstanceId: "pod-1"))
            .AddMeter(meter.Name)
            .AddOtlpExporter(exporter =>
            {
                exporter.Protocol = OtlpExportProtocol.HttpProtobuf;
                exporter.Endpoint = new Uri(host.Client.BaseAddress!, "/v1/metrics");
            })
            .Build())
        {
            orders.Add(3, new KeyValuePair<string, object?>("payment.method", "card"));
            orders.Add(2, new KeyValuePair<string, object?>("payment.method", "card"));
            duration.Record(0.25);
            duration.Record(7.5);

            Assert.True(provider.ForceFlush(60_000), "the exporter's export did not succeed");
        }

        // ForceFlush exports once and disposing the provider once more: the same cumulative values twice.
        var counter = await LatestAsync(host, "orders_placed_total", from);
        Assert.Equal(5, counter.GetProperty("value").GetDouble());
        var tags = counter.GetProperty("tags");
        Assert.Equal("shop/checkout", tags.GetProperty("job").GetString());
        Assert.Equal("pod-1", tags.GetProperty("instance").GetString());
        Assert.Equal("card", tags.GetProperty("payment_method").GetString());

        var gauge = await LatestAsync(host, "queue_depth", from);
        Assert.Equal(4, gauge.GetProperty("value").GetDouble());
        Assert.Equal("orders", gauge.GetProperty("tags").GetProperty("queue_name").GetString());

        Assert.Equal(2, (await LatestAsync(host, "checkout_duration_count", from)).GetProperty("value").GetDouble());
        Assert.Equal(7.75, (await LatestAsync(host, "checkout_duration_sum", from)).GetProperty("value").GetDouble());
        var buckets = (await PointsAsync(host, "checkout_duration_bucket", from))
            .GroupBy(p => p.GetProperty("tags").GetProperty("le").GetString()!)
            .ToDictionary(g => g.Key, g => g.Last().GetProperty("value").GetDouble());
        Assert.Equal(0, buckets["0"]);
        Assert.Equal(1, buckets["5"]);
        Assert.Equal(2, buckets["10"]);
        Assert.Equal(2, buckets["+Inf"]);

        // The same values through PromQL, under the same names, as Grafana would read them.
        Assert.Equal("5", await PromQLAsync(host, "orders_placed_total{job=\"shop/checkout\",payment_method=\"card\"}"));
        Assert.Equal("4", await PromQLAsync(host, "queue_depth{queue_name=\"orders\"}"));
        Assert.Equal("7.75", await PromQLAsync(host, "sum by (job) (checkout_duration_sum)"));
        Assert.Equal("5", await PromQLAsync(host, "histogram_quantile(0.5, sum by (le) (checkout_duration_bucket))"));
    }

    /// <summary>The single value of an instant PromQL query at now.</summary>
    private static async Task<string> PromQLAsync(ServiceHost host, string query)
    {
        var data = (await host.GetJsonAsync($"/api/v1/query?query={Uri.EscapeDataString(query)}")).GetProperty("data");
        Assert.Equal("vector", data.GetProperty("resultType").GetString());
        return Assert.Single(data.GetProperty("result").EnumerateArray()).GetProperty("value")[1].GetString()!;
    }

    /// <summary>The newest point of the metric's only series.</summary>
    private static async Task<JsonElement> LatestAsync(ServiceHost host, string metric, string from)
    {
        var points = await PointsAsync(host, metric, from);
        Assert.NotEmpty(points);
        Assert.Single(points.Select(p => p.GetProperty("tags").ToString()).Distinct());
        return points[^1];
    }

    private static async Task<JsonElement[]> PointsAsync(ServiceHost host, string metric, string from) =>
        [.. (await host.GetJsonAsync($"/api/query/points?metric={metric}&from={from}")).GetProperty("points").EnumerateArray()];
}
