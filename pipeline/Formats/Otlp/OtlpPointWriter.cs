using FunctionsObservability.Pipeline.Model;

namespace FunctionsObservability.Pipeline.Formats.Otlp;

/// <summary>
/// Turns the metrics of an OTLP request into points, as Prometheus translates OTLP: a gauge keeps its
/// name; a monotonic cumulative sum is a counter named <c>…_total</c>; a non-monotonic one is a gauge;
/// a cumulative histogram is <c>…_bucket{le}</c> (cumulative counts, up to <c>le="+Inf"</c>),
/// <c>…_sum</c> and <c>…_count</c>; a summary is <c>…{quantile}</c>, <c>…_sum</c> and <c>…_count</c>.
/// </summary>
/// <remarks>
/// Each data point is one unit, numbered from 1 across the request in order; every point a data point
/// becomes shares its number, so the validator keeps or rejects a data point whole. Delta sums and
/// histograms and exponential histograms are rejected (Prometheus stores neither); a data point with
/// the no-recorded-value flag is skipped, as a stale marker is.
/// </remarks>
internal sealed class OtlpPointWriter(ParsedBatch into)
{
    private const uint NoRecordedValue = 1;

    private readonly Dictionary<SeriesDescriptor, int> _series = [];

    /// <summary>Data points seen so far, good or bad.</summary>
    public int Units { get; private set; }

    public void Write(Metric metric, KeyValuePair<string, string>[] resourceTags)
    {
        var name = OtlpNames.MetricName(metric.Name);
        var refusal = name.Length == 0 ? "a metric has no name" : Refusal(metric, name);
        if (refusal is not null)
        {
            for (var i = DataPointCount(metric); i > 0; i--)
            {
                into.AddError(++Units, refusal);
            }

            return;
        }

        switch (metric.DataCase)
        {
            case Metric.DataOneofCase.Gauge:
                Numbers(metric.Gauge.DataPoints, name, resourceTags);
                break;
            case Metric.DataOneofCase.Sum:
                Numbers(metric.Sum.DataPoints, metric.Sum.IsMonotonic ? OtlpNames.CounterName(name) : name, resourceTags);
                break;
            case Metric.DataOneofCase.Histogram:
                foreach (var point in metric.Histogram.DataPoints)
                {
                    Histogram(point, name, resourceTags);
                }

                break;
            case Metric.DataOneofCase.Summary:
                foreach (var point in metric.Summary.DataPoints)
                {
                    Summary(point, name, resourceTags);
                }

                break;
        }
    }

    /// <summary>Why no data point of the metric can be stored, or null.</summary>
    private static string? Refusal(Metric metric, string name) => metric.DataCase switch
    {
        Metric.DataOneofCase.Sum when metric.Sum.AggregationTemporality != AggregationTemporality.Cumulative =>
            $"sum \"{name}\" has {Temporality(metric.Sum.AggregationTemporality)} temporality; only cumulative sums are stored (the SDK's default: set the exporter's temporality preference to cumulative)",
        Metric.DataOneofCase.Histogram when metric.Histogram.AggregationTemporality != AggregationTemporality.Cumulative =>
            $"histogram \"{name}\" has {Temporality(metric.Histogram.AggregationTemporality)} temporality; only cumulative histograms are stored (the SDK's default: set the exporter's temporality preference to cumulative)",
        Metric.DataOneofCase.ExponentialHistogram =>
            $"exponential histogram \"{name}\" is not stored; configure the instrument with explicit bucket boundaries (the SDK's default histogram aggregation)",
        _ => null,
    };

    private static string Temporality(AggregationTemporality temporality) =>
        temporality == AggregationTemporality.Delta ? "delta" : "unspecified";

    private static int DataPointCount(Metric metric) => metric.DataCase switch
    {
        Metric.DataOneofCase.Gauge => metric.Gauge.DataPoints.Count,
        Metric.DataOneofCase.Sum => metric.Sum.DataPoints.Count,
        Metric.DataOneofCase.Histogram => metric.Histogram.DataPoints.Count,
        Metric.DataOneofCase.ExponentialHistogram => metric.ExponentialHistogram.DataPoints.Count,
        Metric.DataOneofCase.Summary => metric.Summary.DataPoints.Count,
        _ => 0,
    };

