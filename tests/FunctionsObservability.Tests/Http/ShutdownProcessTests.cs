using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using FunctionsObservability.Pipeline.Storage;
using FunctionsObservability.Tests.Infrastructure;

namespace FunctionsObservability.Tests.Http;

/// <summary>The real executable, stopped the way a container or systemd stops it: SIGTERM.</summary>
public sealed class ShutdownProcessTests
{
    [Fact]
    public async Task Sigterm_WithAsyncAcknowledgedPoints_CommitsThemAllBeforeExit()
    {
        using var directory = new TempDirectory();
        var port = ServiceProcess.FreePort();
        using var process = StartService(port, directory.Path);
        using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(30) };
        try
        {
            await ServiceProcess.WaitForHealthAsync(client, process);
            var seconds = MeshFixture.BaseSeconds;
            const int requests = 60;
            const int lines = 5000;
            var sends = Enumerable.Range(0, requests).Select(async r =>
            {
                var body = new StringBuilder();
                for (var l = 0; l < lines; l++)
                {
                    body.Append(CultureInfo.InvariantCulture, $"term,host=h{l % 50} v={l} {seconds - (r * lines) - l}\n");
                }

                try
                {
                    using var response = await client.PostAsync("/api/v2/write?precision=s&ack=async", new StringContent(body.ToString()));
                    return response.StatusCode;
                }
                catch (HttpRequestException)
                {
                    // Sent after the listener closed: refused, so nothing of it may be stored.
                    return HttpStatusCode.ServiceUnavailable;
                }
            }).ToList();

            // SIGTERM as soon as the first request is acknowledged, while the others are still being
            // sent, read and parsed: the drain has work whatever the machine's speed, and no timing
            // decides the outcome.
            var pending = new List<Task<HttpStatusCode>>(sends);
            while (pending.Count > 0)
            {
                var done = await Task.WhenAny(pending);
                pending.Remove(done);
                if (await done == HttpStatusCode.Accepted)
                {
                    break;
                }
            }

            using (var kill = Process.Start("kill", $"-TERM {process.Id}"))
            {
                await kill.WaitForExitAsync();
            }

            var statuses = await Task.WhenAll(sends);
            Assert.All(statuses, s => Assert.Contains(s, new[] { HttpStatusCode.Accepted, HttpStatusCode.ServiceUnavailable }));
            var acknowledged = statuses.Count(s => s == HttpStatusCode.Accepted);
            Assert.InRange(acknowledged, 1, requests);

            using var exit = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            await process.WaitForExitAsync(exit.Token);
            Assert.Equal(0, process.ExitCode);

            using var database = new MetricsDatabase(new StorageOptions { DataDirectory = directory.Path });
            using var connection = database.OpenConnection();
            using var command = connection.CreateCommand();
            command.CommandText = "SELECT count(*) FROM all_points";
            // Every acknowledged request committed in full, and nothing refused was written.
            Assert.Equal((long)acknowledged * lines, Convert.ToInt64(command.ExecuteScalar(), CultureInfo.InvariantCulture));
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }
    }

    private static Process StartService(int port, string dataDirectory) =>
        // One commit per request and no coalescing, so the drain has many commits to make.
        ServiceProcess.Start(
        [
            $"--urls=http://127.0.0.1:{port}", $"--Storage:DataDirectory={dataDirectory}",
            "--Ingest:ParseParallelism=1", "--Ingest:BatchSize=1", "--Ingest:MaxPointsPerCommit=1",
        ]);
}
