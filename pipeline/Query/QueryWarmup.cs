using System.Diagnostics;
using FunctionsObservability.Pipeline.PromQL;
using FunctionsObservability.Pipeline.Storage;
using Microsoft.Extensions.Logging;

namespace FunctionsObservability.Pipeline.Query;

/// <summary>
/// Runs the aggregate path once when the app starts, so the first real aggregate does not pay for
/// compiling it and for opening DuckDB's first reader connection. The app compiles every method
/// fully optimised on first use (TieredCompilationQuickJit off, for ingest throughput), and the
/// first aggregate of a fresh process took about 120 ms where the next took 15 (issue 12). Its
/// statements select a series id no table holds, so they return nothing and change nothing; a
/// failure is logged and start-up goes on, and queries then warm up as they come. The PromQL
/// engine is compiled too and evaluates one query over a metric that does not exist: its first
/// query of a fresh process spent more than a hundred milliseconds compiling.
/// </summary>
public sealed partial class QueryWarmup
{
    /// <summary>Selects nothing (no metric has this name), so it reads nothing and finishes at once.</summary>
    private const string PromWarmupQuery =
        "sum by (job) (rate(fo_warmup_absent[5m])) + on (job) avg_over_time(fo_warmup_absent{job=~\"a.*\"}[1m] offset 1m) * 2";

    private readonly AggregateQueryService _aggregates;
    private readonly PromQueryService _prom;
    private readonly ILogger<QueryWarmup> _logger;

    public QueryWarmup(AggregateQueryService aggregates, PromQueryService prom, ILogger<QueryWarmup> logger)
    {
        _aggregates = aggregates;
        _prom = prom;
        _logger = logger;
    }

    /// <param name="host">The host's own part of the route (parsing, writing the answer), run after the store's.</param>
    public async Task RunAsync(Func<CancellationToken, Task>? host, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            // What a run over no rows does not reach: a cache hit, a tag match, folding a row.
            MethodPrecompiler.Compile(
                typeof(AggregateQueryService), typeof(AggregateAnswerCache), typeof(AggregateAnswerKey), typeof(AnswerSize),
                typeof(SeriesSelection), typeof(AggregateGroups), typeof(BucketAccumulator), typeof(AggregateSql), typeof(MinuteSpan),
                typeof(TieredSource), typeof(TierLease), typeof(QueryExecutor), typeof(QueryLease), typeof(DataVersions), typeof(SeriesCatalog));
            await _aggregates.WarmUpAsync(cancellationToken).ConfigureAwait(false);
            MethodPrecompiler.Compile([.. typeof(PromEngine).Assembly.GetTypes().Where(t => t.Namespace == typeof(PromEngine).Namespace && !t.IsNested)]);
            await _prom.RangeAsync(PromWarmupQuery, 0, 600_000, 60_000, null, cancellationToken).ConfigureAwait(false);
            if (host is not null)
            {
                await host(cancellationToken).ConfigureAwait(false);
            }

            LogWarmedUp(_logger, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            LogFailed(_logger, exception);
        }
    }

    [LoggerMessage(EventId = LogEvents.QueryPathWarmedUp, Level = LogLevel.Debug, Message = "Aggregate query path warmed up in {ElapsedMs:F0} ms")]
    private static partial void LogWarmedUp(ILogger logger, double elapsedMs);

    [LoggerMessage(EventId = LogEvents.QueryWarmupFailed, Level = LogLevel.Warning, Message = "Warming up the aggregate query path failed; the first aggregates will be slower")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}
