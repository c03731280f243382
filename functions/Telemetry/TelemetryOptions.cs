using System.Globalization;

namespace FunctionsObservability.Functions.Telemetry;

/// <summary>OTLP's two transports; <see cref="HttpProtobuf"/> is the default here, as most collectors listen on 4318.</summary>
internal enum OtlpTransport
{
    HttpProtobuf,
    Grpc,
}

/// <summary>
/// The service's own telemetry, bound from the <c>Telemetry</c> section and checked once at start.
/// Prometheus scraping is standalone only; OTLP and Azure Monitor push from either host when configured.
/// </summary>
internal sealed class TelemetryOptions
{
    public const string SectionName = "Telemetry";

    /// <summary>The standard variable the Functions platform sets when Application Insights is attached.</summary>
    public const string AppInsightsConnectionStringVariable = "APPLICATIONINSIGHTS_CONNECTION_STRING";

    public const string OtlpEndpointVariable = "OTEL_EXPORTER_OTLP_ENDPOINT";
    public const string OtlpMetricsEndpointVariable = "OTEL_EXPORTER_OTLP_METRICS_ENDPOINT";
    public const string OtlpProtocolVariable = "OTEL_EXPORTER_OTLP_PROTOCOL";
    public const string OtlpMetricsProtocolVariable = "OTEL_EXPORTER_OTLP_METRICS_PROTOCOL";

    /// <summary>Serve the service's meters in Prometheus text format at <c>GET /metrics</c> (standalone only).</summary>
    public bool PrometheusEnabled { get; set; } = true;

    /// <summary>
    /// A collector's base address (<c>http://collector:4318</c>); with http/protobuf <c>/v1/metrics</c> is
    /// appended, as for <c>OTEL_EXPORTER_OTLP_ENDPOINT</c>. Empty: OTLP is on only when that variable
    /// (or <c>OTEL_EXPORTER_OTLP_METRICS_ENDPOINT</c>) is set, and the exporter reads it itself.
    /// </summary>
    public string? OtlpEndpoint { get; set; }

    /// <summary><c>HttpProtobuf</c> (default) or <c>Grpc</c>; applies to <see cref="OtlpEndpoint"/>.</summary>
    public OtlpTransport OtlpProtocol { get; set; } = OtlpTransport.HttpProtobuf;

    /// <summary>Set when the standard variables turned OTLP on (the exporter reads them itself).</summary>
    public bool OtlpFromEnvironment { get; set; }

    /// <summary>Set when a standard variable names the protocol; else http/protobuf, not the .NET exporter's gRPC default.</summary>
    public bool OtlpProtocolFromEnvironment { get; set; }

    /// <summary>Application Insights; defaults to <c>APPLICATIONINSIGHTS_CONNECTION_STRING</c>. Empty: off.</summary>
    public string? AzureMonitorConnectionString { get; set; }

    /// <summary>How often the push exporters (OTLP, Azure Monitor) send; 1 s to 1 h.</summary>
    public int ExportIntervalMilliseconds { get; set; } = 60_000;

    /// <summary>Longest wait for one export request to the collector or Azure Monitor; 100 ms to 5 min.</summary>
    public int ExportTimeoutMilliseconds { get; set; } = 10_000;

    public bool OtlpEnabled => !string.IsNullOrWhiteSpace(OtlpEndpoint) || OtlpFromEnvironment;

    public bool AzureMonitorEnabled => !string.IsNullOrWhiteSpace(AzureMonitorConnectionString);

    /// <summary>Where the OTLP exporter sends, when <see cref="OtlpEndpoint"/> gives it: the base plus <c>v1/metrics</c> over HTTP.</summary>
    public Uri? OtlpMetricsUri => string.IsNullOrWhiteSpace(OtlpEndpoint) ? null
        : OtlpProtocol == OtlpTransport.Grpc ? new Uri(OtlpEndpoint)
        : new Uri(OtlpEndpoint.TrimEnd('/') + "/v1/metrics");

