using System.Diagnostics;
using FunctionsObservability.Tests.Infrastructure;

namespace FunctionsObservability.Tests.Explorer;

/// <summary>
/// The explorer's pure modules (the SSE parser, live folding, steps and times) have unit tests of
/// their own under functions/Explorer/web/test, run by node's test runner; they need no packages.
/// </summary>
public sealed class ExplorerModuleTests
{
    [Fact]
    public async Task Explorer_modules_pass_their_node_tests()
    {
        var web = Path.Combine(RepositoryPaths.FunctionsFolder, "Explorer", "web");
        var start = new ProcessStartInfo("node", ["--test", "test/"]) { WorkingDirectory = web, RedirectStandardOutput = true, RedirectStandardError = true };
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        var output = await stdout;
        Assert.True(process.ExitCode == 0, $"node --test failed ({process.ExitCode}):\n{output}\n{await stderr}");
        Assert.Contains("# fail 0", output, StringComparison.Ordinal);
    }
}
