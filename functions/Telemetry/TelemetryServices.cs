using Azure.Monitor.OpenTelemetry.Exporter;
using FunctionsObservability.Functions.Hosting;
using FunctionsObservability.Functions.Http;
using FunctionsObservability.Functions.Http.OpenApi;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;

namespace FunctionsObservability.Functions.Telemetry;

/// <summary>
/// The service's own meters, exported with OpenTelemetry: scraped in Prometheus text format at
/// <see cref="Routes.Scrape"/> (standalone), pushed over OTLP and to Azure Monitor when configured.
/// </summary>
internal static class TelemetryServices
{
    public const string ServiceName = "FunctionsObservability";

    /// <summary>The product's meters (every <c>FunctionsObservability.*</c>), ASP.NET Core's, Kestrel's, the runtime's and HttpClient's.</summary>
    public static readonly string[] Meters =
    [
        "FunctionsObservability.*",
        "Microsoft.AspNetCore.Hosting",
        "Microsoft.AspNetCore.Server.Kestrel",
        "Microsoft.AspNetCore.RateLimiting",
        "System.Runtime",
        "System.Net.Http",
    ];

    /// <summary>Binds and validates <c>Telemetry</c> (bad settings stop start-up) and registers the meter provider and its exporters.</summary>
    public static IServiceCollection AddServiceTelemetry(this IServiceCollection services, IConfiguration configuration, HostingMode mode)
    {
        var options = TelemetryOptions.FromConfiguration(configuration);
        options.Validate();
        var scrape = mode == HostingMode.Standalone && options.PrometheusEnabled;
        services.AddSingleton(options);
        services.AddSingleton(new TelemetryPlan(scrape, options.OtlpEnabled, options.AzureMonitorEnabled));
        services.AddHostedService<TelemetryStartup>();
        services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(ServiceName, serviceVersion: typeof(TelemetryServices).Assembly.GetName().Version?.ToString()))
            .WithMetrics(metrics =>
            {
                metrics.AddMeter(Meters);
                if (scrape)
                {
                    metrics.AddPrometheusExporter(prometheus => prometheus.ScrapeEndpointPath = Routes.Scrape);
                }

                if (options.OtlpEnabled)
                {
                    metrics.AddOtlpExporter((exporter, reader) => ConfigureOtlp(options, exporter, reader));
                }

                if (options.AzureMonitorEnabled)
                {
                    // Its own extension fixes the interval at a minute; the reader is built here so
                    // Telemetry:ExportIntervalMilliseconds applies to it as to OTLP. Delta, as Azure Monitor wants.
                    metrics.AddReader(_ => new PeriodicExportingMetricReader(
                        new AzureMonitorMetricExporter(AzureMonitorOptions(options)), options.ExportIntervalMilliseconds, options.ExportTimeoutMilliseconds)
                    {
                        TemporalityPreference = MetricReaderTemporalityPreference.Delta,
                    });
                }
            });
        return services;
    }

    /// <summary>Maps <c>GET /metrics</c> when scraping is on; the key middleware classifies it as <c>Telemetry</c>.</summary>
    public static void MapScrapeEndpoint(this IEndpointRouteBuilder routes)
    {
        ArgumentNullException.ThrowIfNull(routes);
        if (routes.ServiceProvider.GetRequiredService<TelemetryPlan>().Prometheus)
        {
            routes.MapPrometheusScrapingEndpoint(Routes.Scrape)
                .WithMetadata(new HttpMethodMetadata([HttpMethods.Get]))
                .Describe(Routes.Scrape);
        }
    }

    private static void ConfigureOtlp(TelemetryOptions options, OtlpExporterOptions exporter, MetricReaderOptions reader)
    {
        if (options.OtlpMetricsUri is { } uri)
        {
            exporter.Endpoint = uri;
            exporter.Protocol = options.OtlpProtocol == OtlpTransport.Grpc ? OtlpExportProtocol.Grpc : OtlpExportProtocol.HttpProtobuf;
        }
        else if (!options.OtlpProtocolFromEnvironment)
        {
            // The endpoint comes from OTEL_EXPORTER_OTLP_ENDPOINT, and the exporter appends /v1/metrics to it itself.
            exporter.Protocol = OtlpExportProtocol.HttpProtobuf;
        }

        exporter.TimeoutMilliseconds = options.ExportTimeoutMilliseconds;
        reader.PeriodicExportingMetricReaderOptions.ExportIntervalMilliseconds = options.ExportIntervalMilliseconds;
        reader.PeriodicExportingMetricReaderOptions.ExportTimeoutMilliseconds = options.ExportTimeoutMilliseconds;
    }

    private static AzureMonitorExporterOptions AzureMonitorOptions(TelemetryOptions options)
    {
        var azure = new AzureMonitorExporterOptions
        {
            ConnectionString = options.AzureMonitorConnectionString,
            EnableLiveMetrics = false,
        };
        azure.Retry.NetworkTimeout = TimeSpan.FromMilliseconds(options.ExportTimeoutMilliseconds);
        return azure;
    }
}

/// <summary>Which exporters this process runs, decided once from <see cref="TelemetryOptions"/> and the host.</summary>
internal sealed record TelemetryPlan(bool Prometheus, bool Otlp, bool AzureMonitor);
