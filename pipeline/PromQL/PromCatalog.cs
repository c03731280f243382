using System.Collections.Concurrent;
using FunctionsObservability.Pipeline.Storage;

namespace FunctionsObservability.Pipeline.PromQL;

/// <summary>
/// The series catalog as PromQL sees it: each series' label set (its metric as <c>__name__</c> and
/// its tags, both through <see cref="PromNames"/>), and selection by matchers and time. Label sets
/// are built once per series and kept, bounded by the catalog's own series limit (series ids are
/// never reused, so an id keys its labels for the life of the process).
/// </summary>
public sealed class PromCatalog
{
    private readonly SeriesCatalog _catalog;
    private readonly ConcurrentDictionary<int, PromLabels> _labels = new();
    private readonly ConcurrentDictionary<string, PromLabelIndex> _indexes = new(StringComparer.Ordinal);

    public PromCatalog(SeriesCatalog catalog) => _catalog = catalog;

    public PromLabels LabelsOf(SeriesEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        return _labels.TryGetValue(entry.Id, out var labels) ? labels : _labels.GetOrAdd(entry.Id, Build(entry));
    }

    /// <summary>
    /// Series that satisfy every matcher and hold points in [<paramref name="fromMicros"/>,
    /// <paramref name="toMicros"/>), grouped by stored metric. The metric-name matchers pick metrics
    /// first, so only the matching metrics' series are tested against the rest.
    /// </summary>
    public IReadOnlyList<(string Metric, List<SeriesEntry> Series)> Select(IReadOnlyList<LabelMatcher> matchers, long fromMicros, long toMicros)
    {
        ArgumentNullException.ThrowIfNull(matchers);
        var nameMatchers = matchers.Where(m => m.Name == PromLabels.MetricName).ToList();
        var others = matchers.Where(m => m.Name != PromLabels.MetricName).ToList();
        var selected = new List<(string, List<SeriesEntry>)>();
        foreach (var metric in CandidateMetrics(nameMatchers))
        {
            List<SeriesEntry>? series = null;
            foreach (var entry in Candidates(metric, others))
            {
                if (entry.PointCount == 0 || entry.MaxTimestamp < fromMicros || entry.MinTimestamp >= toMicros)
                {
                    continue;
                }

                var labels = LabelsOf(entry);
                if (others.TrueForAll(m => m.Matches(labels.Get(m.Name))))
                {
                    (series ??= []).Add(entry);
                }
            }

            if (series is not null)
            {
                selected.Add((metric, series));
            }
        }

        return selected;
    }

    /// <summary>
    /// The metric's series that can match: with an equality matcher on a non-empty value, only
    /// those carrying that value (from the metric's label index), else all of them.
    /// </summary>
    private IReadOnlyList<SeriesEntry> Candidates(string metric, List<LabelMatcher> matchers)
    {
        var all = _catalog.ForMetric(metric);
        if (matchers.Find(m => m.Type == MatchType.Equal && m.Value.Length > 0) is not { } equal || all.Count < MinIndexedSeries)
        {
            return all;
        }

        if (!_indexes.TryGetValue(metric, out var index) || !ReferenceEquals(index.Series, all))
        {
            // Series were added since it was built: one pass over the metric, as a query without it makes.
            index = new PromLabelIndex(all, this);
            _indexes[metric] = index;
        }

        return index.With(equal.Name, equal.Value);
    }

    /// <summary>Below this many series a metric is cheaper to scan than to index.</summary>
    private const int MinIndexedSeries = 64;

    private IEnumerable<string> CandidateMetrics(List<LabelMatcher> nameMatchers)
    {
        if (nameMatchers.Find(m => m.Type == MatchType.Equal) is { } exact && _catalog.ForMetric(exact.Value).Count > 0)
        {
            // The common case: the stored name is the PromQL name.
            if (nameMatchers.TrueForAll(m => m.Matches(exact.Value)))
            {
                yield return exact.Value;
            }

            yield break;
        }

        foreach (var metric in _catalog.Metrics.Order(StringComparer.Ordinal))
        {
            var name = PromNames.Metric(metric);
            if (nameMatchers.TrueForAll(m => m.Matches(name)))
            {
                yield return metric;
            }
        }
    }

    public static PromLabels Build(SeriesEntry entry)
    {
        var descriptor = entry.Descriptor;
        var labels = new Dictionary<string, string>(descriptor.Tags.Length + 1, StringComparer.Ordinal);
        foreach (var (key, value) in descriptor.Tags)
        {
            // Two keys that read the same once sanitised keep both values, joined with ';' in key order.
            var name = PromNames.Label(key);
            labels[name] = labels.TryGetValue(name, out var earlier) ? $"{earlier};{value}" : value;
        }

        labels[PromLabels.MetricName] = PromNames.Metric(descriptor.Metric);
        return PromLabels.From(labels);
    }
}
