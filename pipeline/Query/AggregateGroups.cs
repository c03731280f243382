using FunctionsObservability.Pipeline.Storage;

namespace FunctionsObservability.Pipeline.Query;

/// <summary>The groups of an aggregate: one per distinct value of the group-by tag (or one in all).</summary>
internal sealed class AggregateGroups
{
    private readonly Dictionary<int, int> _groupOfSeries = [];
    private readonly Dictionary<string, int> _groupOfValue = new(StringComparer.Ordinal);
    private readonly List<string?> _values = [];
    private readonly List<int> _seriesPerGroup = [];
    private int _missingGroup = -1;

    public int Count => _values.Count;

    public bool OneSeriesPerGroup => _seriesPerGroup.TrueForAll(static n => n == 1);

    /// <summary>The tag value of a group; null for series without the tag, or when not grouping.</summary>
    public string? ValueOf(int group) => _values[group];

    public int GroupOfSeries(int seriesId) => _groupOfSeries.GetValueOrDefault(seriesId, -1);

    public int GroupOfValue(string? value) =>
        value is null ? _missingGroup : _groupOfValue.GetValueOrDefault(value, -1);

    public static AggregateGroups Build(SeriesSelection selection, string? groupBy)
    {
        var groups = new AggregateGroups();
        foreach (var series in selection.Series)
        {
            string? value = null;
            if (groupBy is not null)
            {
                foreach (var tag in series.Descriptor.Tags)
                {
                    if (string.Equals(tag.Key, groupBy, StringComparison.Ordinal))
                    {
                        value = tag.Value;
                        break;
                    }
                }
            }

            var group = groups.GroupOfValue(value);
            if (group < 0)
            {
                group = groups._values.Count;
                groups._values.Add(value);
                groups._seriesPerGroup.Add(0);
                if (value is null)
                {
                    groups._missingGroup = group;
                }
                else
                {
                    groups._groupOfValue[value] = group;
                }
            }

            groups._seriesPerGroup[group]++;
            groups._groupOfSeries[series.Id] = group;
        }

        return groups;
    }
}
