using System.Diagnostics;
using System.Net;
using System.Text.Json;
using FunctionsObservability.Tests.Infrastructure;

namespace FunctionsObservability.Tests.Http;

/// <summary>One memory budget for bodies in flight across all requests, with a share per client address.</summary>
[Collection(MemorySensitiveCollection.Name)]
public sealed class MemoryBudgetTests
{
    private const int MiB = 1024 * 1024;
    private static readonly long Seconds = MeshFixture.BaseSeconds;

    private static Dictionary<string, string> SmallBudget() => new()
    {
        ["Ingest:MaxBodyBytes"] = $"{MiB}",
        ["Ingest:MaxDecompressedBytes"] = $"{MiB}",
        ["Ingest:MemoryBudgetBytes"] = $"{2 * MiB}",
        ["Ingest:ClientMemoryBudgetBytes"] = $"{MiB}",
    };

    [Fact]
    public async Task BodiesInFlight_OverAClientsShare_Get429_OverTheBudget_Get503_AndTheBytesReturnWhenTheyEnd()
    {
        await using var host = await ServiceHost.StartAsync(SmallBudget());
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var server = host.Client.BaseAddress!;

        // A first client sends 100 KiB of a 1 MiB body and waits: the buffer goes to the announced size, its whole share.
        await using var first = await RawHttpConnection.OpenAsync(server, "127.0.0.2", timeout.Token);
        await first.SendHeadAsync("POST", "/api/ingest", MiB, bodyStart: new byte[100 * 1024], cancellationToken: timeout.Token);
        await WaitForReservedAsync(host, MiB, timeout.Token);

        // The same client again: its share is spent.
        await using var again = await RawHttpConnection.OpenAsync(server, "127.0.0.2", timeout.Token);
        await again.SendHeadAsync("POST", "/api/ingest", 1000, bodyStart: new byte[10], cancellationToken: timeout.Token);
        var (clientStatus, clientHeaders, clientBody) = await again.ReadResponseAsync(timeout.Token);

        // A small body sent whole in one packet is taken straight from Kestrel's buffer, and charged the same way.
        await using var whole = await RawHttpConnection.OpenAsync(server, "127.0.0.2", timeout.Token);
        var line = System.Text.Encoding.ASCII.GetBytes($"whole,w=1 v=1 {Seconds}\n");
        await whole.SendHeadAsync("POST", "/api/v2/write?precision=s", line.Length, bodyStart: line, cancellationToken: timeout.Token);
        var (wholeStatus, wholeHeaders, _) = await whole.ReadResponseAsync(timeout.Token);

        // A second client takes the rest of the budget; a third finds none left.
        await using var second = await RawHttpConnection.OpenAsync(server, "127.0.0.3", timeout.Token);
        await second.SendHeadAsync("POST", "/api/ingest", MiB, bodyStart: new byte[100 * 1024], cancellationToken: timeout.Token);
        await WaitForReservedAsync(host, 2 * MiB, timeout.Token);
        await using var third = await RawHttpConnection.OpenAsync(server, "127.0.0.4", timeout.Token);
        await third.SendHeadAsync("POST", "/api/v2/write", 1000, bodyStart: new byte[10], cancellationToken: timeout.Token);
        var (budgetStatus, budgetHeaders, budgetBody) = await third.ReadResponseAsync(timeout.Token);

        Assert.Equal(429, clientStatus);
        Assert.Contains("Retry-After", clientHeaders, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("share of the ingest memory budget", JsonDocument.Parse(clientBody).RootElement.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Equal(429, wholeStatus);
        Assert.Contains("Retry-After", wholeHeaders, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(503, budgetStatus);
        Assert.Contains("Retry-After", budgetHeaders, StringComparison.OrdinalIgnoreCase);
        Assert.Equal("unavailable", JsonDocument.Parse(budgetBody).RootElement.GetProperty("code").GetString());

        // The clients that held the budget go away: their bytes come back, and writes are taken again.
        await first.DisposeAsync();
        await second.DisposeAsync();
        await WaitForReservedAsync(host, 0, timeout.Token);
        using var write = await host.PostAsync("/api/v2/write?precision=s", $"after,w=1 v=1 {Seconds}\n");
        Assert.Equal(HttpStatusCode.NoContent, write.StatusCode);
    }

    [Fact]
    public async Task GzipBodies_ExpandedAtOnce_AreBoundedByTheBudget_NotByTheirNumber()
    {
        // 16 gzip bodies of 0.12 MB, each expanding to 60 MB (under the 64 MiB cap), all at once.
        await using var host = await ServiceHost.StartAsync();
        var expanded = new byte[60 * 1000 * 1000];
        Array.Fill(expanded, (byte)'x');
        var gzip = await IngestHttpTests.Gzip(expanded).ReadAsByteArrayAsync();
        var peak = 0L;
        using var sampling = new CancellationTokenSource();
        var sampler = Task.Run(async () =>
        {
            while (!sampling.IsCancellationRequested)
            {
                var ready = await host.GetJsonAsync("/api/health/ready");
                peak = Math.Max(peak, ready.GetProperty("ingestMemoryBytes").GetInt64());
                await Task.Yield();
            }
        });

        var answers = await Task.WhenAll(Enumerable.Range(0, 16).Select(async _ =>
        {
            using var content = new ByteArrayContent(gzip);
            content.Headers.ContentEncoding.Add("gzip");
            using var response = await host.Client.PostAsync("/api/ingest", content);
            return response.StatusCode;
        }));
        await sampling.CancelAsync();
        await sampler;

        // Each body that fit in the budget was read and refused as bad line protocol; the rest were refused at the budget.
        Assert.All(answers, status => Assert.True(status is HttpStatusCode.BadRequest or HttpStatusCode.TooManyRequests or HttpStatusCode.ServiceUnavailable, $"{status}"));
        Assert.Contains(HttpStatusCode.TooManyRequests, answers);
        Assert.InRange(peak, 0, 192L * MiB);
        Assert.Equal(0, (await host.GetJsonAsync("/api/health/ready")).GetProperty("ingestMemoryBytes").GetInt64());
    }

    private static async Task WaitForReservedAsync(ServiceHost host, long bytes, CancellationToken cancellationToken)
    {
        var deadline = Stopwatch.StartNew();
        long reserved;
        do
        {
            cancellationToken.ThrowIfCancellationRequested();
            reserved = (await host.GetJsonAsync("/api/health/ready")).GetProperty("ingestMemoryBytes").GetInt64();
            if (reserved == bytes)
            {
                return;
            }

            await Task.Yield();
        }
        while (deadline.Elapsed < TimeSpan.FromSeconds(30));

        Assert.Fail($"the ingest memory budget held {reserved} bytes, not {bytes}, after 30 s");
    }
}
