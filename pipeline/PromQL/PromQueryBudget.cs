namespace FunctionsObservability.Pipeline.PromQL;

/// <summary>
/// What one query may load: series and samples counted across all its selectors. Charging past a
/// limit throws an <see cref="PromErrorType.Execution"/> error that names the limit, as Prometheus
/// does for <c>query.max-samples</c>.
/// </summary>
public sealed class PromQueryBudget
{
    private long _series;
    private long _samples;

    public PromQueryBudget(long maxSeries, long maxSamples)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxSeries);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxSamples);
        MaxSeries = maxSeries;
        MaxSamples = maxSamples;
    }

    public long MaxSeries { get; }

    public long MaxSamples { get; }

    public long Series => Interlocked.Read(ref _series);

    public long Samples => Interlocked.Read(ref _samples);

    public void ChargeSeries(long count)
    {
        if (Interlocked.Add(ref _series, count) > MaxSeries)
        {
            throw new PromQueryException(PromErrorType.Execution,
                $"query would select more than {MaxSeries} series (PromQL:MaxSeries); narrow the selector");
        }
    }

    public void ChargeSamples(long count)
    {
        if (Interlocked.Add(ref _samples, count) > MaxSamples)
        {
            throw new PromQueryException(PromErrorType.Execution,
                $"query processing would load more than {MaxSamples} samples into memory (PromQL:MaxSamples); shorten the range or narrow the selector");
        }
    }
}