    public static TelemetryOptions FromConfiguration(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var section = configuration.GetSection(SectionName);
        var options = new TelemetryOptions
        {
            PrometheusEnabled = Flag(section["Prometheus:Enabled"], "Prometheus:Enabled", true),
            OtlpEndpoint = section["Otlp:Endpoint"],
            OtlpProtocol = Protocol(section["Otlp:Protocol"]),
            OtlpFromEnvironment = !string.IsNullOrWhiteSpace(configuration[OtlpEndpointVariable])
                || !string.IsNullOrWhiteSpace(configuration[OtlpMetricsEndpointVariable]),
            OtlpProtocolFromEnvironment = !string.IsNullOrWhiteSpace(configuration[OtlpProtocolVariable])
                || !string.IsNullOrWhiteSpace(configuration[OtlpMetricsProtocolVariable]),
            AzureMonitorConnectionString = FirstSet(section["AzureMonitor:ConnectionString"], configuration[AppInsightsConnectionStringVariable]),
            ExportIntervalMilliseconds = Number(section["ExportIntervalMilliseconds"], "ExportIntervalMilliseconds", 60_000),
            ExportTimeoutMilliseconds = Number(section["ExportTimeoutMilliseconds"], "ExportTimeoutMilliseconds", 10_000),
        };
        return options;
    }

    /// <summary>The first bad setting throws, naming its configuration key.</summary>
    public void Validate()
    {
        if (!string.IsNullOrWhiteSpace(OtlpEndpoint)
            && (!Uri.TryCreate(OtlpEndpoint, UriKind.Absolute, out var endpoint) || (endpoint.Scheme != Uri.UriSchemeHttp && endpoint.Scheme != Uri.UriSchemeHttps)
                || !string.IsNullOrEmpty(endpoint.Query)))
        {
            throw new ArgumentException($"{SectionName}:Otlp:Endpoint must be an absolute http or https address without a query, such as http://127.0.0.1:4318.", nameof(OtlpEndpoint));
        }

        if (ExportIntervalMilliseconds is < 1_000 or > 3_600_000)
        {
            throw new ArgumentOutOfRangeException(nameof(ExportIntervalMilliseconds), ExportIntervalMilliseconds,
                $"{SectionName}:ExportIntervalMilliseconds must be between 1000 and 3600000.");
        }

        if (ExportTimeoutMilliseconds is < 100 or > 300_000)
        {
            throw new ArgumentOutOfRangeException(nameof(ExportTimeoutMilliseconds), ExportTimeoutMilliseconds,
                $"{SectionName}:ExportTimeoutMilliseconds must be between 100 and 300000.");
        }

        // Never echo the connection string: it carries the instrumentation key.
        if (AzureMonitorEnabled && !AzureMonitorConnectionString!.Contains("InstrumentationKey=", StringComparison.OrdinalIgnoreCase))
        {
            throw new ArgumentException(
                $"{SectionName}:AzureMonitor:ConnectionString (or {AppInsightsConnectionStringVariable}) has no InstrumentationKey=; copy the whole connection string from the Application Insights resource.",
                nameof(AzureMonitorConnectionString));
        }
    }

    private static string? FirstSet(params string?[] values) => values.FirstOrDefault(v => !string.IsNullOrWhiteSpace(v));

    private static bool Flag(string? value, string key, bool fallback) =>
        string.IsNullOrWhiteSpace(value) ? fallback
        : bool.TryParse(value, out var parsed) ? parsed
        : throw new ArgumentException($"{SectionName}:{key} must be true or false.", key);

    private static int Number(string? value, string key, int fallback) =>
        string.IsNullOrWhiteSpace(value) ? fallback
        : int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var parsed) ? parsed
        : throw new ArgumentException($"{SectionName}:{key} must be a whole number of milliseconds.", key);

    private static OtlpTransport Protocol(string? value) =>
        string.IsNullOrWhiteSpace(value) || string.Equals(value.Trim(), "http/protobuf", StringComparison.OrdinalIgnoreCase) ? OtlpTransport.HttpProtobuf
        : string.Equals(value.Trim(), "grpc", StringComparison.OrdinalIgnoreCase) ? OtlpTransport.Grpc
        : throw new ArgumentException($"{SectionName}:Otlp:Protocol must be http/protobuf or grpc.", "Otlp:Protocol");
}
