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

        var first = await collector.FirstAsync("/v1/metrics", Deadline);
        Assert.Equal("application/x-protobuf", first.ContentType);
        Assert.NotEmpty(first.Body);

        // Protobuf keeps strings as UTF-8 bytes: the storage gauges have a value at every collection,
        // so once they exist every export carries them, under their meter's scope.
        var storage = await collector.FirstAsync("/v1/metrics", Deadline, e => Contains(e.Body, "fo.storage.series"));
        Assert.True(Contains(storage.Body, "FunctionsObservability.Storage"), "the export has no FunctionsObservability.Storage scope");
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
    /// The exporter's own usage reports (Statsbeat, SDK stats) go to Microsoft's endpoints, whatever
    /// the connection string says; and outside Functions, App Service and AKS the exporter asks the
    /// cloud's instance metadata service (169.254.169.254) which VM it runs on. The opt-outs are process
    /// variables, so the tests that build the exporter set them before they do; the worker process has
    /// FUNCTIONS_WORKER_RUNTIME already, and this test process says it is on AKS.
    /// </summary>
    public static readonly IReadOnlyDictionary<string, string> NoUsageReports = new Dictionary<string, string>
    {
        ["APPLICATIONINSIGHTS_STATSBEAT_DISABLED"] = "true",
        ["APPLICATIONINSIGHTS_SDKSTATS_DISABLED_ALL"] = "true",
    };

    public static void KeepTheExporterOnLoopback()
    {
        foreach (var (name, value) in NoUsageReports)
        {
            Environment.SetEnvironmentVariable(name, value);
        }

        Environment.SetEnvironmentVariable("AKS_ARM_NAMESPACE_ID", "functions-observability-tests");
    }

    public static string ConnectionString(string ingestionAddress) =>
        $"InstrumentationKey=00000000-0000-0000-0000-000000000000;IngestionEndpoint={ingestionAddress}/";
}
