using System.Diagnostics;
using FunctionsObservability.Tests.Infrastructure;

namespace FunctionsObservability.Tests.Explorer;

/// <summary>The committed bundle (functions/Explorer/assets) is what its sources build to.</summary>
public sealed class ExplorerBundleTests
{
    [Fact]
    public async Task Committed_explorer_bundle_matches_a_fresh_build_of_its_sources()
    {
        var explorer = Path.Combine(RepositoryPaths.FunctionsFolder, "Explorer");
        using var output = new TempDirectory();
        var start = new ProcessStartInfo("bash", [Path.Combine(explorer, "build"), output.Path]) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, $"functions/Explorer/build failed ({process.ExitCode}):\n{await stdout}\n{await stderr}");

        var committed = Files(Path.Combine(explorer, "assets"));
        var built = Files(output.Path);
        var stale = "functions/Explorer/assets is not what its sources build to: run functions/Explorer/build and commit functions/Explorer/assets";
        Assert.True(committed.Keys.Order().SequenceEqual(built.Keys.Order()), $"{stale} (files: committed {string.Join(", ", committed.Keys)}; built {string.Join(", ", built.Keys)})");
        foreach (var (name, bytes) in built)
        {
            Assert.True(bytes.AsSpan().SequenceEqual(committed[name]), $"{stale} ({name} differs)");
        }
    }

    private static Dictionary<string, byte[]> Files(string folder) =>
        Directory.GetFiles(folder).ToDictionary(file => Path.GetFileName(file), File.ReadAllBytes);
}
