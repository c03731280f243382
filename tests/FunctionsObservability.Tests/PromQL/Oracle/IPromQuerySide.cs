namespace FunctionsObservability.Tests.PromQL.Oracle;

/// <summary>
/// One side of the oracle comparison: something that takes the generated samples and answers
/// PromQL instant and range queries. Prometheus itself is one; our engine (in process, or the
/// service over HTTP) is the other.
/// </summary>
public interface IPromQuerySide : IAsyncDisposable
{
    string Name { get; }

    Task LoadAsync(IReadOnlyList<OracleSeries> series, CancellationToken cancellationToken);

    Task<PromAnswer> InstantAsync(string query, long timeMs, CancellationToken cancellationToken);

    Task<PromAnswer> RangeAsync(string query, long startMs, long endMs, long stepMs, CancellationToken cancellationToken);
}
