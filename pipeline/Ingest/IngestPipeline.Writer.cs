using System.Diagnostics;
using System.Threading.Tasks.Dataflow;
using FunctionsObservability.Pipeline.Storage;

namespace FunctionsObservability.Pipeline.Ingest;

/// <summary>The mesh's single writer: batches joined into one commit, the flush timer, and clustering after a burst.</summary>
public sealed partial class IngestPipeline
{
    private async Task WriteBatchAsync(WriteItem[] first)
    {
        var items = new List<WriteItem>(first);
        long points = 0;
        foreach (var item in first)
        {
            points += item.Chunk.Batch.Count;
        }

        // Group commit: take every batch already waiting, and cut a batch from whatever has
        // arrived since, so requests that came in during the last commit share this one.
        _batch.TriggerBatch();
        while (points < _options.MaxPointsPerCommit && _batch.TryReceive(out var more))
        {
            foreach (var item in more)
            {
                items.Add(item);
                points += item.Chunk.Batch.Count;
            }
        }

        Interlocked.Add(ref _awaitingBatch, -items.Count);

        await _writer.Gate.WaitAsync().ConfigureAwait(false);
        try
        {
            Commit(items, points);

            // The background applier moves the head to the file without holding the writer up;
            // only a head far past its threshold (the applier falling behind, or not running)
            // is applied here, which slows ingest down to what the file takes and bounds memory.
            var recent = _writer.RecentRows;
            if (recent >= _compactionThreshold * HeadLimitFactor)
            {
                TryCompact();
            }
            else if (recent >= _compactionThreshold)
            {
                _writer.RequestApply();
            }
        }
        finally
        {
            _writer.Gate.Release();
        }
    }

    private void Commit(List<WriteItem> items, long points)
    {
        var started = Stopwatch.GetTimestamp();
        IReadOnlySet<int> duplicates;
        try
        {
            var chunks = new PointChunk[items.Count];
            for (var i = 0; i < items.Count; i++)
            {
                chunks[i] = items[i].Chunk;
            }

            duplicates = _writer.Write(chunks);
        }
        catch (Exception exception)
        {
            // Only this batch fails; the writer keeps going for the batches behind it. A full disk
            // or a damaged file is logged once where it is found, not once per batch.
            var outcome = exception switch
            {
                StorageFullException => IngestOutcome.StorageFull,
                StoreDamagedException => IngestOutcome.StoreDamaged,
                _ => IngestOutcome.StorageFailed,
            };
            if (outcome == IngestOutcome.StorageFailed)
            {
                IngestLog.CommitFailed(_logger, items.Count, points, exception);
            }

            foreach (var item in items)
            {
                Finish(item.Request, IngestResult.Refused(outcome, outcome == IngestOutcome.StorageFailed ? $"the commit failed: {exception.Message}" : exception.Message));
            }

            return;
        }

        foreach (var duplicate in duplicates)
        {
            points -= items[duplicate].Chunk.Batch.Count;
        }

        // Instruments first: a caller woken by its completion must find its points counted.
        _metrics.CommitDuration.Record(Stopwatch.GetElapsedTime(started).TotalSeconds);
        _metrics.BatchSize.Record(points);
        _metrics.PointsWritten.Add(points);
        for (var i = 0; i < items.Count; i++)
        {
            var batch = items[i].Chunk.Batch;
            if (duplicates.Contains(i))
            {
                Finish(items[i].Request, new IngestResult(IngestOutcome.AlreadyWritten, items[i].LinesReceived, 0, batch.ErrorCount, SortedErrors(batch),
                    "already committed under this key; nothing was written again"));
                continue;
            }

            var outcome = batch.ErrorCount > 0 ? IngestOutcome.PartiallyWritten : IngestOutcome.Written;
            Finish(items[i].Request, new IngestResult(outcome, items[i].LinesReceived, batch.Count, batch.ErrorCount, SortedErrors(batch)));
        }
    }

    /// <summary>
    /// A request this large carries the cost of a commit by itself, so it does not wait for
    /// others: with one sender of 5,000-line batches the 2 ms wait was about a tenth of each
    /// round trip. Small requests still wait, and share a commit (measured for issue 5).
    /// </summary>
    private const int ImmediateCommitPoints = 4096;

    /// <summary>
    /// The timer runs only while validated requests wait for a batch, so an idle service does
    /// not wake up every few milliseconds. It keeps ticking until the writer has taken them,
    /// which also covers a request that reaches the batch block just after a tick.
    /// </summary>
    private void ArmFlushTimer(bool immediate = false)
    {
        if (Interlocked.CompareExchange(ref _timerArmed, 1, 0) == 0 || immediate)
        {
            // The tick may come before the request reaches the batch block; it then keeps
            // ticking at the usual interval until the writer has taken the request.
            _flushTimer.Change(immediate ? 0 : _options.FlushIntervalMilliseconds, Timeout.Infinite);
        }
    }

    private void OnFlushTimer()
    {
        _batch.TriggerBatch();
        if (Volatile.Read(ref _awaitingBatch) > 0)
        {
            _flushTimer.Change(_options.FlushIntervalMilliseconds, Timeout.Infinite);
            return;
        }

        Volatile.Write(ref _timerArmed, 0);

        // A request counted between the read above and the disarm would otherwise wait for the next one.
        if (Volatile.Read(ref _awaitingBatch) > 0)
        {
            ArmFlushTimer();
        }
    }

    /// <summary>How far past its threshold the head may grow while the background applier works.</summary>
    private const int HeadLimitFactor = 4;

    private void TryCompact()
    {
        try
        {
            _writer.Compact();
        }
        catch (Exception exception)
        {
            RecentRowsCompactor.LogFailed(_logger, exception);
        }
    }
}
