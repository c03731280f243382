using System.Text.RegularExpressions;
using FunctionsObservability.Pipeline.Composition;
using FunctionsObservability.Pipeline.Storage;
using FunctionsObservability.Tests.Archiving;
using FunctionsObservability.Tests.Infrastructure;

namespace FunctionsObservability.Tests.Storage;

/// <summary>Ways a DuckDB file gets damaged, and the real executable started on one.</summary>
internal static partial class DamagedDatabaseKit
{
    public const string TruncatedToHalf = "truncated to half its length";
    public const string TruncatedTo4KiB = "truncated to 4 KiB";
    public const string ZeroedMainHeader = "first 4 KiB (main header) zeroed";
    public const string ScribbledDatabaseHeader = "bytes written over the first database header";

    public static string DatabasePath(string dataDirectory) => new StorageOptions { DataDirectory = dataDirectory }.DatabasePath;

    /// <summary>A store file written by the app itself: the archive test data set, all of it hot, checkpointed at a clean stop.</summary>
    public static async Task CreateStoreAsync(string dataDirectory)
    {
        await using var host = await ServiceHost.StartAsync(ArchiveTestKit.Settings(null), dataDirectory);
        await ArchiveTestKit.IngestAsync(host);
        await host.StopAsync();
    }

    public static void Damage(string databasePath, string damage)
    {
        var length = new FileInfo(databasePath).Length;
        Assert.True(length > 3 * 4096, $"the store file is only {length} bytes");
        using var file = new FileStream(databasePath, FileMode.Open, FileAccess.ReadWrite);
        switch (damage)
        {
            case TruncatedToHalf:
                file.SetLength(length / 2);
                break;
            case TruncatedTo4KiB:
                file.SetLength(4096);
                break;
            case ZeroedMainHeader:
                file.Write(new byte[4096]);
                break;
            case ScribbledDatabaseHeader:
                var bytes = new byte[64];
                new Random(42).NextBytes(bytes);
                file.Position = 4096 + 8;
                file.Write(bytes);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(damage), damage, null);
        }
    }

    /// <summary>Starts the service on the folder and waits (with a deadline) for it to exit by itself.</summary>
    public static async Task<(int ExitCode, ProcessOutput Output)> RunUntilExitAsync(string dataDirectory, params string[] settings)
    {
        var output = new ProcessOutput();
        using var process = ServiceProcess.Start(
            [$"--urls=http://127.0.0.1:{ServiceProcess.FreePort()}", $"--Storage:DataDirectory={dataDirectory}", .. settings], output: output);
        try
        {
            using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            await process.WaitForExitAsync(deadline.Token);

            // The parameterless wait also waits for the redirected streams to be read to their end.
            process.WaitForExit();
            return (process.ExitCode, output);
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }
    }

    /// <summary>
    /// The process logged one line that names the file and the exit code and says what to do about
    /// it (with recovery on, a line before it said it was trying), and printed no stack trace and nothing on stderr (an unhandled exception prints both, and
    /// aborts with 134).
    /// </summary>
    public static string AssertOneLineNamingTheFile(ProcessOutput output, string databasePath, int exitCode, params string[] saying)
    {
        var text = output.AllText;
        var line = Assert.Single(output.StandardOutput, line => line.Contains("Exiting with code", StringComparison.Ordinal));
        Assert.Contains(databasePath, line, StringComparison.Ordinal);
        Assert.Contains($"Exiting with code {exitCode}", line, StringComparison.Ordinal);
        foreach (var words in saying)
        {
            Assert.Contains(words, line, StringComparison.Ordinal);
        }

        Assert.Empty(output.StandardError);
        Assert.DoesNotContain("Unhandled exception", text, StringComparison.Ordinal);
        Assert.DoesNotMatch(StackFrame(), text);
        return line;
    }

    public static int DamagedExitCode => MetricsStoreStartup.DatabaseDamagedExitCode;

    /// <summary>Names of the files in the folder that match the pattern, in order.</summary>
    public static string[] FilesLike(string dataDirectory, string pattern) =>
        [.. Directory.GetFiles(dataDirectory, pattern).Select(Path.GetFileName).Order(StringComparer.Ordinal)!];

    [GeneratedRegex(@"^\s+at \S+", RegexOptions.Multiline)]
    private static partial Regex StackFrame();
}