    private void Numbers(IEnumerable<NumberDataPoint> points, string name, KeyValuePair<string, string>[] resourceTags)
    {
        foreach (var point in points)
        {
            if (!Begin(point.Flags, point.TimeUnixNano, name, point.Attributes, resourceTags, out var unit, out var micros, out var tags))
            {
                continue;
            }

            switch (point.ValueCase)
            {
                case NumberDataPoint.ValueOneofCase.AsDouble: Add(name, tags, null, micros, point.AsDouble, unit); break;
                case NumberDataPoint.ValueOneofCase.AsInt: Add(name, tags, null, micros, point.AsInt, unit); break;
                default: into.AddError(unit, $"data point {unit} of \"{name}\" has no value (neither asDouble nor asInt)"); break;
            }
        }
    }

    private void Histogram(HistogramDataPoint point, string name, KeyValuePair<string, string>[] resourceTags)
    {
        if (!Begin(point.Flags, point.TimeUnixNano, name, point.Attributes, resourceTags, out var unit, out var micros, out var tags))
        {
            return;
        }

        var counts = point.BucketCounts;
        var bounds = point.ExplicitBounds;
        if (counts.Count != 0 && counts.Count != bounds.Count + 1)
        {
            into.AddError(unit, $"data point {unit} of histogram \"{name}\" has {counts.Count} bucket counts for {bounds.Count} explicit bounds; there must be one count more than bounds");
            return;
        }

        var bucket = name + "_bucket";
        var cumulative = 0UL;
        for (var i = 0; i < bounds.Count && counts.Count != 0; i++)
        {
            cumulative += counts[i];
            Add(bucket, tags, new("le", OtlpNames.Number(bounds[i])), micros, cumulative, unit);
        }

        Add(bucket, tags, new("le", "+Inf"), micros, point.Count, unit);
        if (point.HasSum)
        {
            Add(name + "_sum", tags, null, micros, point.Sum, unit);
        }

        Add(name + "_count", tags, null, micros, point.Count, unit);
    }

    private void Summary(SummaryDataPoint point, string name, KeyValuePair<string, string>[] resourceTags)
    {
        if (!Begin(point.Flags, point.TimeUnixNano, name, point.Attributes, resourceTags, out var unit, out var micros, out var tags))
        {
            return;
        }

        foreach (var quantile in point.QuantileValues)
        {
            Add(name, tags, new("quantile", OtlpNames.Number(quantile.Quantile)), micros, quantile.Value, unit);
        }

        Add(name + "_sum", tags, null, micros, point.Sum, unit);
        Add(name + "_count", tags, null, micros, point.Count, unit);
    }

    /// <summary>Numbers the data point; false when it is skipped (no recorded value) or rejected (no time).</summary>
    private bool Begin(uint flags, ulong timeNanos, string name, IEnumerable<KeyValue> attributes, KeyValuePair<string, string>[] resourceTags,
        out int unit, out long micros, out Dictionary<string, string> tags)
    {
        unit = ++Units;
        micros = (long)(timeNanos / 1000);
        tags = [];
        if ((flags & NoRecordedValue) != 0)
        {
            return false;
        }

        if (timeNanos == 0)
        {
            into.AddError(unit, $"data point {unit} of \"{name}\" has no timeUnixNano");
            return false;
        }

        tags = OtlpNames.Tags(attributes, resourceTags);
        return true;
    }

    private void Add(string metric, Dictionary<string, string> tags, KeyValuePair<string, string>? extra, long micros, double value, int unit)
    {
        // A tag the series adds (le, quantile) wins over an attribute of the same name: Create keeps the last value.
        IEnumerable<KeyValuePair<string, string>> all = extra is { } tag ? tags.Append(tag) : tags;
        var series = SeriesDescriptor.Create(metric, all);
        if (!_series.TryGetValue(series, out var index))
        {
            index = into.AddSeries(series);
            _series.Add(series, index);
        }

        into.Add(index, micros, value, unit);
    }
}
