using FunctionsObservability.Tests.WorkerProtocol;

namespace FunctionsObservability.Tests.Telemetry;

/// <summary>
/// The isolated worker, started as the Functions host starts it, with the app settings the platform
/// and an operator would set: the connection string of Application Insights (pointed at a loopback
/// receiver) and the standard OTLP endpoint variable. Both push exporters send from the worker.
/// </summary>
public sealed class WorkerTelemetryTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Worker_PushesToAzureMonitor_AndOverOtlpFromTheStandardVariable()
    {
        await using var receiver = await TelemetryReceiver.StartAsync();
        using var starting = new CancellationTokenSource(WorkerHarness.StartTimeout * 2);
        var settings = new Dictionary<string, string>(AzureMonitorTestSettings.NoUsageReports)
        {
            ["APPLICATIONINSIGHTS_CONNECTION_STRING"] = AzureMonitorTestSettings.ConnectionString(receiver.Address),
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = receiver.Address,
            ["Telemetry__ExportIntervalMilliseconds"] = "1000",
        };
        await using var worker = await WorkerHarness.StartAsync(prepareDataDirectory: null, starting.Token, settings);

        var azure = await receiver.FirstAsync("/v2.1/track", Deadline);
        // No OTEL_EXPORTER_OTLP_PROTOCOL: http/protobuf, with the signal path appended to the variable's address.
        var otlp = await receiver.FirstAsync("/v1/metrics", Deadline);

        worker.Verify(() =>
        {
            Assert.NotEmpty(azure.Body);
            Assert.Equal("application/x-protobuf", otlp.ContentType);
            Assert.NotEmpty(otlp.Body);
            Assert.Contains("Prometheus scrape off", worker.Log.ToString(), StringComparison.Ordinal);
        });
    }
}
