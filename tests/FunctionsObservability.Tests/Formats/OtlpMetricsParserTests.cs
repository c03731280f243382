using System.Text;
using FunctionsObservability.Pipeline.Formats;
using FunctionsObservability.Pipeline.Formats.Otlp;
using FunctionsObservability.Pipeline.Model;
using Google.Protobuf;
using static FunctionsObservability.Tests.Formats.OtlpRequests;

namespace FunctionsObservability.Tests.Formats;

/// <summary>OTLP metrics bodies, protobuf and JSON, as OpenTelemetry exporters send them.</summary>
public sealed class OtlpMetricsParserTests
{
    private const ulong T0 = 1_767_225_600_000_000_000; // 2026-01-01T00:00:00Z, ns
    private const long T0Micros = 1_767_225_600_000_000;

    private static readonly ParseSettings Settings = new(TimestampPrecision.Nanoseconds, 0, 64 * 1024);

    private static readonly (string, string)[] Service = [("service.name", "checkout")];

    private static ParsedBatch Parse(ExportMetricsServiceRequest request) => Parse(request.ToByteArray(), json: false);

    private static ParsedBatch Parse(byte[] body, bool json)
    {
        var batch = new ParsedBatch();
        new OtlpMetricsParser(json).Parse(body, Settings, batch);
        return batch;
    }

    private static (string Metric, string Tags, double Value, int Line)[] Points(ParsedBatch batch) =>
        [.. Enumerable.Range(0, batch.Count).Select(i =>
        {
            var series = batch.Series[batch.SeriesIndexes[i]];
            return (series.Metric, string.Join(",", series.Tags.Select(t => $"{t.Key}={t.Value}")), batch.Values[i], batch.Lines[i]);
        })];

    [Fact]
    public void Gauge_KeepsItsSanitisedName_AttributesAreTags_AndTheResourceGivesJobAndInstance()
    {
        var request = Request(
            [("service.name", "checkout"), ("service.namespace", "shop"), ("service.instance.id", "pod-1"), ("host.name", "h1")],
            Gauge("queue.depth", Number(T0, 4, ("queue.name", "orders"), ("1st", "a"), ("empty", ""))),
            Gauge("9lives", Number(T0 + 1_000, 1)));

        using var batch = Parse(request);

        Assert.Empty(batch.Errors);
        Assert.Equal(2, batch.LineCount);
        Assert.Equal(
            [("queue_depth", "instance=pod-1,job=shop/checkout,key_1st=a,queue_name=orders", 4.0, 1), ("_9lives", "instance=pod-1,job=shop/checkout", 1.0, 2)],
            Points(batch));
        Assert.Equal([T0Micros, T0Micros + 1], batch.Timestamps.ToArray());
    }

    [Fact]
    public void Sums_MonotonicCumulativeIsACounterNamedTotal_NeverTwice_AndNonMonotonicIsAGauge()
    {
        var asInt = new NumberDataPoint { TimeUnixNano = T0, AsInt = 42 };
        var request = Request(Service,
            Sum("http.requests", monotonic: true, AggregationTemporality.Cumulative, asInt),
            Sum("jobs_total", monotonic: true, AggregationTemporality.Cumulative, Number(T0, 3)),
            Sum("queue.items", monotonic: false, AggregationTemporality.Cumulative, Number(T0, -2)));

        using var batch = Parse(request);

        Assert.Empty(batch.Errors);
        Assert.Equal(["http_requests_total", "jobs_total", "queue_items"], Points(batch).Select(p => p.Metric));
        Assert.Equal([42.0, 3, -2], batch.Values.ToArray());
    }

    [Fact]
    public void Histogram_IsCumulativeBucketsUpToInf_SumAndCount_AllOneDataPoint()
    {
        using var batch = Parse(Request(Service, Histogram("http.duration", T0, [0.1, 1], [2, 3, 1], 4.5)));

        Assert.Empty(batch.Errors);
        Assert.Equal(1, batch.LineCount);
        Assert.Equal(
        [
            ("http_duration_bucket", "job=checkout,le=0.1", 2.0, 1),
            ("http_duration_bucket", "job=checkout,le=1", 5.0, 1),
            ("http_duration_bucket", "job=checkout,le=+Inf", 6.0, 1),
            ("http_duration_sum", "job=checkout", 4.5, 1),
            ("http_duration_count", "job=checkout", 6.0, 1),
        ], Points(batch));
    }

