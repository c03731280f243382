using FunctionsObservability.Pipeline.Storage;

namespace FunctionsObservability.Tests.WorkerProtocol;

/// <summary>One worker, with an empty data folder, shared by the test classes of <see cref="WorkerCollection"/>.</summary>
public sealed class WorkerFixture : IAsyncLifetime
{
    private WorkerHarness? _worker;

    public WorkerHarness Worker => _worker ?? throw new InvalidOperationException("the worker has not started");

    public async Task InitializeAsync()
    {
        using var starting = new CancellationTokenSource(WorkerHarness.StartTimeout * 2);
        _worker = await WorkerHarness.StartAsync(prepareDataDirectory: null, starting.Token);
    }

    public async Task DisposeAsync()
    {
        if (_worker is not null)
        {
            await _worker.DisposeAsync();
        }
    }
}

/// <summary>
/// A worker whose database refuses any new series with a tag value starting "refused": before the
/// worker starts, the series tags table is replaced by one with a CHECK constraint, so a commit
/// that introduces such a series fails inside DuckDB, the way a real storage failure would.
/// </summary>
public sealed class FailingCommitWorkerFixture : IAsyncLifetime
{
    public const string RefusedTagPrefix = "refused";

    private WorkerHarness? _worker;

    public WorkerHarness Worker => _worker ?? throw new InvalidOperationException("the worker has not started");

    public async Task InitializeAsync()
    {
        using var starting = new CancellationTokenSource(WorkerHarness.StartTimeout * 2);
        _worker = await WorkerHarness.StartAsync(CreateConstrainedDatabase, starting.Token);
    }

    public async Task DisposeAsync()
    {
        if (_worker is not null)
        {
            await _worker.DisposeAsync();
        }
    }

    private static void CreateConstrainedDatabase(string dataDirectory)
    {
        // The schema first, as the store creates it; then the constraint. Disposed before the
        // worker starts: DuckDB lets one process at a time open the file.
        using var database = new MetricsDatabase(new StorageOptions { DataDirectory = dataDirectory });
        using var connection = database.OpenConnection();
        using var command = connection.CreateCommand();
        command.CommandText =
            "DROP TABLE series_tags; " +
            $"CREATE TABLE series_tags (series_id INTEGER NOT NULL, tag_key VARCHAR NOT NULL, tag_value VARCHAR NOT NULL CHECK (NOT starts_with(tag_value, '{RefusedTagPrefix}')))";
        command.ExecuteNonQuery();
    }
}

[CollectionDefinition(Name)]
public sealed class WorkerCollection : ICollectionFixture<WorkerFixture>
{
    public const string Name = "Isolated worker";
}
