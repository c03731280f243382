using System.Text;
using FunctionsObservability.Functions.Telemetry;
using FunctionsObservability.Tests.Infrastructure;

namespace FunctionsObservability.Tests.Telemetry;

/// <summary>
/// The push exporters of the real app, each against a <see cref="TelemetryReceiver"/> on loopback:
/// OTLP over http/protobuf to a collector's <c>/v1/metrics</c>, and Azure Monitor to the ingestion
/// endpoint its connection string names. Real Azure is never reached: the connection string points at the receiver.
/// </summary>
public sealed class PushExportTests
{
    /// <summary>Several export intervals of one second, on a loaded machine.</summary>
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    static PushExportTests() => AzureMonitorTestSettings.KeepTheExporterOnLoopback();

    [Fact]
    public async Task Otlp_SendsProtobufToTheCollector_WithTheProductsMeters()
    {
        await using var collector = await TelemetryReceiver.StartAsync();
        await using var host = await ServiceHost.StartAsync(new Dictionary<string, string>
        {
            ["Telemetry:Otlp:Endpoint"] = collector.Address,
            ["Telemetry:ExportIntervalMilliseconds"] = "1000",
            ["Telemetry:ExportTimeoutMilliseconds"] = "5000",
        });
        Assert.True(host.Service<TelemetryPlan>().Otlp);

        var export = await collector.FirstAsync("/v1/metrics", Deadline);

        Assert.Equal("application/x-protobuf", export.ContentType);
        Assert.NotEmpty(export.Body);

        // Protobuf keeps strings as UTF-8 bytes: the storage gauges always have a value, so they are in every export.
        Assert.True(Contains(export.Body, "fo.storage.series"), "the export has no fo.storage.series");
        Assert.True(Contains(export.Body, "FunctionsObservability.Storage"), "the export has no FunctionsObservability.Storage scope");
    }

    [Fact]
    public async Task AzureMonitor_ExportsToTheIngestionEndpointOfTheConnectionString()
    {
        await using var ingestion = await TelemetryReceiver.StartAsync();
        await using var host = await ServiceHost.StartAsync(new Dictionary<string, string>
        {
            ["Telemetry:AzureMonitor:ConnectionString"] = AzureMonitorTestSettings.ConnectionString(ingestion.Address),
            ["Telemetry:ExportIntervalMilliseconds"] = "1000",
        });
        Assert.True(host.Service<TelemetryPlan>().AzureMonitor);

        var export = await ingestion.FirstAsync("/v2.1/track", Deadline);

        Assert.NotEmpty(export.Body);
    }

    private static bool Contains(byte[] body, string text) => body.AsSpan().IndexOf(Encoding.UTF8.GetBytes(text)) >= 0;
}

/// <summary>What keeps Azure Monitor's exporter talking to the test's receiver only.</summary>
internal static class AzureMonitorTestSettings
{
    /// <summary>
    /// The exporter's own usage reports (Statsbeat) go to Microsoft's endpoints and ask the cloud's
    /// instance metadata service, whatever the connection string says. The documented opt-out is a
    /// process variable, so the tests that build the exporter set it before they do.
    /// </summary>
    public static void KeepTheExporterOnLoopback() =>
        Environment.SetEnvironmentVariable("APPLICATIONINSIGHTS_STATSBEAT_DISABLED", "true");

    public static string ConnectionString(string ingestionAddress) =>
        $"InstrumentationKey=00000000-0000-0000-0000-000000000000;IngestionEndpoint={ingestionAddress}/";
}
