using FunctionsObservability.Pipeline.Query;
using FunctionsObservability.Pipeline.Storage;
using FunctionsObservability.Tests.Infrastructure;

namespace FunctionsObservability.Tests.Query;

public sealed class QueryExecutorTests
{
    // Far more work than a second allows; DuckDB must be interrupted for the test to end.
    private const string EndlessQuery = "SELECT sum(a.range * b.range) FROM range(100000000) a, range(1000) b";

    [Fact(Timeout = 60_000)]
    public async Task Acquire_QueryRunsPastTimeout_IsInterruptedAndReportedAsTimeout()
    {
        using var directory = new TempDirectory();
        using var database = new MetricsDatabase(new StorageOptions { DataDirectory = directory.Path });
        using var executor = new QueryExecutor(database, new QueryOptions { TimeoutSeconds = 1, MaxConcurrentQueries = 1 });

        var failure = await Assert.ThrowsAsync<QueryFailedException>(async () =>
        {
            using var lease = await executor.AcquireAsync(CancellationToken.None);
            lease.Command.CommandText = EndlessQuery;
            try
            {
                lease.Command.ExecuteScalar();
            }
            catch (OperationCanceledException exception)
            {
                throw lease.Translate(exception);
            }
        });

        Assert.Equal(QueryFailure.Timeout, failure.Failure);
        using var next = await executor.AcquireAsync(CancellationToken.None);
        next.Command.CommandText = "SELECT 42";
        Assert.Equal(42, Convert.ToInt32(next.Command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact(Timeout = 60_000)]
    public async Task Acquire_CallerCancels_InterruptsTheRunningQuery()
    {
        using var directory = new TempDirectory();
        using var database = new MetricsDatabase(new StorageOptions { DataDirectory = directory.Path });
        using var executor = new QueryExecutor(database, new QueryOptions { TimeoutSeconds = 600 });
        using var caller = new CancellationTokenSource();

        using var lease = await executor.AcquireAsync(caller.Token);
        lease.Command.CommandText = EndlessQuery;
        // Cancelling before the query has started is the hard case: DuckDB drops that interrupt.
        await caller.CancelAsync();
        var running = Task.Run(() => lease.Command.ExecuteScalar());

        var exception = await Assert.ThrowsAnyAsync<OperationCanceledException>(() => running);

        // A caller's cancellation stays a cancellation; only the timeout becomes a query failure.
        Assert.Same(exception, lease.Translate(exception));
    }

    [Fact]
    public async Task Acquire_AllSlotsBusy_RefusesAsOverloaded()
    {
        using var directory = new TempDirectory();
        using var database = new MetricsDatabase(new StorageOptions { DataDirectory = directory.Path });
        using var executor = new QueryExecutor(database, new QueryOptions { MaxConcurrentQueries = 1, AdmissionTimeoutMilliseconds = 50 });

        using var held = await executor.AcquireAsync(CancellationToken.None);
        var failure = await Assert.ThrowsAsync<QueryFailedException>(() => executor.AcquireAsync(CancellationToken.None));

        Assert.Equal(QueryFailure.Overloaded, failure.Failure);
    }

    [Fact]
    public async Task Acquire_AfterAFinishedQuery_ReusesItsConnection()
    {
        using var directory = new TempDirectory();
        using var database = new MetricsDatabase(new StorageOptions { DataDirectory = directory.Path });
        using var executor = new QueryExecutor(database, new QueryOptions { MaxConcurrentQueries = 1 });

        // A temporary table lives only in the connection that made it.
        using (var first = await executor.AcquireAsync(CancellationToken.None))
        {
            first.Command.CommandText = "CREATE TEMP TABLE marker AS SELECT 7 AS v";
            first.Command.ExecuteNonQuery();
        }

        using var second = await executor.AcquireAsync(CancellationToken.None);
        second.Command.CommandText = "SELECT v FROM marker";
        Assert.Equal(7, Convert.ToInt32(second.Command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact(Timeout = 60_000)]
    public async Task Acquire_AfterAnInterruptedQuery_OpensAFreshConnection()
    {
        using var directory = new TempDirectory();
        using var database = new MetricsDatabase(new StorageOptions { DataDirectory = directory.Path });
        using var executor = new QueryExecutor(database, new QueryOptions { MaxConcurrentQueries = 1, TimeoutSeconds = 600 });
        using var caller = new CancellationTokenSource();

        using (var interrupted = await executor.AcquireAsync(caller.Token))
        {
            interrupted.Command.CommandText = "CREATE TEMP TABLE marker AS SELECT 7 AS v";
            interrupted.Command.ExecuteNonQuery();
            interrupted.Command.CommandText = EndlessQuery;
            await caller.CancelAsync();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Task.Run(() => interrupted.Command.ExecuteScalar()));
        }

        using var next = await executor.AcquireAsync(CancellationToken.None);
        next.Command.CommandText = "SELECT count(*) FROM duckdb_tables() WHERE table_name = 'marker'";
        Assert.Equal(0, Convert.ToInt32(next.Command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture));
        next.Command.CommandText = "SELECT 42";
        Assert.Equal(42, Convert.ToInt32(next.Command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture));
    }
}
