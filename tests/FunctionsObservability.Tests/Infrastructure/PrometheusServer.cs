using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace FunctionsObservability.Tests.Infrastructure;

/// <summary>
/// A real Prometheus 2.42 (Debian's package; the first test that needs it installs it, as .ci/run
/// does) on a free loopback port, with its TSDB in a temp folder and the remote-write receiver on,
/// so tests can send it the same remote_write requests as the service and compare answers.
/// </summary>
public sealed class PrometheusServer : IAsyncDisposable
{
    public const string ExecutablePath = "/usr/bin/prometheus";

    private readonly TempDirectory _directory;
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private PrometheusServer(int port, Process process, TempDirectory directory)
    {
        Port = port;
        _process = process;
        _directory = directory;
        Client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(60) };
        _process.OutputDataReceived += (_, e) => Append(e.Data);
        _process.ErrorDataReceived += (_, e) => Append(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public int Port { get; }

    /// <summary>A client for Prometheus's HTTP API, e.g. <c>/api/v1/query</c> and <c>/api/v1/write</c>.</summary>
    public HttpClient Client { get; }

    /// <summary>What Prometheus printed so far, for assertion messages.</summary>
    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    /// <summary>
    /// Starts Prometheus with <paramref name="configYaml"/> as its configuration file (scrape jobs,
    /// remote_write, TSDB settings); by default one with no scrape jobs.
    /// </summary>
    public static async Task<PrometheusServer> StartAsync(string? configYaml = null, params string[] extraArguments)
    {
        await DebianPackage.EnsureInstalledAsync(ExecutablePath, "prometheus");
        var port = FreePort();
        var directory = new TempDirectory();
        var config = System.IO.Path.Combine(directory.Path, "prometheus.yml");
        await File.WriteAllTextAsync(config, configYaml ?? "global:\n  scrape_interval: 15s\n");
        var start = new ProcessStartInfo(ExecutablePath)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in (string[])[
                     $"--config.file={config}",
                     $"--storage.tsdb.path={System.IO.Path.Combine(directory.Path, "data")}",
                     $"--web.listen-address=127.0.0.1:{port}",
                     "--web.enable-remote-write-receiver",
                     .. extraArguments])
        {
            start.ArgumentList.Add(argument);
        }

        var server = new PrometheusServer(port, Process.Start(start)!, directory);
        await server.WaitReadyAsync();
        return server;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
        Client.Dispose();
        _directory.Dispose();
    }

    private async Task WaitReadyAsync()
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            Assert.False(_process.HasExited, $"prometheus exited with code {(_process.HasExited ? _process.ExitCode : 0)}:\n{Output}");
            try
            {
                using var response = await Client.GetAsync("/-/ready");
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (HttpRequestException) when (deadline.Elapsed < TimeSpan.FromSeconds(60))
            {
            }

            Assert.True(deadline.Elapsed < TimeSpan.FromSeconds(60), $"prometheus was not ready within 60 s:\n{Output}");
            await Task.Delay(50);
        }
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.AppendLine(line);
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
