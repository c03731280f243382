using FunctionsObservability.Pipeline.Query;

namespace FunctionsObservability.Pipeline.PromQL;

/// <summary>
/// Runs PromQL for the HTTP API: at most PromQL:MaxConcurrentQueries evaluations at once (a query
/// holds its samples in memory, so this bounds the API's memory), each under the query timeout
/// or the shorter one the caller asked for, and cancelled with its caller.
/// </summary>
public sealed class PromQueryService : IDisposable
{
    private readonly PromEngine _engine;
    private readonly PromQLOptions _options;
    private readonly QueryOptions _queryOptions;
    private readonly SemaphoreSlim _slots;

    public PromQueryService(StoreSeriesSource source, PromQLOptions options, QueryOptions queryOptions)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(queryOptions);
        _options = options;
        _queryOptions = queryOptions;
        _slots = new SemaphoreSlim(options.MaxConcurrentQueries, options.MaxConcurrentQueries);
        _engine = new PromEngine(source, new PromEngineOptions
        {
            LookbackDelta = options.LookbackDelta,
            MaxSeries = options.MaxSeries,
            MaxSamples = options.MaxSamples,
            MaxResultPoints = options.MaxSamples,
            MaxResultPointsName = $"{PromQLOptions.SectionName}:{nameof(PromQLOptions.MaxSamples)}",
            MaxSteps = options.MaxSteps,
        });
    }

    public PromQLOptions Options => _options;

    public Task<PromResult> InstantAsync(string query, long timeMs, TimeSpan? timeout, CancellationToken cancellationToken) =>
        RunAsync((engine, token) => engine.InstantAsync(query, timeMs, token), timeout, cancellationToken);

    public Task<PromResult> RangeAsync(string query, long startMs, long endMs, long stepMs, TimeSpan? timeout, CancellationToken cancellationToken) =>
        RunAsync((engine, token) => engine.RangeAsync(query, startMs, endMs, stepMs, token), timeout, cancellationToken);

    public void Dispose() => _slots.Dispose();

    private async Task<PromResult> RunAsync(Func<PromEngine, CancellationToken, Task<PromResult>> evaluate, TimeSpan? timeout, CancellationToken cancellationToken)
    {
        if (!await _slots.WaitAsync(_queryOptions.AdmissionTimeoutMilliseconds, cancellationToken).ConfigureAwait(false))
        {
            throw new PromQueryException(PromErrorType.Unavailable,
                $"all {_options.MaxConcurrentQueries} PromQL evaluation slots (PromQL:MaxConcurrentQueries) stayed busy for {_queryOptions.AdmissionTimeoutMilliseconds} ms");
        }

        try
        {
            var limit = TimeSpan.FromSeconds(_queryOptions.TimeoutSeconds);
            if (timeout is { } asked && asked > TimeSpan.Zero && asked < limit)
            {
                limit = asked;
            }

            using var timer = new CancellationTokenSource(limit);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timer.Token);
            try
            {
                return await evaluate(_engine, linked.Token).ConfigureAwait(false);
            }
            catch (Exception exception) when (timer.IsCancellationRequested && !cancellationToken.IsCancellationRequested
                && exception is OperationCanceledException or QueryFailedException { Failure: QueryFailure.Timeout } or PromQueryException { ErrorType: PromErrorType.Timeout })
            {
                throw new PromQueryException(PromErrorType.Timeout, $"query timed out in expression evaluation after {limit.TotalSeconds:0.###} s");
            }
        }
        finally
        {
            _slots.Release();
        }
    }
}
