namespace FunctionsObservability.Pipeline.Query;

/// <summary>
/// Collects bucket values by group. When every (group, bucket) arrives once, they are appended
/// as they come; otherwise per-series values are folded into their group's bucket.
/// </summary>
internal sealed class BucketAccumulator(AggregateFunction function, long step, int groups, bool fold)
{
    private readonly Dictionary<(int Group, long Bucket), (double Value, double Count)> _cells = [];
    private readonly List<BucketValue>?[] _direct = new List<BucketValue>?[fold ? 0 : groups];

    public void Add(int group, long bucket, double value, double count)
    {
        if (!fold)
        {
            (_direct[group] ??= []).Add(new BucketValue(bucket * step, value));
            return;
        }

        var key = (group, bucket);
        if (!_cells.TryGetValue(key, out var cell))
        {
            _cells[key] = (value, count);
            return;
        }

        _cells[key] = function switch
        {
            AggregateFunction.Min => (Math.Min(cell.Value, value), 0),
            AggregateFunction.Max => (Math.Max(cell.Value, value), 0),

            // Sum, count, and avg's (sum, count) add up. Percentiles never get here twice,
            // because the plan folds them only when each group has one series.
            _ => (cell.Value + value, cell.Count + count),
        };
    }

    public IReadOnlyList<AggregateSeries> ToSeries(AggregateGroups groups, IReadOnlyList<KeyValuePair<string, string>> filterTags, string? groupBy)
    {
        var byGroup = fold ? new List<BucketValue>?[groups.Count] : _direct;
        foreach (var ((group, bucket), (value, count)) in _cells)
        {
            var result = function == AggregateFunction.Avg && count > 0 ? value / count : value;
            (byGroup[group] ??= []).Add(new BucketValue(bucket * step, result));
        }

        var order = Enumerable.Range(0, byGroup.Length)
            .Where(g => byGroup[g] is not null)
            .OrderBy(g => groups.ValueOf(g) ?? "\uffff", StringComparer.Ordinal);
        var series = new List<AggregateSeries>();
        foreach (var group in order)
        {
            var points = byGroup[group]!;
            points.Sort(static (a, b) => a.TimestampMicros.CompareTo(b.TimestampMicros));
            var tags = new List<KeyValuePair<string, string>>(filterTags);
            if (groupBy is not null && groups.ValueOf(group) is { } value && !tags.Exists(t => t.Key == groupBy))
            {
                tags.Add(new(groupBy, value));
            }

            series.Add(new AggregateSeries(tags, points));
        }

        return series;
    }
}
