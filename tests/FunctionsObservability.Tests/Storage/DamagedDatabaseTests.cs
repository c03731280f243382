using FunctionsObservability.Pipeline.Composition;
using FunctionsObservability.Pipeline.Storage;
using FunctionsObservability.Tests.Infrastructure;
using static FunctionsObservability.Tests.Storage.DamagedDatabaseKit;

namespace FunctionsObservability.Tests.Storage;

/// <summary>One store file written by the app, copied for each test to damage.</summary>
public sealed class StoreFileFixture : IAsyncLifetime, IDisposable
{
    private readonly TempDirectory _directory = new();

    public string DatabasePath => DamagedDatabaseKit.DatabasePath(_directory.Path);

    public Task InitializeAsync() => CreateStoreAsync(_directory.Path);

    public Task DisposeAsync() => Task.CompletedTask;

    public void Dispose() => _directory.Dispose();

    /// <summary>A data folder holding a copy of the store file.</summary>
    public TempDirectory CopyToNewFolder()
    {
        var folder = new TempDirectory();
        File.Copy(DatabasePath, DamagedDatabaseKit.DatabasePath(folder.Path));
        return folder;
    }
}

/// <summary>
/// The real executable started on a damaged DuckDB file: it stops with exit code 3 and one log line
/// that names the file, says what is wrong and how to recover, with no stack trace and no SIGABRT
/// (before, an unhandled exception aborted it with 134 and 50-odd frames); the file is left as it was.
/// </summary>
public sealed class DamagedDatabaseTests(StoreFileFixture store) : IClassFixture<StoreFileFixture>
{
    [Theory]
    [InlineData(TruncatedToHalf, "it is truncated")]
    [InlineData(TruncatedTo4KiB, "it is truncated")]
    [InlineData(ZeroedMainHeader, "its main header is not a DuckDB header")]
    [InlineData(ScribbledDatabaseHeader, "a database header (bytes 4096 to 12287) fails its checksum")]
    public async Task DamagedFile_ExitsWithCode3_OneLineNamingTheFileAndTheRecoverySetting(string damage, string explanation)
    {
        using var data = store.CopyToNewFolder();
        var path = DamagedDatabaseKit.DatabasePath(data.Path);
        Damage(path, damage);
        var damagedBytes = await File.ReadAllBytesAsync(path);

        var (exitCode, output) = await RunUntilExitAsync(data.Path);

        Assert.Equal(MetricsStoreStartup.DatabaseDamagedExitCode, exitCode);
        AssertOneLineNamingTheFile(output, path, exitCode, "is damaged", explanation, "DuckDB: ", "Storage:RecoverDamagedDatabase=true");
        Assert.Single(output.StandardOutput, line => line.Contains(path, StringComparison.Ordinal));

        // Without the recovery setting nothing is moved or changed: the operator decides.
        Assert.Equal(damagedBytes, await File.ReadAllBytesAsync(path));
        Assert.Equal(["metrics.duckdb"], FilesLike(data.Path, "metrics.duckdb*"));
    }

    [Fact]
    public async Task WorkerMode_DamagedFile_ExitsWithCode3_SameOneLine_BeforeDialingTheHost()
    {
        using var data = store.CopyToNewFolder();
        var path = DamagedDatabaseKit.DatabasePath(data.Path);
        Damage(path, TruncatedToHalf);

        // Started as the Functions host starts a worker, pointed at a host that is not there: the
        // store is opened, and found damaged, before the worker dials it.
        var (exitCode, output) = await RunUntilExitAsync(
            data.Path, "--functions-uri", $"http://127.0.0.1:{ServiceProcess.FreePort()}/", "--functions-worker-id", "w1", "--functions-request-id", "r1");

        Assert.Equal(MetricsStoreStartup.DatabaseDamagedExitCode, exitCode);
        AssertOneLineNamingTheFile(output, path, exitCode, "is damaged", "it is truncated", "Storage:RecoverDamagedDatabase=true");
    }

    [Fact]
    public async Task FileLockedByAnotherProcess_ExitsWithCode4_OneLine_NotTakenForDamage_EvenWithRecoveryOn()
    {
        using var data = store.CopyToNewFolder();
        var path = DamagedDatabaseKit.DatabasePath(data.Path);

        int exitCode;
        ProcessOutput output;
        using (new MetricsDatabase(new StorageOptions { DataDirectory = data.Path }))
        {
            (exitCode, output) = await RunUntilExitAsync(data.Path, "--Storage:RecoverDamagedDatabase=true");
        }

        Assert.Equal(MetricsStoreStartup.DatabaseUnavailableExitCode, exitCode);
        AssertOneLineNamingTheFile(output, path, exitCode, "could not be opened", "lock", "not damaged");
        Assert.Equal(["metrics.duckdb"], FilesLike(data.Path, "metrics.duckdb*"));
    }

    [Fact]
    public async Task RecoveryOn_ArchiveStoreUnreachable_ExitsWithCode3_LeavesTheDamagedFileInPlace()
    {
        using var data = store.CopyToNewFolder();
        var path = DamagedDatabaseKit.DatabasePath(data.Path);
        Damage(path, ZeroedMainHeader);
        var damagedBytes = await File.ReadAllBytesAsync(path);
        var nobody = ServiceProcess.FreePort();

        var (exitCode, output) = await RunUntilExitAsync(
            data.Path,
            "--Storage:RecoverDamagedDatabase=true",
            "--Archive:Kind=Blob",
            "--Archive:ConnectionString=DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;" +
                "AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;" +
                $"BlobEndpoint=http://127.0.0.1:{nobody}/devstoreaccount1;",
            "--Archive:NetworkTimeoutSeconds=2",
            "--Archive:MaxRetries=0");

        Assert.Equal(MetricsStoreStartup.DatabaseDamagedExitCode, exitCode);
        AssertOneLineNamingTheFile(output, path, exitCode, "was left in place", "rebuilding the store from the archive failed");

        // No half-built store is left to start on next time (it would start empty and overwrite archived files).
        Assert.Equal(damagedBytes, await File.ReadAllBytesAsync(path));
        Assert.Equal(["metrics.duckdb"], FilesLike(data.Path, "metrics.duckdb*"));
    }
}
