using System.Diagnostics;
using System.Runtime.ExceptionServices;

namespace FunctionsObservability.Pipeline.Archive;

/// <summary>Progress reporting, and runs back to back until the backlog is archived.</summary>
public sealed partial class ArchiveRunner
{
    /// <summary>
    /// Runs back to back, each within the usual per-run limits, holding the maintenance lock
    /// throughout, until nothing is pending, a run archives nothing or stops early, or
    /// <paramref name="maxRuns"/> runs. Cancellation stops it between partitions.
    /// </summary>
    public async Task<ArchiveBacklogResult> RunUntilDoneAsync(int maxRuns, IArchiveProgress? progress, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxRuns, 1);
        if (!_options.Enabled)
        {
            return new ArchiveBacklogResult(Disabled(), 0);
        }

        using var held = _lock.TryEnter();
        if (held is null)
        {
            LogSkipped(_logger);
            return new ArchiveBacklogResult(new ArchiveRunResult(true, 0, 0, 0, 0, 0, false, null, TimeSpan.Zero), 0);
        }

        var started = Stopwatch.GetTimestamp();
        int runs = 0, files = 0, failed = 0, deferred = 0;
        long rows = 0, bytes = 0;
        ArchiveRunResult last;
        do
        {
            cancellationToken.ThrowIfCancellationRequested();
            last = await RunHeldAsync(++runs, progress, cancellationToken).ConfigureAwait(false);
            files += last.FilesArchived;
            rows += last.RowsArchived;
            bytes += last.BytesArchived;
            failed += last.PartitionsFailed;
            deferred += last.PartitionsDeferred;
            if (progress is not null)
            {
                await progress.RunFinishedAsync(runs, last, cancellationToken).ConfigureAwait(false);
            }
        }
        while (runs < maxRuns && last.Error is null && last.MorePending && last.FilesArchived > 0);

        return new ArchiveBacklogResult(
            new ArchiveRunResult(false, files, rows, bytes, failed, deferred, last.MorePending, last.Error, Stopwatch.GetElapsedTime(started)), runs);
    }

    private async Task<ArchiveRunResult> RunHeldAsync(int run, IArchiveProgress? progress, CancellationToken cancellationToken)
    {
        try
        {
            return await RunPartitionsAsync(run, progress, cancellationToken).ConfigureAwait(false);
        }
        catch (ArchiveProgressException exception)
        {
            ExceptionDispatchInfo.Throw(exception.InnerException!);
            throw;
        }
    }

    private static async ValueTask ReportAsync(IArchiveProgress? progress, ArchivePartitionProgress report, CancellationToken cancellationToken)
    {
        if (progress is null)
        {
            return;
        }

        try
        {
            await progress.PartitionAsync(report, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // Not the run failing: carried past its error handling and rethrown as is.
            throw new ArchiveProgressException(exception);
        }
    }
}

/// <summary>What became of one partition of an archive run.</summary>
public enum ArchivePartitionOutcome
{
    /// <summary>Committed: recorded in the manifest and its rows deleted from DuckDB.</summary>
    Archived,

    /// <summary>Failed (verification, or the storage error that stopped the run): its rows stay hot.</summary>
    Failed,

    /// <summary>Changed while it was exported: nothing committed, the next run exports it again.</summary>
    Deferred,
}

/// <summary>
/// One partition of run <see cref="Run"/>, reported after its commit or failure.
/// <see cref="Done"/> counts the run's partitions handled so far, of <see cref="Total"/> selected for it.
/// </summary>
public sealed record ArchivePartitionProgress(
    int Run,
    string Metric,
    long HourStartMicros,
    ArchivePartitionOutcome Outcome,
    long Rows,
    long Bytes,
    string? Path,
    string? Error,
    int Done,
    int Total);

/// <summary>
/// Receives an archive run's progress as it goes. Called on the run's own flow, so a slow receiver
/// slows the run; an exception it throws stops the run between partitions (what was committed stays
/// committed) and comes out of the run unchanged.
/// </summary>
public interface IArchiveProgress
{
    ValueTask PartitionAsync(ArchivePartitionProgress partition, CancellationToken cancellationToken);

    /// <summary>Called after each run of <see cref="ArchiveRunner.RunUntilDoneAsync"/>.</summary>
    ValueTask RunFinishedAsync(int run, ArchiveRunResult result, CancellationToken cancellationToken);
}

/// <summary>What <see cref="ArchiveRunner.RunUntilDoneAsync"/> did: the runs' figures summed (the last run's pending flag and error), and how many runs it took.</summary>
public sealed record ArchiveBacklogResult(ArchiveRunResult Total, int Runs);

/// <summary>Carries an exception thrown by an <see cref="IArchiveProgress"/> past the run's own error handling.</summary>
internal sealed class ArchiveProgressException : Exception
{
    public ArchiveProgressException(Exception inner)
        : base(inner.Message, inner)
    {
    }
}
