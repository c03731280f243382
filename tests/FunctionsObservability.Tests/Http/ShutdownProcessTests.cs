using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
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
        var port = FreePort();
        using var process = StartService(port, directory.Path);
        using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(30) };
        try
        {
            await WaitForHealthAsync(client, process);
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

    private static Process StartService(int port, string dataDirectory)
    {
        // The service's own build output, in the configuration the tests were built in.
        var dll = Path.Combine(RepositoryPaths.FunctionsFolder, "bin", RepositoryPaths.Configuration, "net10.0", "FunctionsObservability.Functions.dll");
        Assert.True(File.Exists(dll), $"service not built at {dll}");
        var start = new ProcessStartInfo("dotnet")
        {
            // One commit per request and no coalescing, so the mesh still holds work at SIGTERM.
            ArgumentList =
            {
                dll, $"--urls=http://127.0.0.1:{port}", $"--Storage:DataDirectory={dataDirectory}",
                "--Ingest:ParseParallelism=1", "--Ingest:BatchSize=1", "--Ingest:MaxPointsPerCommit=1",
            },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private static async Task WaitForHealthAsync(HttpClient client, Process process)
    {
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(60))
        {
            Assert.False(process.HasExited, "the service exited during start-up");
            try
            {
                using var response = await client.GetAsync("/api/health");
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }

            await Task.Delay(50);
        }

        Assert.Fail("the service did not answer /api/health within 60 s");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
