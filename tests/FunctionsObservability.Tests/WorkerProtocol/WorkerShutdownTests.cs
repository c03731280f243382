using System.Globalization;
using System.Net;
using System.Text;
using FunctionsObservability.Pipeline.Storage;

namespace FunctionsObservability.Tests.WorkerProtocol;

/// <summary>When the host stops the worker, the worker drains the ingest mesh before it exits.</summary>
public sealed class WorkerShutdownTests
{
    private const int LinesPerRequest = 200_000;

    /// <summary>About 2 s of parsing and committing on this machine: longer than the worker takes to stop without draining.</summary>
    private const int Requests = 8;

    [Fact]
    public async Task WorkerTerminate_RightAfterAsyncAcknowledgement_CommitsEveryAcceptedPointBeforeExit()
    {
        using var timeout = new CancellationTokenSource(WorkerHarness.StartTimeout * 3);
        await using var worker = await WorkerHarness.StartAsync(prepareDataDirectory: null, timeout.Token);
        var seconds = DateTimeOffset.UtcNow.ToUnixTimeSeconds() - 3600;

        // 202 means the points are in the pipeline, not yet committed: the terminate races the commits.
        var sends = Enumerable.Range(0, Requests).Select(r => worker.InvokeHttpAsync(
            "Ingest", HttpMethod.Post, "/api/ingest?precision=s&ack=async", Body(r, seconds), "text/plain", null, timeout.Token));
        foreach (var accepted in await Task.WhenAll(sends))
        {
            Assert.True(accepted.Http.StatusCode == HttpStatusCode.Accepted, worker.Describe(accepted));
        }

        var stopped = await worker.TerminateAsync();

        worker.Verify(() =>
        {
            Assert.True(stopped, "the worker did not exit after WorkerTerminate");
            Assert.Equal((long)Requests * LinesPerRequest, CountRows(worker.DataDirectory));
        });
    }

    private static string Body(int request, long seconds)
    {
        var body = new StringBuilder();
        for (var i = 0; i < LinesPerRequest; i++)
        {
            body.Append(CultureInfo.InvariantCulture, $"drain,host=h{i % 50},request=r{request} v={i} {seconds + (i / 50)}\n");
        }

        return body.ToString();
    }

    private static long CountRows(string dataDirectory)
    {
        using var database = new MetricsDatabase(new StorageOptions { DataDirectory = dataDirectory });
        using var connection = database.OpenConnection();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT count(*) FROM all_points";
        return Convert.ToInt64(command.ExecuteScalar(), CultureInfo.InvariantCulture);
    }
}
