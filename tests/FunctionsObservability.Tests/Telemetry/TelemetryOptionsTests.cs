using FunctionsObservability.Functions.Standalone;
using FunctionsObservability.Functions.Telemetry;
using FunctionsObservability.Tests.Infrastructure;
using Microsoft.Extensions.Configuration;

namespace FunctionsObservability.Tests.Telemetry;

/// <summary><c>Telemetry:*</c>: defaults, the standard variables it falls back on, and the checks that stop start-up.</summary>
public sealed class TelemetryOptionsTests
{
    private const string ConnectionString = "InstrumentationKey=00000000-0000-0000-0000-000000000000;IngestionEndpoint=http://127.0.0.1:9/";

    private static TelemetryOptions Bind(params (string Key, string Value)[] settings) =>
        TelemetryOptions.FromConfiguration(new ConfigurationBuilder()
            .AddInMemoryCollection(settings.Select(s => new KeyValuePair<string, string?>(s.Key, s.Value)))
            .Build());

    [Fact]
    public void Defaults_ScrapeOnly_PushEveryMinute_WithATenSecondTimeout()
    {
        var options = Bind();
        options.Validate();

        Assert.True(options.PrometheusEnabled);
        Assert.False(options.OtlpEnabled);
        Assert.False(options.AzureMonitorEnabled);
        Assert.Equal(60_000, options.ExportIntervalMilliseconds);
        Assert.Equal(10_000, options.ExportTimeoutMilliseconds);
        Assert.Equal(OtlpTransport.HttpProtobuf, options.OtlpProtocol);
    }

    [Fact]
    public void OtlpEndpoint_GetsTheSignalPathOverHttp_AndIsKeptAsItIsForGrpc()
    {
        var http = Bind(("Telemetry:Otlp:Endpoint", "http://127.0.0.1:4318/"));
        var grpc = Bind(("Telemetry:Otlp:Endpoint", "http://127.0.0.1:4317"), ("Telemetry:Otlp:Protocol", "grpc"));

        Assert.True(http.OtlpEnabled);
        Assert.Equal(new Uri("http://127.0.0.1:4318/v1/metrics"), http.OtlpMetricsUri);
        Assert.Equal(OtlpTransport.Grpc, grpc.OtlpProtocol);
        Assert.Equal(new Uri("http://127.0.0.1:4317"), grpc.OtlpMetricsUri);
    }

    [Fact]
    public void StandardVariables_TurnOtlpAndAzureMonitorOn()
    {
        var otlp = Bind((TelemetryOptions.OtlpEndpointVariable, "http://127.0.0.1:4318"));
        var signal = Bind((TelemetryOptions.OtlpMetricsEndpointVariable, "http://127.0.0.1:4318/v1/metrics"));
        var azure = Bind((TelemetryOptions.AppInsightsConnectionStringVariable, ConnectionString));
        var both = Bind((TelemetryOptions.AppInsightsConnectionStringVariable, "InstrumentationKey=from-variable"),
            ("Telemetry:AzureMonitor:ConnectionString", ConnectionString));

        Assert.True(otlp.OtlpEnabled && otlp.OtlpFromEnvironment);
        Assert.Null(otlp.OtlpMetricsUri);
        Assert.True(signal.OtlpEnabled);
        Assert.True(azure.AzureMonitorEnabled);
        Assert.Equal(ConnectionString, both.AzureMonitorConnectionString);
    }

    [Theory]
    [InlineData("Telemetry:Otlp:Endpoint", "ftp://127.0.0.1:4318", "Telemetry:Otlp:Endpoint")]
    [InlineData("Telemetry:Otlp:Endpoint", "collector:4318", "Telemetry:Otlp:Endpoint")]
    [InlineData("Telemetry:Otlp:Endpoint", "http://127.0.0.1:4318/?x=1", "Telemetry:Otlp:Endpoint")]
    [InlineData("Telemetry:ExportIntervalMilliseconds", "999", "Telemetry:ExportIntervalMilliseconds")]
    [InlineData("Telemetry:ExportIntervalMilliseconds", "3600001", "Telemetry:ExportIntervalMilliseconds")]
    [InlineData("Telemetry:ExportTimeoutMilliseconds", "0", "Telemetry:ExportTimeoutMilliseconds")]
    [InlineData("Telemetry:AzureMonitor:ConnectionString", "IngestionEndpoint=http://127.0.0.1:9/", "InstrumentationKey")]
    public void Validate_RefusesABadSetting_NamingIt(string key, string value, string named)
    {
        var error = Assert.ThrowsAny<ArgumentException>(() => Bind((key, value)).Validate());
        Assert.Contains(named, error.Message, StringComparison.Ordinal);
        if (key.EndsWith("ConnectionString", StringComparison.Ordinal))
        {
            // The connection string is a secret: the message names the setting, never its value.
            Assert.DoesNotContain(value, error.Message, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("Telemetry:Otlp:Protocol", "udp", "Telemetry:Otlp:Protocol")]
    [InlineData("Telemetry:Prometheus:Enabled", "sometimes", "Telemetry:Prometheus:Enabled")]
    [InlineData("Telemetry:ExportTimeoutMilliseconds", "ten", "Telemetry:ExportTimeoutMilliseconds")]
    public void Bind_RefusesAnUnreadableSetting_NamingIt(string key, string value, string named)
    {
        var error = Assert.ThrowsAny<ArgumentException>(() => Bind((key, value)));
        Assert.Contains(named, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void BadSetting_StopsStartUp()
    {
        using var directory = new TempDirectory();

        var error = Assert.ThrowsAny<ArgumentException>(() =>
            StandaloneHost.Build([$"--Storage:DataDirectory={directory.Path}", "--Telemetry:Otlp:Endpoint=not a url"]));

        Assert.Contains("Telemetry:Otlp:Endpoint", error.Message, StringComparison.Ordinal);
    }
}
