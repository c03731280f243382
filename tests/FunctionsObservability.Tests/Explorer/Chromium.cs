using System.Diagnostics;

namespace FunctionsObservability.Tests.Explorer;

/// <summary>
/// Debian's chromium, which Playwright drives in place of a browser of its own (none can be
/// downloaded here). A fresh machine lacks it: the first test that needs it installs it, once.
/// </summary>
internal static class Chromium
{
    public const string Path = "/usr/bin/chromium";

    public static readonly string[] Arguments =
    [
        "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
    ];

    private static readonly SemaphoreSlim InstallLock = new(1, 1);

    public static async Task EnsureInstalledAsync()
    {
        if (File.Exists(Path))
        {
            return;
        }

        await InstallLock.WaitAsync();
        try
        {
            if (!File.Exists(Path))
            {
                await RunAsync("apt-get", "update");
                await RunAsync("apt-get", "install -y --no-install-recommends chromium");
            }
        }
        finally
        {
            InstallLock.Release();
        }

        Assert.True(File.Exists(Path), $"apt-get installed chromium, but {Path} is missing");
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
