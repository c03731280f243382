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
            var statuses = await Task.WhenAll(Enumerable.Range(0, requests).Select(async r =>
            {
                var body = new StringBuilder();
                for (var l = 0; l < lines; l++)
                {
                    body.Append(CultureInfo.InvariantCulture, $"term,host=h{l % 50} v={l} {seconds - (r * lines) - l}\n");
                }

                using var response = await client.PostAsync("/api/v2/write?precision=s&ack=async", new StringContent(body.ToString()));
                return response.StatusCode;
            }));
            Assert.All(statuses, s => Assert.Equal(HttpStatusCode.Accepted, s));

            // Acknowledged but not yet committed: this is what the drain must not lose.
            var ready = await client.GetStringAsync("/api/health/ready");
            Assert.DoesNotContain("\"bufferDepth\":0,", ready, StringComparison.Ordinal);

            using (var kill = Process.Start("kill", $"-TERM {process.Id}"))
            {
                await kill.WaitForExitAsync();
            }

            using var exit = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            await process.WaitForExitAsync(exit.Token);
            Assert.Equal(0, process.ExitCode);

            using var database = new MetricsDatabase(new StorageOptions { DataDirectory = directory.Path });
            using var connection = database.OpenConnection();
            using var command = connection.CreateCommand();
            command.CommandText = "SELECT count(*) FROM all_points";
            Assert.Equal(requests * lines, Convert.ToInt64(command.ExecuteScalar(), CultureInfo.InvariantCulture));
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
        // One commit per request and no coalescing, so the mesh still holds work at SIGTERM.
        ServiceProcess.Start(
        [
            $"--urls=http://127.0.0.1:{port}", $"--Storage:DataDirectory={dataDirectory}",
            "--Ingest:ParseParallelism=1", "--Ingest:BatchSize=1", "--Ingest:MaxPointsPerCommit=1",
        ]);
}
