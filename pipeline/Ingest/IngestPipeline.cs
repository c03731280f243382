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
public sealed partial class IngestPipeline : IAsyncDisposable
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

        // Room in the parse block is the usual case: take it without a deadline, whose timer and
        // linked token cost more than the rest of the admission. Post declines while earlier
        // senders wait for room, so it never overtakes them.
        if (!_parse.Post(request) && await AdmitAsync(request, cancellationToken).ConfigureAwait(false) is { } refused)
        {
            return refused;
        }

        if (!waitForCommit)
        {
            request.Detached = true;
            return new IngestResult(IngestOutcome.Queued, 0, 0, 0, []);
        }

        return await request.Completion.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Waits for room in the parse block until the admission deadline; null once the request is in.</summary>
    private async Task<IngestResult?> AdmitAsync(IngestRequest request, CancellationToken cancellationToken)
    {
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

        return null;
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

    private static LineError[] SortedErrors(ParsedBatch batch) =>
        batch.Errors.Count == 0 ? [] : [.. batch.Errors.OrderBy(static e => e.Line)];
}
