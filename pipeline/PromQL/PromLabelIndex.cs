using FunctionsObservability.Pipeline.Storage;

namespace FunctionsObservability.Pipeline.PromQL;

/// <summary>
/// One metric's series by label value, so a selector with an equality matcher
/// (<c>cpu{host="h42"}</c>) tests only the series that carry that value instead of every series
/// of the metric. Built from one snapshot of the catalog's series list, which is replaced whenever
/// a series is added, so a different snapshot means a stale index.
/// </summary>
internal sealed class PromLabelIndex
{
    private readonly Dictionary<(string Name, string Value), List<SeriesEntry>> _postings = [];

    public PromLabelIndex(IReadOnlyList<SeriesEntry> series, PromCatalog catalog)
    {
        Series = series;
        foreach (var entry in series)
        {
            var labels = catalog.LabelsOf(entry);
            for (var i = 0; i < labels.Count; i++)
            {
                var (name, value) = labels[i];
                if (name == PromLabels.MetricName)
                {
                    continue;
                }

                if (!_postings.TryGetValue((name, value), out var list))
                {
                    _postings[(name, value)] = list = [];
                }

                list.Add(entry);
            }
        }
    }

    /// <summary>The snapshot this index was built from.</summary>
    public IReadOnlyList<SeriesEntry> Series { get; }

    /// <summary>The series whose label <paramref name="name"/> is <paramref name="value"/> (not empty), in catalog order.</summary>
    public IReadOnlyList<SeriesEntry> With(string name, string value) =>
        _postings.TryGetValue((name, value), out var list) ? list : [];
}
