using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using FunctionsObservability.Tests.Infrastructure;
using FunctionsObservability.Tests.Timers;
using Xunit.Abstractions;
using FunctionsEvents = FunctionsObservability.Functions.LogEvents;

namespace FunctionsObservability.Tests.Http;

/// <summary>Bodies that stall or trickle: cut with 408 at the deadline, and never in the way of other writers.</summary>
[Collection(MemorySensitiveCollection.Name)]
public sealed class SlowClientTests(ITestOutputHelper output)
{
    private static readonly long Seconds = MeshFixture.BaseSeconds;

    [Theory]
    [InlineData("/api/ingest", "error")]
    [InlineData("/api/v2/write", "message")]
    public async Task StalledBody_Answers408InTheRoutesShape_AndLogsOneLine(string path, string messageKey)
    {
        var logs = new CapturingLoggerProvider();
        await using var host = await ServiceHost.StartAsync(
            new Dictionary<string, string> { ["Ingest:BodyTimeoutSeconds"] = "1" },
            configure: builder => builder.Logging.AddProvider(logs));
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await using var connection = await RawHttpConnection.OpenAsync(host.Client.BaseAddress!, cancellationToken: timeout.Token);

        await connection.SendHeadAsync("POST", path, 100, bodyStart: "c"u8.ToArray(), cancellationToken: timeout.Token);
        var (status, _, body) = await connection.ReadResponseAsync(timeout.Token);

        Assert.Equal(408, status);
        using var json = JsonDocument.Parse(body);
        Assert.Contains("did not arrive within 1 s", json.RootElement.GetProperty(messageKey).GetString(), StringComparison.Ordinal);
        if (messageKey == "message")
        {
            Assert.Equal("request timeout", json.RootElement.GetProperty("code").GetString());
        }

        Assert.Single(logs.Entries, e => e.EventId.Id == FunctionsEvents.IngestBodyRefused);
        Assert.DoesNotContain(logs.Entries, e => e.EventId.Id == FunctionsEvents.UnhandledRequestException);
    }

    [Fact]
    public async Task BodyBelowKestrelsMinimumDataRate_Answers408NotA500()
    {
        var logs = new CapturingLoggerProvider();
        await using var host = await ServiceHost.StartAsync(configure: builder => builder.Logging.AddProvider(logs));
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await using var connection = await RawHttpConnection.OpenAsync(host.Client.BaseAddress!, cancellationToken: timeout.Token);

        // One byte, then nothing: Kestrel gives up after its 5 s grace period at 240 B/s.
        await connection.SendHeadAsync("POST", "/api/ingest", 100, bodyStart: "c"u8.ToArray(), cancellationToken: timeout.Token);
        var (status, _, body) = await connection.ReadResponseAsync(timeout.Token);

        Assert.True(status == 408, $"expected 408, got {status}: {body}");
        Assert.Contains("minimum data rate", body, StringComparison.Ordinal);
        Assert.DoesNotContain(logs.Entries, e => e.EventId.Id == FunctionsEvents.UnhandledRequestException);
        Assert.Contains(logs.Entries, e => e.EventId.Id == FunctionsEvents.IngestBodyRefused && e.Message.Contains("408", StringComparison.Ordinal));
    }

    [Fact]
    public async Task FourHundredSlowUploaders_DoNotStarveANormalWriter()
    {
        const int Uploaders = 400;
        var baseline = PeakMemory.Reset();
        await using var host = await ServiceHost.StartAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        var uploaders = new List<RawHttpConnection>(Uploaders);
        try
        {
            // 16 MiB bodies announced, sent at about 300 B/s each, from another client address.
            for (var i = 0; i < Uploaders; i++)
            {
                var connection = await RawHttpConnection.OpenAsync(host.Client.BaseAddress!, "127.0.0.2", timeout.Token);
                uploaders.Add(connection);
                await connection.SendHeadAsync("POST", "/api/ingest?precision=s", 16 * 1024 * 1024, bodyStart: Encoding.ASCII.GetBytes($"slow,u={i} v=1 {Seconds}\n"), cancellationToken: timeout.Token);
            }

            using var stopTrickle = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token);
            var trickle = TrickleAsync(uploaders, stopTrickle.Token);
            var latencies = new List<double>();
            var refused = new List<string>();
            for (var i = 0; i < 300; i++)
            {
                var started = Stopwatch.GetTimestamp();
                using var response = await host.PostAsync("/api/v2/write?precision=s", $"normal,w=1 v={i} {Seconds + i}\n");
                latencies.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                if (response.StatusCode != HttpStatusCode.NoContent)
                {
                    refused.Add($"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
                }
            }

            await stopTrickle.CancelAsync();
            await trickle;
            latencies.Sort();
            var p50 = latencies[latencies.Count / 2];
            var p99 = latencies[(int)Math.Ceiling(latencies.Count * 0.99) - 1];
            output.WriteLine($"normal writer under {Uploaders} slow uploaders: {latencies.Count} requests, p50 {p50:F1} ms, p99 {p99:F1} ms, max {latencies[^1]:F1} ms");

            var peak = Process.GetCurrentProcess().PeakWorkingSet64;
            var footprint = PeakMemory.ScenarioFootprint(baseline);
            output.WriteLine($"peak working set of the process (service and test runner): {peak / (1024 * 1024)} MiB; "
                + $"at the start {baseline / (1024 * 1024)} MiB; the scenario's footprint {footprint / (1024 * 1024)} MiB");

            Assert.Empty(refused);
            Assert.True(p99 < 100, $"p99 {p99:F1} ms (p50 {p50:F1} ms) under {Uploaders} slow uploaders");

            // The README's memory ceiling with the defaults, for the scenario's share of the process (PeakMemory).
            Assert.True(footprint < 1024L * 1024 * 1024, $"the scenario's footprint {footprint} bytes (peak {peak}, start {baseline}) is above the README's 1 GiB ceiling");
        }
        finally
        {
            foreach (var connection in uploaders)
            {
                await connection.DisposeAsync();
            }
        }
    }

    /// <summary>About 300 bytes a second on every connection: above Kestrel's minimum rate, so none is cut.</summary>
    private static async Task TrickleAsync(IReadOnlyList<RawHttpConnection> connections, CancellationToken cancellationToken)
    {
        var filler = Encoding.ASCII.GetBytes(new string('#', 60));
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(200));
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken))
            {
                foreach (var connection in connections)
                {
                    await connection.SendAsync(filler, cancellationToken);
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }
}
