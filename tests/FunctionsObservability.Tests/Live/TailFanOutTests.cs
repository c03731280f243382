using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using FunctionsObservability.Pipeline.Live;
using FunctionsObservability.Tests.Infrastructure;
using Xunit.Abstractions;

namespace FunctionsObservability.Tests.Live;

/// <summary>
/// The proof: 1,000 subscribers on one metric, 100 of which stop reading once subscribed.
/// The 900 readers get every batch, in order; the 100 are dropped; the writer never waits for them.
/// The delivery latency is printed here and measured in bench/ (never asserted as a wall-clock limit).
/// </summary>
[Collection(MemorySensitiveCollection.Name)]
public sealed class TailFanOutTests(ITestOutputHelper output)
{
    private const int Readers = 900;
    private const int Stalled = 100;
    private const int PointsPerBatch = 60;
    private const int MaxBatches = 600;
    private static readonly long Now = DateTimeOffset.UtcNow.ToUnixTimeSeconds() - 3600;

    [Fact]
    public async Task ThousandSubscribers_ReadersGetEveryBatch_AndThoseThatStopReadingAreDropped()
    {
        await using var host = await ServiceHost.StartAsync(new Dictionary<string, string>
        {
            ["Tail:MaxSubscribers"] = "1000",
            ["Tail:MaxSubscribersPerClient"] = "1000",
            ["Tail:SubscriberBufferBytes"] = "16384",
            ["Tail:HeartbeatSeconds"] = "300",
            // 1,000 subscriptions from one address at once: the query rate limit would refuse most of them.
            ["RateLimits:Query:Burst"] = "2000",
        });
        await WriteBatchAsync(host, 0);
        var tail = host.Service<LiveTail>();
        using var stop = new CancellationTokenSource();
        using var readerClient = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 2000 }) { BaseAddress = host.Client.BaseAddress, Timeout = Timeout.InfiniteTimeSpan };

        var received = new int[MaxBatches + 1];
        var everyoneHas = Enumerable.Range(0, MaxBatches + 1).Select(_ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).ToArray();
        void OnBatch(int batch)
        {
            if (Interlocked.Increment(ref received[batch]) == Readers)
            {
                everyoneHas[batch].TrySetResult();
            }
        }

        var path = "/api/tail?metric=fan_v";
        var readers = new List<CountingSubscriber>(Readers);
        var stalled = new List<Socket>(Stalled);
        try
        {
            for (var i = 0; i < Readers + Stalled; i++)
            {
                // Interleaved, so the stalled ones sit among the readers in the fan-out's order.
                if (i % 10 == 9)
                {
                    stalled.Add(await SubscribeAndStopReadingAsync(host.Client.BaseAddress!, path));
                }
                else
                {
                    readers.Add(await CountingSubscriber.StartAsync(readerClient, path, OnBatch, stop.Token));
                }
            }

            Assert.Equal(Readers + Stalled, tail.SubscriberCount);
            var latencies = new List<double>();
            var batches = 0;
            var sent = new Dictionary<int, long>();
            while (batches < MaxBatches && (tail.DroppedSubscribers < Stalled || tail.SubscriberCount > Readers || batches < 20))
            {
                batches++;
                sent[batches] = Stopwatch.GetTimestamp();
                await WriteBatchAsync(host, batches);
                await everyoneHas[batches].Task.WaitAsync(TimeSpan.FromSeconds(60));
            }

            output.WriteLine($"batches written: {batches}; dropped: {tail.DroppedSubscribers}; subscribers left: {tail.SubscriberCount}; "
                + $"peak working set of the test process {Process.GetCurrentProcess().PeakWorkingSet64 / (1024 * 1024)} MiB");
            Assert.Equal(Stalled, tail.DroppedSubscribers);
            Assert.Equal(Readers, tail.SubscriberCount);
            foreach (var reader in readers)
            {
                Assert.False(reader.Ended);
                Assert.Equal(Enumerable.Range(1, batches), reader.Order);
                latencies.AddRange(reader.Order.Select(b => Stopwatch.GetElapsedTime(sent[b], reader.ArrivedAt[b]).TotalMilliseconds));
            }

            latencies.Sort();
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"delivery after the write was sent, ms: p50 {latencies[latencies.Count / 2]:F1}, p99 {latencies[(int)(latencies.Count * 0.99)]:F1}, max {latencies[^1]:F1} ({latencies.Count} deliveries)"));
        }
        finally
        {
            await stop.CancelAsync();
            foreach (var socket in stalled)
            {
                socket.Dispose();
            }

            await Task.WhenAll(readers.Select(r => r.Reading));
        }
    }

    private static async Task WriteBatchAsync(ServiceHost host, int batch)
    {
        var lines = new StringBuilder();
        for (var i = 0; i < PointsPerBatch; i++)
        {
            lines.Append(CultureInfo.InvariantCulture, $"fan,host=h{i:D3},region=r{i % 4} v={batch} {Now + batch}\n");
        }

        using var response = await host.PostAsync("/api/ingest?precision=s", lines.ToString());
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    /// <summary>Subscribes on a socket with a small receive window, reads up to the stream's preamble, then never reads again.</summary>
    private static async Task<Socket> SubscribeAndStopReadingAsync(Uri baseAddress, string path)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { ReceiveBufferSize = 4096 };
        await socket.ConnectAsync(IPAddress.Loopback, baseAddress.Port);
        await socket.SendAsync(Encoding.ASCII.GetBytes($"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n"));
        var seen = new StringBuilder();
        var buffer = new byte[256];
        while (!seen.ToString().Contains("retry: 2000", StringComparison.Ordinal))
        {
            var read = await socket.ReceiveAsync(buffer);
            Assert.True(read > 0, "the tail closed before its preamble");
            seen.Append(Encoding.ASCII.GetString(buffer, 0, read));
        }

        Assert.StartsWith("HTTP/1.1 200", seen.ToString(), StringComparison.Ordinal);
        return socket;
    }
}
