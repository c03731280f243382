using System.Buffers;
using System.Text.Json;
using FunctionsObservability.Pipeline.Query;

namespace FunctionsObservability.Pipeline.Live;

/// <summary>
/// Finds the points of one committed batch that a filter selects without scanning the batch per
/// filter: the points are grouped by series once, the series by metric once, and a metric's
/// series by the value of a tag key the first time a filter asks for that key. With a thousand
/// subscribers each watching one host, a batch then costs one pass plus a lookup per filter.
/// </summary>
internal sealed class BatchIndex
{
    private readonly CommittedPoints _batch;
    private readonly byte[]?[] _jsonPrefix;
    private readonly int[] _pointStart;
    private readonly int[] _pointsBySeries;
    private readonly Dictionary<string, List<int>> _seriesByMetric = new(StringComparer.Ordinal);
    private readonly Dictionary<(string Metric, string Key), Dictionary<string, List<int>>> _seriesByTag = [];

    public BatchIndex(CommittedPoints batch)
    {
        _batch = batch;
        var series = batch.Series;
        _jsonPrefix = new byte[series.Length][];
        var seriesOfPoint = batch.SeriesOfPoint;

        // Points grouped by series, in commit order within each series (a counting sort).
        _pointStart = new int[series.Length + 1];
        foreach (var s in seriesOfPoint)
        {
            _pointStart[s + 1]++;
        }

        for (var s = 0; s < series.Length; s++)
        {
            _pointStart[s + 1] += _pointStart[s];
        }

        _pointsBySeries = new int[seriesOfPoint.Length];
        var fill = _pointStart[..^1];
        for (var i = 0; i < seriesOfPoint.Length; i++)
        {
            _pointsBySeries[fill[seriesOfPoint[i]]++] = i;
        }

        for (var s = 0; s < series.Length; s++)
        {
            if (series[s] is { } entry && _pointStart[s + 1] > _pointStart[s])
            {
                if (!_seriesByMetric.TryGetValue(entry.Descriptor.Metric, out var list))
                {
                    _seriesByMetric[entry.Descriptor.Metric] = list = [];
                }

                list.Add(s);
            }
        }
    }

    public CommittedPoints Batch => _batch;

    /// <summary>
    /// <c>{"metric":…,"tags":{…},"timestamp":"</c> for a series, escaped as the query API escapes
    /// it; made the first time one of its points is encoded in this batch.
    /// </summary>
    public byte[] JsonPrefix(int series)
    {
        if (_jsonPrefix[series] is { } prefix)
        {
            return prefix;
        }

        var buffer = new ArrayBufferWriter<byte>(128);
        using (var writer = new Utf8JsonWriter(buffer, PointJson.WriterOptions))
        {
            var descriptor = _batch.Series[series]!.Descriptor;
            writer.WriteStartObject();
            writer.WriteString("metric", descriptor.Metric);
            PointJson.WriteTags(writer, descriptor.Tags);
            writer.WriteString("timestamp", string.Empty);
        }

        // Drop the empty value's closing quote: the timestamp is written straight after the opening one.
        return _jsonPrefix[series] = buffer.WrittenSpan[..^1].ToArray();
    }

    /// <summary>Fills <paramref name="matched"/> with the indexes of the points <paramref name="filter"/> selects, in commit order.</summary>
    public void Select(SeriesFilter filter, List<int> matched)
    {
        matched.Clear();
        if (!_seriesByMetric.TryGetValue(filter.Metric, out var ofMetric))
        {
            return;
        }

        var candidates = filter.Tags.Count == 0 ? ofMetric : WithTag(filter.Metric, ofMetric, filter.Tags[0]);
        foreach (var s in candidates)
        {
            if (filter.Tags.Count <= 1 || SeriesSelection.Matches(_batch.Series[s]!, filter.Tags))
            {
                for (var p = _pointStart[s]; p < _pointStart[s + 1]; p++)
                {
                    matched.Add(_pointsBySeries[p]);
                }
            }
        }

        if (candidates.Count > 1)
        {
            matched.Sort();
        }
    }

    private List<int> WithTag(string metric, List<int> ofMetric, KeyValuePair<string, string> tag)
    {
        if (!_seriesByTag.TryGetValue((metric, tag.Key), out var byValue))
        {
            byValue = new Dictionary<string, List<int>>(StringComparer.Ordinal);
            foreach (var s in ofMetric)
            {
                foreach (var (key, value) in _batch.Series[s]!.Descriptor.Tags)
                {
                    if (string.Equals(key, tag.Key, StringComparison.Ordinal))
                    {
                        if (!byValue.TryGetValue(value, out var list))
                        {
                            byValue[value] = list = [];
                        }

                        list.Add(s);
                        break;
                    }
                }
            }

            _seriesByTag[(metric, tag.Key)] = byValue;
        }

        return byValue.TryGetValue(tag.Value, out var found) ? found : [];
    }
}
