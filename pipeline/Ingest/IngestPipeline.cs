using System.Diagnostics;
using System.Threading.Tasks.Dataflow;
using FunctionsObservability.Pipeline.Formats;
using FunctionsObservability.Pipeline.Model;
using FunctionsObservability.Pipeline.Storage;
using Microsoft.Extensions.Logging;

namespace FunctionsObservability.Pipeline.Ingest;

/// <summary>
/// The ingest mesh: parse (parallel) → validate → batch → one writer. Every block is bounded, so
/// a slow writer pushes back to <see cref="SubmitAsync"/>, which refuses once the admission
/// deadline passes instead of letting callers queue without limit.
/// </summary>
public sealed class IngestPipeline : IAsyncDisposable
{
    private readonly IngestOptions _options;
    private readonly PointWriter _writer;
    private readonly PointValidator _validator;
    private readonly IngestMetrics _metrics;
    private readonly ILogger _logger;
    private readonly IReadOnlyDictionary<PayloadFormat, IPointParser> _parsers;
    private readonly TransformBlock<IngestRequest, IngestRequest> _parse;
    private readonly TransformManyBlock<IngestRequest, WriteItem> _validate;
    private readonly BatchBlock<WriteItem> _batch;
    private readonly ActionBlock<WriteItem[]> _write;
    private readonly Timer _flushTimer;
    private readonly long _compactionThreshold;
    private int _inFlight;
    private int _awaitingBatch;
    private int _timerArmed;
    private volatile bool _draining;

    public IngestPipeline(
        IngestOptions options,
        PointWriter writer,
        PointValidator validator,
        IngestMetrics metrics,
        ILogger<IngestPipeline> logger,
        IReadOnlyDictionary<PayloadFormat, IPointParser> parsers,
        long compactionThreshold)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        _writer = writer;
        _validator = validator;
        _metrics = metrics;
        _logger = logger;
        _parsers = parsers;
        _compactionThreshold = compactionThreshold;

        var parallelism = options.EffectiveParseParallelism;
        _parse = new TransformBlock<IngestRequest, IngestRequest>(Parse, new ExecutionDataflowBlockOptions
        {
            MaxDegreeOfParallelism = parallelism,
            BoundedCapacity = options.ParseQueueCapacity,
            EnsureOrdered = false,
        });
        _validate = new TransformManyBlock<IngestRequest, WriteItem>(Validate, new ExecutionDataflowBlockOptions
        {
            MaxDegreeOfParallelism = parallelism,
            BoundedCapacity = options.ParseQueueCapacity,
            EnsureOrdered = false,
        });
        _batch = new BatchBlock<WriteItem>(options.BatchSize, new GroupingDataflowBlockOptions
        {
            BoundedCapacity = options.BatchSize * 2,
        });

        // One writer, and a capacity of one batch: while it commits, the next requests gather in
        // the batch block, and the writer takes all of them for its next commit (group commit).
        _write = new ActionBlock<WriteItem[]>(WriteBatchAsync, new ExecutionDataflowBlockOptions
        {
            MaxDegreeOfParallelism = 1,
            BoundedCapacity = 1,
        });

        var link = new DataflowLinkOptions { PropagateCompletion = true };
        _parse.LinkTo(_validate, link);
        _validate.LinkTo(_batch, link);
        _batch.LinkTo(_write, link);

