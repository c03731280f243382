using FunctionsObservability.Pipeline.PromQL;

namespace FunctionsObservability.Tests.PromQL;

/// <summary>An <see cref="IPromSeriesSource"/> over series held in memory, with the contract's semantics (inclusive window, budget charges).</summary>
public sealed class InMemorySeriesSource : IPromSeriesSource
{
    private readonly List<(PromLabels Labels, long[] Timestamps, double[] Values)> _series = [];

    public int Selects { get; private set; }

    public InMemorySeriesSource Add(string metric, IEnumerable<(string Name, string Value)> labels, params (long TimestampMs, double Value)[] samples)
    {
        var all = labels.Select(l => KeyValuePair.Create(l.Name, l.Value)).Append(KeyValuePair.Create(PromLabels.MetricName, metric));
        return Add(PromLabels.From(all), samples);
    }

    public InMemorySeriesSource Add(PromLabels labels, IEnumerable<(long TimestampMs, double Value)> samples)
    {
        var ordered = samples.OrderBy(s => s.TimestampMs).ToArray();
        _series.Add((labels, ordered.Select(s => s.TimestampMs).ToArray(), ordered.Select(s => s.Value).ToArray()));
        return this;
    }

    public Task<IReadOnlyList<PromSeries>> SelectAsync(
        IReadOnlyList<LabelMatcher> matchers, long minTimeMs, long maxTimeMs, PromQueryBudget budget, CancellationToken cancellationToken)
    {
        Selects++;
        var result = new List<PromSeries>();
        foreach (var (labels, timestamps, values) in _series)
        {
            if (!matchers.All(m => m.Matches(labels.Get(m.Name))))
            {
                continue;
            }

            var lo = 0;
            while (lo < timestamps.Length && timestamps[lo] < minTimeMs)
            {
                lo++;
            }

            var hi = lo;
            while (hi < timestamps.Length && timestamps[hi] <= maxTimeMs)
            {
                hi++;
            }

            if (hi == lo)
            {
                continue;
            }

            budget.ChargeSeries(1);
            budget.ChargeSamples(hi - lo);
            result.Add(new PromSeries(labels, timestamps[lo..hi], values[lo..hi], hi - lo));
        }

        result.Sort((a, b) => PromLabels.Compare(a.Labels, b.Labels));
        return Task.FromResult<IReadOnlyList<PromSeries>>(result);
    }
}
