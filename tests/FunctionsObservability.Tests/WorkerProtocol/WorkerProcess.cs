using System.Diagnostics;
using System.Globalization;
using FunctionsObservability.Tests.Infrastructure;

namespace FunctionsObservability.Tests.WorkerProtocol;

/// <summary>
/// The built Functions app started the way the Functions host starts an isolated worker: with the
/// host's gRPC address and ids on the command line, and the app settings in the environment.
/// </summary>
public sealed class WorkerProcess : IDisposable
{
    private readonly Process _process;

    private WorkerProcess(Process process, string workerId, string outputFolder)
    {
        _process = process;
        WorkerId = workerId;
        OutputFolder = outputFolder;
        Exited = process.WaitForExitAsync();
    }

    public string WorkerId { get; }

    /// <summary>The app's build output: functions.metadata, worker.config.json, host.json.</summary>
    public string OutputFolder { get; }

    /// <summary>Completes when the process has exited (and its output has been read).</summary>
    public Task Exited { get; }

    public bool HasExited => _process.HasExited;

    public string ExitDescription => _process.HasExited
        ? string.Create(CultureInfo.InvariantCulture, $"the worker exited with code {_process.ExitCode}")
        : "the worker is running";

    public static string BuildOutputFolder =>
        Path.Combine(RepositoryPaths.FunctionsFolder, "bin", RepositoryPaths.Configuration, "net10.0");

    public static WorkerProcess Start(Uri hostAddress, string workingDirectory, IDictionary<string, string> appSettings, WorkerLog log)
    {
        var outputFolder = BuildOutputFolder;
        var dll = Path.Combine(outputFolder, "FunctionsObservability.Functions.dll");
        Assert.True(File.Exists(dll), $"the Functions app is not built at {dll}");

        var workerId = Guid.NewGuid().ToString();
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory,
        };
        start.ArgumentList.Add(dll);
        start.ArgumentList.Add("--functions-uri");
        start.ArgumentList.Add(hostAddress.ToString());
        start.ArgumentList.Add("--functions-worker-id");
        start.ArgumentList.Add(workerId);
        start.ArgumentList.Add("--functions-request-id");
        start.ArgumentList.Add(Guid.NewGuid().ToString());
        start.ArgumentList.Add("--functions-grpc-max-message-length");
        start.ArgumentList.Add("2147483647");

        start.Environment["FUNCTIONS_WORKER_RUNTIME"] = "dotnet-isolated";
        start.Environment["FUNCTIONS_APPLICATION_DIRECTORY"] = outputFolder;
        start.Environment["FUNCTIONS_WORKER_DIRECTORY"] = outputFolder;
        start.Environment["NO_PROXY"] = "127.0.0.1,localhost";
        foreach (var (name, value) in appSettings)
        {
            start.Environment[name] = value;
        }

        log.Add("host", $"starting dotnet {string.Join(' ', start.ArgumentList)} in {workingDirectory}");
        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, e) => log.Add("out", e.Data);
        process.ErrorDataReceived += (_, e) => log.Add("err", e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return new WorkerProcess(process, workerId, outputFolder);
    }

    /// <summary>Waits for the process to end by itself, up to <paramref name="timeout"/>.</summary>
    public async Task<bool> WaitForExitAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        try
        {
            await Exited.WaitAsync(timeout, cancellationToken);
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
    }

    /// <summary>Kills the worker and anything it started, and waits until they are gone.</summary>
    public void Dispose()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
            }

            _process.WaitForExit(10_000);
        }
        catch (InvalidOperationException)
        {
            // The process ended in between.
        }

        _process.Dispose();
    }
}
