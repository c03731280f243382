using FunctionsObservability.Tests.Infrastructure;

namespace FunctionsObservability.Tests.PromQL.Oracle;

/// <summary>
/// A real Prometheus, our engine in process and the service, all loaded with the same generated samples. The data ends a
/// few minutes before now, so Prometheus's head accepts all of it (it refuses samples older than
/// an hour before its newest).
/// </summary>
public sealed class OracleFixture : IAsyncLifetime
{
    private PrometheusServer? _prometheus;
    private ServiceHost? _service;

    public long StartMs { get; private set; }

    public long EndMs => StartMs + (long)OracleData.Span.TotalMilliseconds;

    public IPromQuerySide Prometheus { get; private set; } = null!;

    /// <summary>Our engine in this process over an in-memory source.</summary>
    public IPromQuerySide Ours { get; private set; } = null!;

    /// <summary>The whole service: remote_write into its store, PromQL through its HTTP API.</summary>
    public IPromQuerySide Service { get; private set; } = null!;

    public IEnumerable<IPromQuerySide> OurSides => [Ours, Service];

    public async Task InitializeAsync()
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 1000 * 1000;
        StartMs = now - (long)OracleData.Span.TotalMilliseconds - (5 * 60_000);
        var data = OracleData.Generate(StartMs);
        _prometheus = await PrometheusServer.StartAsync();
        Prometheus = new HttpQuerySide("prometheus", _prometheus.Client);
        Ours = new InProcessQuerySide();
        // Thousands of queries in a few seconds: past the default query rate limit (200/s, burst 400),
        // whose 429s would stand in for answers.
        _service = await ServiceHost.StartAsync(new Dictionary<string, string> { ["RateLimits:Query:TokensPerSecond"] = "0" });
        Service = new HttpQuerySide("service", _service.Client);
        await Prometheus.LoadAsync(data, CancellationToken.None);
        await Ours.LoadAsync(data, CancellationToken.None);
        await Service.LoadAsync(data, CancellationToken.None);
    }

    public async Task DisposeAsync()
    {
        await Ours.DisposeAsync();
        await Service.DisposeAsync();
        await Prometheus.DisposeAsync();
        if (_service is not null)
        {
            await _service.DisposeAsync();
        }

        if (_prometheus is not null)
        {
            await _prometheus.DisposeAsync();
        }
    }
}
