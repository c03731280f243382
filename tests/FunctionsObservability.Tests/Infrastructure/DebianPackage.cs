using System.Diagnostics;

namespace FunctionsObservability.Tests.Infrastructure;

/// <summary>
/// Debian packages the tests drive (chromium, prometheus). A fresh machine may lack them even though
/// .ci/run installs them: the first test that needs one installs it with apt-get, once per process.
/// </summary>
internal static class DebianPackage
{
    private static readonly SemaphoreSlim InstallLock = new(1, 1);

    /// <summary>Installs <paramref name="package"/> unless <paramref name="executable"/> is already there.</summary>
    public static async Task EnsureInstalledAsync(string executable, string package)
    {
        if (File.Exists(executable))
        {
            return;
        }

        await InstallLock.WaitAsync();
        try
        {
            if (!File.Exists(executable))
            {
                await RunAsync("apt-get", "update");
                await RunAsync("apt-get", $"install -y --no-install-recommends {package}");
            }
        }
        finally
        {
            InstallLock.Release();
        }

        Assert.True(File.Exists(executable), $"apt-get installed {package}, but {executable} is missing");
    }

    private static async Task RunAsync(string file, string arguments)
    {
        var start = new ProcessStartInfo(file, arguments) { RedirectStandardOutput = true, RedirectStandardError = true };
        start.Environment["DEBIAN_FRONTEND"] = "noninteractive";
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, $"{file} {arguments} exited with {process.ExitCode}:\n{await output}\n{await error}");
    }
}
