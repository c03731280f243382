using FunctionsObservability.Tests.Infrastructure;

namespace FunctionsObservability.Tests.PromQL.Oracle;

/// <summary>
/// A real Prometheus and our engine, both loaded with the same generated samples. The data ends a
/// few minutes before now, so Prometheus's head accepts all of it (it refuses samples older than
/// an hour before its newest).
/// </summary>
public sealed class OracleFixture : IAsyncLifetime
{
    private PrometheusServer? _prometheus;

    public long StartMs { get; private set; }

    public long EndMs => StartMs + (long)OracleData.Span.TotalMilliseconds;

    public IPromQuerySide Prometheus { get; private set; } = null!;

    public IPromQuerySide Ours { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 1000 * 1000;
        StartMs = now - (long)OracleData.Span.TotalMilliseconds - (5 * 60_000);
        var data = OracleData.Generate(StartMs);
        _prometheus = await PrometheusServer.StartAsync();
        Prometheus = new HttpQuerySide("prometheus", _prometheus.Client);
        Ours = new InProcessQuerySide();
        await Prometheus.LoadAsync(data, CancellationToken.None);
        await Ours.LoadAsync(data, CancellationToken.None);
    }

    public async Task DisposeAsync()
    {
        await Ours.DisposeAsync();
        await Prometheus.DisposeAsync();
        if (_prometheus is not null)
        {
            await _prometheus.DisposeAsync();
        }
    }
}