    [Fact]
    public void Histogram_WithoutSum_HasNoSumSeries_AndMismatchedBucketsAreRejected()
    {
        using var batch = Parse(Request(Service,
            Histogram("a", T0, [1], [1, 1], sum: null),
            Histogram("b", T0, [1, 2], [1, 1], sum: 1)));

        Assert.Equal(["a_bucket", "a_bucket", "a_count"], Points(batch).Select(p => p.Metric));
        var error = Assert.Single(batch.Errors);
        Assert.Equal(2, error.Line);
        Assert.Contains("2 bucket counts for 2 explicit bounds", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Summary_IsQuantilesSumAndCount()
    {
        var point = new SummaryDataPoint { TimeUnixNano = T0, Count = 10, Sum = 2.5 };
        point.QuantileValues.Add(new SummaryDataPoint.Types.ValueAtQuantile { Quantile = 0.5, Value = 0.2 });
        point.QuantileValues.Add(new SummaryDataPoint.Types.ValueAtQuantile { Quantile = 0.99, Value = 0.9 });
        var summary = new Summary();
        summary.DataPoints.Add(point);

        using var batch = Parse(Request(Service, new Metric { Name = "rpc.latency", Summary = summary }));

        Assert.Equal(
        [
            ("rpc_latency", "job=checkout,quantile=0.5", 0.2, 1),
            ("rpc_latency", "job=checkout,quantile=0.99", 0.9, 1),
            ("rpc_latency_sum", "job=checkout", 2.5, 1),
            ("rpc_latency_count", "job=checkout", 10.0, 1),
        ], Points(batch));
    }

    [Fact]
    public void DeltaAndUnspecifiedTemporality_AndExponentialHistograms_AreRejectedPerDataPoint_TheRestKept()
    {
        var exponential = new ExponentialHistogram { AggregationTemporality = AggregationTemporality.Cumulative };
        exponential.DataPoints.Add(new ExponentialHistogramDataPoint { TimeUnixNano = T0, Count = 1 });
        exponential.DataPoints.Add(new ExponentialHistogramDataPoint { TimeUnixNano = T0, Count = 2 });
        var request = Request(Service,
            Sum("delta", monotonic: true, AggregationTemporality.Delta, Number(T0, 1)),
            Sum("unspecified", monotonic: false, AggregationTemporality.Unspecified, Number(T0, 1)),
            Histogram("delta.histogram", T0, [1], [1, 0], 1, AggregationTemporality.Delta),
            new Metric { Name = "exp", ExponentialHistogram = exponential },
            Gauge("good", Number(T0, 7)));

        using var batch = Parse(request);

        Assert.Equal(6, batch.LineCount);
        Assert.Equal(5, batch.ErrorCount);
        Assert.Equal([1, 2, 3, 4, 5], batch.Errors.Select(e => e.Line));
        Assert.Contains("sum \"delta\" has delta temporality; only cumulative", batch.Errors[0].Message, StringComparison.Ordinal);
        Assert.Contains("unspecified temporality", batch.Errors[1].Message, StringComparison.Ordinal);
        Assert.Contains("histogram \"delta_histogram\" has delta temporality", batch.Errors[2].Message, StringComparison.Ordinal);
        Assert.Contains("exponential histogram \"exp\" is not stored", batch.Errors[3].Message, StringComparison.Ordinal);
        Assert.Equal([("good", "job=checkout", 7.0, 6)], Points(batch));
    }

    [Fact]
    public void NoRecordedValue_IsSkippedWithoutError_AndAPointWithoutTimeOrValueIsRejected()
    {
        var stale = Number(T0, 1);
        stale.Flags = 1;
        var request = Request(Service, Gauge("g", stale, Number(0, 2), new NumberDataPoint { TimeUnixNano = T0 }, Number(T0, 3)));

        using var batch = Parse(request);

        Assert.Equal(4, batch.LineCount);
        Assert.Equal([("g", "job=checkout", 3.0, 4)], Points(batch));
        Assert.Equal([2, 3], batch.Errors.Select(e => e.Line));
        Assert.Contains("has no timeUnixNano", batch.Errors[0].Message, StringComparison.Ordinal);
        Assert.Contains("has no value", batch.Errors[1].Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Attributes_OfEveryKind_BecomeText_AndKeysThatCollideKeepBothValues()
    {
        var point = Number(T0, 1, ("a.b", "x"), ("a_b", "y"));
        point.Attributes.Add(new KeyValue { Key = "ok", Value = new AnyValue { BoolValue = true } });
        point.Attributes.Add(new KeyValue { Key = "n", Value = new AnyValue { IntValue = -5 } });
        var array = new ArrayValue();
        array.Values.Add(new AnyValue { StringValue = "s" });
        array.Values.Add(new AnyValue { DoubleValue = 1.5 });
        point.Attributes.Add(new KeyValue { Key = "list", Value = new AnyValue { ArrayValue = array } });

        using var batch = Parse(Request([], Gauge("g", point)));

        Assert.Equal("a_b=x;y,list=[\"s\",1.5],n=-5,ok=true", Assert.Single(Points(batch)).Tags);
    }

    [Fact]
    public void Json_WithLowerCamelCaseNumbersAsStringsEnumsAsIntsAndUnknownFields_ReadsLikeProtobuf()
    {
        const string json = """
            {"resourceMetrics":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"checkout"}}],"droppedAttributesCount":0},
              "scopeMetrics":[{"scope":{"name":"s","version":"1"},"metrics":[
                {"name":"requests","unit":"1","sum":{"aggregationTemporality":2,"isMonotonic":true,"dataPoints":[
                  {"startTimeUnixNano":"1767225590000000000","timeUnixNano":"1767225600000000000","asInt":"12",
                   "attributes":[{"key":"route","value":{"stringValue":"/a"}}],
                   "exemplars":[{"timeUnixNano":"1767225600000000000","asDouble":1,"spanId":"aabbccddeeff0011","traceId":"00112233445566778899aabbccddeeff"}]}]}},
                {"name":"temp","gauge":{"dataPoints":[{"time_unix_nano":1767225600000000000,"as_double":21.5}]}},
                {"name":"lat","histogram":{"aggregationTemporality":2,"dataPoints":[{"timeUnixNano":"1767225600000000000","count":"3","sum":1.5,"bucketCounts":["1","2"],"explicitBounds":[0.5],"min":0.1,"max":1}]}}
              ],"schemaUrl":"x"}],"futureField":{"a":[1,2]}}]}
            """;

        using var batch = Parse(Encoding.UTF8.GetBytes(json), json: true);

        Assert.Empty(batch.Errors);
        Assert.Equal(
        [
            ("requests_total", "job=checkout,route=/a", 12.0, 1),
            ("temp", "job=checkout", 21.5, 2),
            ("lat_bucket", "job=checkout,le=0.5", 1.0, 3),
            ("lat_bucket", "job=checkout,le=+Inf", 3.0, 3),
            ("lat_sum", "job=checkout", 1.5, 3),
            ("lat_count", "job=checkout", 3.0, 3),
        ], Points(batch));
        Assert.All(batch.Timestamps.ToArray(), t => Assert.Equal(T0Micros, t));
    }

    [Theory]
    [InlineData(false, new byte[] { 0x0a, 0x05, 0x01 }, "not a protobuf ExportMetricsServiceRequest")]
    [InlineData(true, new byte[] { (byte)'{', (byte)'"', (byte)'r' }, "not an OTLP JSON ExportMetricsServiceRequest")]
    [InlineData(true, new byte[] { (byte)'[', (byte)']' }, "not an OTLP JSON ExportMetricsServiceRequest")]
    public void AMalformedBody_IsOneErrorNamingTheFormat_AndNoUnitIsReceived(bool json, byte[] body, string expected)
    {
        using var batch = Parse(body, json);

        Assert.Equal(0, batch.Count);
        Assert.Equal(0, batch.LineCount);
        var error = Assert.Single(batch.Errors);
        Assert.Equal(0, error.Line);
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Json_ALoneSurrogateEscape_RejectsTheBody_SoNoStringIsEverBrokenText()
    {
        using var batch = Parse("""
            {"resourceMetrics":[{"scopeMetrics":[{"metrics":[{"name":"g","gauge":{"dataPoints":[
              {"timeUnixNano":"1767225600000000000","asDouble":1,"attributes":[{"key":"k","value":{"stringValue":"\ud800"}}]}]}}]}]}]}
            """u8.ToArray(), json: true);

        Assert.Equal(0, batch.Count);
        Assert.Contains("not an OTLP JSON ExportMetricsServiceRequest: Invalid use of surrogate pair", Assert.Single(batch.Errors).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Json_AValueOfTheWrongKind_NamesTheField()
    {
        using var batch = Parse("""{"resourceMetrics":[{"scopeMetrics":[{"metrics":[{"name":"g","gauge":{"dataPoints":[{"timeUnixNano":"soon"}]}}]}]}]}"""u8.ToArray(), json: true);

        var error = Assert.Single(batch.Errors);
        Assert.Contains("not an OTLP JSON", error.Message, StringComparison.Ordinal);
        Assert.Contains("soon", error.Message, StringComparison.Ordinal);
    }
}