        _flushTimer = new Timer(static state => ((IngestPipeline)state!).OnFlushTimer(), this, Timeout.Infinite, Timeout.Infinite);
        metrics.ObserveBufferDepth(() => BufferDepth);
    }

    /// <summary>Requests admitted and not yet completed.</summary>
    public int BufferDepth => Volatile.Read(ref _inFlight);

    public bool IsAcceptingWrites => !_draining;

    /// <summary>Whether the writer is still running (it stops only after a drain).</summary>
    public bool IsWriterRunning => !_write.Completion.IsCompleted;

    /// <summary>
    /// Puts a request into the mesh. With <paramref name="waitForCommit"/> the result says what was
    /// committed; without it the result is <see cref="IngestOutcome.Queued"/> once the mesh holds it.
    /// </summary>
    public async Task<IngestResult> SubmitAsync(IngestRequest request, bool waitForCommit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (_draining)
        {
            return Refuse(request, IngestOutcome.ShuttingDown, "the service is shutting down");
        }

        Interlocked.Increment(ref _inFlight);
        bool sent;
        using (var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
        {
            deadline.CancelAfter(_options.AdmissionTimeoutMilliseconds);
            try
            {
                sent = await _parse.SendAsync(request, deadline.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                Interlocked.Decrement(ref _inFlight);
                return Refuse(request, IngestOutcome.Overloaded,
                    $"the ingest buffer stayed full for {_options.AdmissionTimeoutMilliseconds} ms");
            }
            catch (OperationCanceledException)
            {
                Interlocked.Decrement(ref _inFlight);
                request.ReleasePayload();
                throw;
            }
        }

        if (!sent)
        {
            Interlocked.Decrement(ref _inFlight);
            return Refuse(request, IngestOutcome.ShuttingDown, "the service is shutting down");
        }

        if (!waitForCommit)
        {
            request.Detached = true;
            return new IngestResult(IngestOutcome.Queued, 0, 0, 0, []);
        }

        return await request.Completion.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Stops taking requests and returns once everything admitted has been committed.</summary>
    public async Task DrainAsync()
    {
        _draining = true;
        _parse.Complete();
        await _write.Completion.ConfigureAwait(false);
        await _flushTimer.DisposeAsync().ConfigureAwait(false);
        IngestLog.Drained(_logger);
    }

    public async ValueTask DisposeAsync()
    {
        if (!_write.Completion.IsCompleted)
        {
            await DrainAsync().ConfigureAwait(false);
        }
    }

    private IngestResult Refuse(IngestRequest request, IngestOutcome outcome, string message)
    {
        request.ReleasePayload();
        _metrics.RequestsRefused.Add(1);
        return IngestResult.Refused(outcome, message);
    }

    private void Finish(IngestRequest request, IngestResult result)
    {
        if (request.Detached && result.ErrorCount > 0)
        {
            IngestLog.QueuedRequestHadErrors(_logger, result.ErrorCount, result.Errors.Count > 0 ? result.Errors[0].ToString() : result.Message ?? "");
        }

        request.Complete(result);
        Interlocked.Decrement(ref _inFlight);
    }

    private IngestRequest Parse(IngestRequest request)
    {
        try
        {
            var batch = new ParsedBatch(Math.Clamp(request.Length / 32, 16, 1 << 20));
            request.Batch = batch;
            _parsers[request.Format].Parse(request.Payload, request.Settings, batch);
            request.ReleasePayload();
        }
        catch (Exception exception)
        {
            // A parser bug must cost one request, never the block: a faulted block drops its queue.
            IngestLog.ParseFailed(_logger, exception);
            Finish(request, IngestResult.Refused(IngestOutcome.StorageFailed, "the request could not be parsed because of an internal error"));
        }

        return request;
    }

    private IEnumerable<WriteItem> Validate(IngestRequest request)
    {
        if (request.IsCompleted || request.Batch is not { } batch)
        {
            return [];
        }

        try
        {
            var series = _validator.Validate(batch);
            if (batch.ErrorCount > 0)
            {
                _metrics.PointsRejected.Add(batch.ErrorCount);
            }

            if (batch.ErrorCount > 0 && (request.Strict || batch.Count == 0))
            {
                var reason = request.Strict && batch.Count > 0 ? "strict mode: some lines are bad" : "no line was valid";
                Finish(request, new IngestResult(IngestOutcome.Rejected, batch.LineCount, 0, batch.ErrorCount, SortedErrors(batch), reason));
                return [];
            }

            if (batch.Count == 0)
            {
                Finish(request, new IngestResult(IngestOutcome.Written, batch.LineCount, 0, 0, []));
                return [];
            }

            _metrics.PointsAccepted.Add(batch.Count);
            Interlocked.Increment(ref _awaitingBatch);
            ArmFlushTimer(immediate: batch.Count >= ImmediateCommitPoints);
            return [new WriteItem(request, new PointChunk(batch, series, request.DedupeKey), batch.LineCount)];
        }
        catch (Exception exception)
        {
            IngestLog.ParseFailed(_logger, exception);
            Finish(request, IngestResult.Refused(IngestOutcome.StorageFailed, "the request could not be validated because of an internal error"));
            return [];
        }
    }

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
            if (_writer.RecentRows >= _compactionThreshold)
            {
                TryCompact();
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

    private static LineError[] SortedErrors(ParsedBatch batch) =>
        batch.Errors.Count == 0 ? [] : [.. batch.Errors.OrderBy(static e => e.Line)];
}
