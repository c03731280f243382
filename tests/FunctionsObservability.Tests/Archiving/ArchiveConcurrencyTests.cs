using FunctionsObservability.Tests.Archive;
using FunctionsObservability.Tests.Infrastructure;

namespace FunctionsObservability.Tests.Archiving;

/// <summary>Queries that run while partitions move from DuckDB to files see every point exactly once.</summary>
public sealed class ArchiveConcurrencyTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task QueriesDuringAnArchiveRun_CountEveryPointOnce(bool blob)
    {
        await using var host = await ServiceHost.StartAsync(ArchiveTestKit.Settings(blob ? azurite.Server : null));
        await ArchiveTestKit.IngestAsync(host);
        var from = ArchiveTestKit.Iso(ArchiveTestKit.OldHour);
        var to = ArchiveTestKit.Iso(ArchiveTestKit.RecentHour + 3600);
        var countQuery = $"/api/query/aggregate?metric=cpu_usage&from={from}&to={to}&fn=count&step=1000h";
        var expected = (await host.GetJsonAsync(countQuery)).GetProperty("series")[0].GetProperty("points").EnumerateArray().Sum(p => p.GetProperty("value").GetDouble());
        var pageQuery = "metric=cpu_usage&tag=host:h2";
        var expectedPages = await ArchiveTestKit.WalkPagesAsync(host, pageQuery, limit: 1000);

        using var stop = new CancellationTokenSource();
        var answers = 0;
        var target = int.MaxValue;
        var answeredAfterRun = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        async Task QueryUntilStoppedAsync()
        {
            while (!stop.IsCancellationRequested)
            {
                var counted = (await host.GetJsonAsync(countQuery)).GetProperty("series")[0].GetProperty("points").EnumerateArray().Sum(p => p.GetProperty("value").GetDouble());
                Assert.Equal(expected, counted);
                Assert.Equal(expectedPages, await ArchiveTestKit.WalkPagesAsync(host, pageQuery, limit: 1000));
                if (Interlocked.Increment(ref answers) >= Volatile.Read(ref target))
                {
                    answeredAfterRun.TrySetResult();
                }
            }
        }

        var readers = Enumerable.Range(0, 3).Select(_ => Task.Run(QueryUntilStoppedAsync)).ToArray();
        var run = await ArchiveTestKit.ArchiveNowAsync(host);

        // Keep querying until the readers have answered a few more times after the run (or one failed).
        Volatile.Write(ref target, Volatile.Read(ref answers) + readers.Length);
        await Task.WhenAny(answeredAfterRun.Task, Task.WhenAll(readers)).WaitAsync(TimeSpan.FromMinutes(2));

        await stop.CancelAsync();
        await Task.WhenAll(readers);
        Assert.Equal(6, run.GetProperty("filesArchived").GetInt32());
        Assert.True(answers > readers.Length);
    }
}
