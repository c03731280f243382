using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace FunctionsObservability.Tests.Infrastructure;

/// <summary>The service's real executable (its build output), started as a separate process.</summary>
public static class ServiceProcess
{
    public static Process Start(IEnumerable<string> arguments, IDictionary<string, string>? environment = null, ProcessOutput? output = null)
    {
        var dll = Path.Combine(RepositoryPaths.FunctionsFolder, "bin", RepositoryPaths.Configuration, "net10.0", "FunctionsObservability.Functions.dll");
        Assert.True(File.Exists(dll), $"service not built at {dll}");
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(dll);
        var given = arguments.ToList();

        // No test archives or prunes on a schedule unless it asks for the scheduler.
        if (!given.Any(argument => argument.StartsWith("--Timers:Enabled", StringComparison.OrdinalIgnoreCase)))
        {
            start.ArgumentList.Add("--Timers:Enabled=false");
        }

        foreach (var argument in given)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, line) => output?.Add(line.Data, error: false);
        process.ErrorDataReceived += (_, line) => output?.Add(line.Data, error: true);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    public static async Task WaitForHealthAsync(HttpClient client, Process process)
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

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
