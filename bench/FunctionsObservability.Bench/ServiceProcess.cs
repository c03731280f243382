using System.Diagnostics;
using System.Globalization;

namespace FunctionsObservability.Bench;

/// <summary>
/// The service's Release binary as a child process on a free loopback port, the way bench/run
/// starts it (Production environment, no per-request ASP.NET Core logs), with its output appended
/// to a log file. Stopped with SIGTERM (a clean drain and checkpoint), KILL after 30 s.
/// </summary>
internal sealed class ServiceProcess : IAsyncDisposable
{
    private readonly Process _process;

    private ServiceProcess(Process process, string url)
    {
        _process = process;
        Url = url;
        Client = Http.Create(url, 1, TimeSpan.FromSeconds(3600));
    }

    public int Pid => _process.Id;

    public string Url { get; }

    /// <summary>One keep-alive connection, a long time-out (an archive run answers when it is done).</summary>
    public HttpClient Client { get; }

    public static async Task<ServiceProcess> StartAsync(string binary, IReadOnlyList<string> arguments, string logFile)
    {
        var port = FreePort();
        var url = string.Create(CultureInfo.InvariantCulture, $"http://127.0.0.1:{port}");

        // exec keeps the PID, so the measured process is the server itself; the shell only redirects.
        var start = new ProcessStartInfo("/bin/sh") { UseShellExecute = false };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add("exec \"$0\" \"$@\" >> \"$BENCH_SERVER_LOG\" 2>&1");
        if (binary.EndsWith(".dll", StringComparison.OrdinalIgnoreCase))
        {
            // A build without an apphost: run the assembly with the dotnet host.
            start.ArgumentList.Add("dotnet");
        }

        start.ArgumentList.Add(binary);
        start.ArgumentList.Add($"--urls={url}");
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["BENCH_SERVER_LOG"] = logFile;
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        start.Environment["Logging__LogLevel__Microsoft.AspNetCore"] = "Warning";

        // One line per entry with a time stamp: the archive run's per-file lines show where its time goes.
        start.Environment["Logging__Console__FormatterOptions__SingleLine"] = "true";
        start.Environment["Logging__Console__FormatterOptions__TimestampFormat"] = "HH:mm:ss.fff ";
        start.Environment.Remove("AzureWebJobsStorage"); // no queue listener
        start.Environment.Remove("ASPNETCORE_URLS");

        var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {binary}");
        var service = new ServiceProcess(process, url);
        var clock = Stopwatch.StartNew();
        while (true)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"the service exited with code {process.ExitCode} during start-up; see {logFile}");
            }

            try
            {
                using var response = await service.Client.GetAsync(Http.Relative("/api/health"));
                if (response.IsSuccessStatusCode)
                {
                    return service;
                }
            }
            catch (HttpRequestException)
            {
            }

            if (clock.Elapsed > TimeSpan.FromSeconds(120))
            {
                await service.DisposeAsync();
                throw new InvalidOperationException($"the service did not answer /api/health within 120 s; see {logFile}");
            }

            await Task.Delay(50);
        }
    }

    /// <summary>Waits until the server uses less than <paramref name="maxCores"/> over a 0.5 s window, at most <paramref name="limit"/>; returns the seconds waited.</summary>
    public async Task<double> WaitIdleAsync(double maxCores, TimeSpan limit)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < limit)
        {
            var c0 = Proc.CpuSeconds(Pid);
            await Task.Delay(500);
            if ((Proc.CpuSeconds(Pid) - c0) / 0.5 < maxCores)
            {
                break;
            }
        }

        return clock.Elapsed.TotalSeconds;
    }

    public async Task StopAsync()
    {
        Client.Dispose();
        if (_process.HasExited)
        {
            return;
        }

        using (var kill = Process.Start("kill", ["-TERM", _process.Id.ToString(CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync();
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        try
        {
            await _process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            Console.Error.WriteLine($"archive: server {_process.Id} did not stop in 30 s; killing it");
            _process.Kill();
            await _process.WaitForExitAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _process.Dispose();
    }

    private static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }
}
