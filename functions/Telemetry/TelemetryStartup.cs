using FunctionsObservability.Pipeline.Storage;

namespace FunctionsObservability.Functions.Telemetry;

/// <summary>
/// Says once at start where the service's telemetry goes, and creates the storage gauges: they read
/// the opened store, so they are made after it opened (hosted services start after MetricsStoreStartup).
/// </summary>
internal sealed partial class TelemetryStartup(TelemetryPlan plan, TelemetryOptions options, StorageMetrics storage, ILogger<TelemetryStartup> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        _ = storage;
        var otlp = !plan.Otlp ? "off"
            : options.OtlpMetricsUri is { } uri ? $"{uri} ({options.OtlpProtocol})"
            : "from OTEL_EXPORTER_OTLP_* variables";
        LogPlan(logger, plan.Prometheus ? Http.Routes.Scrape : "off", otlp, plan.AzureMonitor ? "on" : "off", options.ExportIntervalMilliseconds);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(EventId = LogEvents.TelemetryExporters, Level = LogLevel.Information,
        Message = "Service telemetry: Prometheus scrape {Scrape}, OTLP {Otlp}, Azure Monitor {AzureMonitor}, push every {IntervalMilliseconds} ms")]
    private static partial void LogPlan(ILogger logger, string scrape, string otlp, string azureMonitor, int intervalMilliseconds);
}
