namespace FunctionsObservability.Pipeline.PromQL;

/// <summary>
/// Where the engine's samples come from: the series whose labels (with <c>__name__</c>) satisfy every
/// matcher, each with its samples in [<c>minTimeMs</c>, <c>maxTimeMs</c>] (both ends inclusive) in
/// ascending time order, at most one sample per millisecond. Every series and sample returned is
/// charged to <paramref name="budget"/>, which throws once a limit is passed, so a query's memory
/// stays bounded.
/// </summary>
public interface IPromSeriesSource
{
    Task<IReadOnlyList<PromSeries>> SelectAsync(
        IReadOnlyList<LabelMatcher> matchers, long minTimeMs, long maxTimeMs, PromQueryBudget budget, CancellationToken cancellationToken);
}
