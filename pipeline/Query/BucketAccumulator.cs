namespace FunctionsObservability.Pipeline.Query;

/// <summary>Folds per-series bucket values into per-group bucket values.</summary>
internal sealed class BucketAccumulator(AggregateFunction function, long step)
{
    private readonly Dictionary<(int Group, long Bucket), (double Value, double Count)> _cells = [];

    public void Add(int group, long bucket, double value, double count)
    {
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
        var byGroup = new List<BucketValue>?[groups.Count == 0 ? 1 : groups.Count];
        foreach (var ((group, bucket), (value, count)) in _cells)
        {
            var result = function == AggregateFunction.Avg && count > 0 ? value / count : value;
            (byGroup[group] ??= []).Add(new BucketValue(bucket * step, result));
        }

        var order = Enumerable.Range(0, byGroup.Length)
            .Where(g => byGroup[g] is not null)
            .OrderBy(g => groups.Count == 0 ? null : groups.ValueOf(g) ?? "\uffff", StringComparer.Ordinal);
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
