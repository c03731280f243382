using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Text;
using FunctionsObservability.Pipeline.Storage;
using FunctionsObservability.Tests.Infrastructure;

namespace FunctionsObservability.Tests.Storage;

/// <summary>
/// The real executable killed (SIGKILL, no shutdown) while four senders write: at a failpoint of
/// the write path, or at whatever moment the test picks. After a restart on the same data folder,
/// every batch the service acknowledged is there exactly once, and every batch whose answer was
/// lost, resent with its Idempotency-Key, ends up there exactly once too.
/// </summary>
public sealed class KillDuringWriteTests
{
    private const int Senders = 4;
    private const int BatchesPerSender = 15;
    private const int LinesPerBatch = 200;
    private const string Measurement = "crash_walk";

    /// <summary>Line protocol names a metric after the measurement and the field.</summary>
    private const string Metric = Measurement + "_v";

    /// <summary>
    /// With the largest threshold nothing is applied before the kill: every acknowledged point is
    /// in the log and the in-memory head only. With the smallest the head goes to the file every
    /// few batches, so the kills land before, during and after applies.
    /// </summary>
    [Theory]
    [InlineData("LogAppended:7", 1_000_000)]
    [InlineData("Applying:2", 1_000)]
    [InlineData("Applied:2", 1_000)]
    [InlineData(null, 3_000)]
    [InlineData(null, 1_000_000)]
    public async Task KilledWhileWriting_RestartHasEveryAcknowledgedPointOnce_AndResentBatchesOnce(string? failpoint, int applyThreshold)
    {
        using var data = new TempDirectory();
        // One second per point: 12,000 seconds of data, all in the past.
        var start = DateTimeOffset.UtcNow.AddHours(-4).ToUnixTimeSeconds();
        var acknowledged = new ConcurrentDictionary<int, bool>();
        var port = ServiceProcess.FreePort();

        var environment = failpoint is null ? null : new Dictionary<string, string> { [WriterFailpoint.Variable] = failpoint };
        using (var process = ServiceProcess.Start(
            [$"--urls=http://127.0.0.1:{port}", $"--Storage:DataDirectory={data.Path}", $"--Storage:CompactionRowThreshold={applyThreshold}"], environment))
        {
            try
            {
                using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromMinutes(1) };
                await ServiceProcess.WaitForHealthAsync(client, process);
                using var killAfter = new SemaphoreSlim(0);
                var senders = Enumerable.Range(0, Senders).Select(sender => Task.Run(async () =>
                {
                    for (var i = 0; i < BatchesPerSender; i++)
                    {
                        var batch = (sender * BatchesPerSender) + i;
                        try
                        {
                            using var response = await SendAsync(client, batch, start);
                            Assert.True(response.IsSuccessStatusCode, $"batch {batch}: {(int)response.StatusCode}");
                            acknowledged[batch] = true;
                            killAfter.Release();
                        }
                        catch (HttpRequestException)
                        {
                            return; // the process is gone
                        }
                    }
                })).ToArray();

                if (failpoint is null)
                {
                    // Kill once a third of the batches are acknowledged, with the rest in flight.
                    for (var i = 0; i < Senders * BatchesPerSender / 3; i++)
                    {
                        await killAfter.WaitAsync(TimeSpan.FromMinutes(1));
                    }

                    process.Kill(entireProcessTree: true);
                }

                await Task.WhenAll(senders);
                using var exit = new CancellationTokenSource(TimeSpan.FromSeconds(60));
                await process.WaitForExitAsync(exit.Token);
                Assert.NotEqual(0, process.ExitCode);
            }
            finally
            {
                if (!process.HasExited)
                {
                    process.Kill(entireProcessTree: true);
                }
            }
        }

        Assert.NotEmpty(acknowledged);
        Assert.True(acknowledged.Count < Senders * BatchesPerSender, "the kill came after every batch was acknowledged");

        await using var restarted = await ServiceHost.StartAsync(dataDirectory: data.Path);
        var (countAcked, _) = await CountAndSumAsync(restarted, start);
        var (expectedCount, _) = Expected(acknowledged.Keys);

        // Batches whose answer was lost may or may not be in; acknowledged ones must all be, once.
        Assert.True(countAcked >= expectedCount, $"{countAcked} points after the restart, {expectedCount} acknowledged");
        Assert.True(countAcked % LinesPerBatch == 0, $"{countAcked} points: some batch is in only in part");

        for (var batch = 0; batch < Senders * BatchesPerSender; batch++)
        {
            if (!acknowledged.ContainsKey(batch))
            {
                using var response = await SendAsync(restarted.Client, batch, start);
                Assert.True(response.IsSuccessStatusCode, $"resending batch {batch}: {(int)response.StatusCode}");
            }
        }

        var (count, sum) = await CountAndSumAsync(restarted, start);
        var (allCount, allSum) = Expected(Enumerable.Range(0, Senders * BatchesPerSender));
        Assert.Equal(allCount, count);
        Assert.Equal(allSum, sum, 6);
    }

    private static async Task<HttpResponseMessage> SendAsync(HttpClient client, int batch, long start)
    {
        var body = new StringBuilder();
        for (var line = 0; line < LinesPerBatch; line++)
        {
            // A distinct (host, second) per point, and a value that identifies it.
            body.Append(CultureInfo.InvariantCulture, $"{Measurement},host=h{line % 10} v={Value(batch, line)} {start + (batch * LinesPerBatch) + line}\n");
        }

        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/ingest?precision=s") { Content = new StringContent(body.ToString()) };
        request.Headers.Add("Idempotency-Key", $"crash-batch-{batch}");
        return await client.SendAsync(request);
    }

    private static double Value(int batch, int line) => (batch * 1000) + line;

    private static (long Count, double Sum) Expected(IEnumerable<int> batches)
    {
        long count = 0;
        double sum = 0;
        foreach (var batch in batches)
        {
            for (var line = 0; line < LinesPerBatch; line++)
            {
                count++;
                sum += Value(batch, line);
            }
        }

        return (count, sum);
    }

    private static async Task<(long Count, double Sum)> CountAndSumAsync(ServiceHost host, long start)
    {
        var from = DateTimeOffset.FromUnixTimeSeconds(start - 3600).ToString("O", CultureInfo.InvariantCulture);
        var to = DateTimeOffset.FromUnixTimeSeconds(start + (4 * 3600)).ToString("O", CultureInfo.InvariantCulture);
        var count = await TotalAsync(host, from, to, "count");
        var sum = await TotalAsync(host, from, to, "sum");
        return ((long)count, sum);
    }

    private static async Task<double> TotalAsync(ServiceHost host, string from, string to, string fn)
    {
        var answer = await host.GetJsonAsync($"/api/query/aggregate?metric={Metric}&from={Uri.EscapeDataString(from)}&to={Uri.EscapeDataString(to)}&step=6h&fn={fn}");
        double total = 0;
        foreach (var series in answer.GetProperty("series").EnumerateArray())
        {
            foreach (var point in series.GetProperty("points").EnumerateArray())
            {
                total += point.GetProperty("value").GetDouble();
            }
        }

        return total;
    }
}
