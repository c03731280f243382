using FunctionsObservability.Pipeline.Formats.Otlp;

namespace FunctionsObservability.Tests.Formats;

/// <summary>OTLP metrics requests built as an SDK builds them, for the parser and HTTP tests.</summary>
internal static class OtlpRequests
{
    public static ExportMetricsServiceRequest Request(IEnumerable<(string Key, string Value)> resource, params Metric[] metrics)
    {
        var resourceMetrics = new ResourceMetrics { Resource = new Resource() };
        resourceMetrics.Resource.Attributes.AddRange(resource.Select(a => Attribute(a.Key, a.Value)));
        var scope = new ScopeMetrics { Scope = new InstrumentationScope { Name = "tests", Version = "1.0" } };
        scope.Metrics.AddRange(metrics);
        resourceMetrics.ScopeMetrics.Add(scope);
        var request = new ExportMetricsServiceRequest();
        request.ResourceMetrics.Add(resourceMetrics);
        return request;
    }

    public static KeyValue Attribute(string key, string value) => new() { Key = key, Value = new AnyValue { StringValue = value } };

    public static NumberDataPoint Number(ulong timeNanos, double value, params (string Key, string Value)[] attributes)
    {
        var point = new NumberDataPoint { TimeUnixNano = timeNanos, StartTimeUnixNano = timeNanos - 1_000_000_000, AsDouble = value };
        point.Attributes.AddRange(attributes.Select(a => Attribute(a.Key, a.Value)));
        return point;
    }

    public static Metric Gauge(string name, params NumberDataPoint[] points)
    {
        var gauge = new Gauge();
        gauge.DataPoints.AddRange(points);
        return new Metric { Name = name, Gauge = gauge };
    }

    public static Metric Sum(string name, bool monotonic, AggregationTemporality temporality, params NumberDataPoint[] points)
    {
        var sum = new Sum { IsMonotonic = monotonic, AggregationTemporality = temporality };
        sum.DataPoints.AddRange(points);
        return new Metric { Name = name, Sum = sum };
    }

    public static Metric Histogram(string name, ulong timeNanos, double[] bounds, ulong[] counts, double? sum, AggregationTemporality temporality = AggregationTemporality.Cumulative)
    {
        var point = new HistogramDataPoint { TimeUnixNano = timeNanos, Count = (ulong)counts.Sum(c => (long)c) };
        if (sum is { } total)
        {
            point.Sum = total;
        }

        point.ExplicitBounds.AddRange(bounds);
        point.BucketCounts.AddRange(counts);
        var histogram = new Histogram { AggregationTemporality = temporality };
        histogram.DataPoints.Add(point);
        return new Metric { Name = name, Histogram = histogram };
    }
}
