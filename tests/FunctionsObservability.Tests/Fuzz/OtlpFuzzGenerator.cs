using FunctionsObservability.Pipeline.Formats.Otlp;
using Google.Protobuf;
using static FunctionsObservability.Tests.Formats.OtlpRequests;
using static FunctionsObservability.Tests.Fuzz.FuzzValues;

namespace FunctionsObservability.Tests.Fuzz;

/// <summary>
/// OTLP/HTTP metrics (<c>POST /v1/metrics</c> and <c>/api/v1/metrics</c>), protobuf and JSON: valid export
/// requests with one part made awkward (NaN and infinite values, times at the edges, thousands of
/// attributes, huge or nested attribute values, histograms whose counts and bounds disagree, empty
/// names), then bytes damaged, bodies cut, gzip right and wrong, gzip bombs and odd content types.
/// The <c>ingest-otlp-ack</c> family sends untouched gauges whose acknowledged points are counted afterwards.
/// </summary>
internal sealed class OtlpFuzzGenerator(Random random, long nowMillis)
{
    public const string AckMetric = "fz_ack_otlp";

    private static readonly string[] Paths = ["/v1/metrics", "/api/v1/metrics"];

    private static readonly string[] ContentTypes =
    [
        "application/x-protobuf; charset=utf-8", "APPLICATION/JSON", "application/json; charset=latin1", "application/protobuf", "text/plain",
        "", "application/grpc", "application/x-ndjson", "*/*", "application/x-protobuf, application/json",
    ];

    private ulong Nanos(long offsetMillis = 0) => (ulong)(nowMillis - 3_600_000 - random.Next(3_600_000) + offsetMillis) * 1_000_000;

    public List<FuzzCase> Generate(int mutated, int acknowledged)
    {
        var cases = new List<FuzzCase>();
        for (var i = 0; i < mutated; i++)
        {
            cases.Add(Mutated());
        }

        for (var i = 0; i < acknowledged; i++)
        {
            var points = Enumerable.Range(0, 1 + random.Next(10)).Select(p => Number(Nanos() / 1_000_000_000 * 1_000_000_000 + (ulong)p, p, ("fzcase", $"otlp{i}"))).ToArray();
            var request = Request([("service.name", "fz-ack")], Gauge(AckMetric, points));
            var json = random.Next(3) == 0;
            var body = json ? Utf8(JsonFormatter.Default.Format(request)) : request.ToByteArray();
            var gzip = random.Next(3) == 0;
            cases.Add(new FuzzCase("ingest-otlp-ack", "POST", random.Pick(Paths), gzip ? Gzip(body) : body)
            {
                ContentType = json ? "application/json" : "application/x-protobuf",
                ContentEncoding = gzip ? "gzip" : null,
                AckPoints = points.Length,
            });
        }

        cases.AddRange(Special());
        return cases;
    }

    private FuzzCase Mutated()
    {
        var request = Request([("service.name", "fz-otlp"), ("service.instance.id", $"i{random.Next(3)}")], Metric());
        if (random.Next(100) < 60)
        {
            DamageField(request);
        }

        var json = random.Next(3) == 0;
        var body = json ? Utf8(JsonFormatter.Default.Format(request)) : request.ToByteArray();
        body = random.Next(100) switch
        {
            < 65 => body,
            < 80 => Mutate(random, body, 1 + random.Next(4)),
            < 88 => body[..random.Next(body.Length)],
            < 93 => RandomBytes(random, random.Next(400)),
            _ => json ? request.ToByteArray() : Utf8(JsonFormatter.Default.Format(request)),
        };
        var (encoding, wire) = random.Next(100) switch
        {
            < 75 => ((string?)null, body),
            < 87 => ("gzip", Gzip(body)),
            < 90 => ("gzip", body),
            < 93 => ("gzip", Gzip(body)[..random.Next(1, Gzip(body).Length)]),
            < 95 => ("deflate", body),
            < 97 => (null, Gzip(body)),
            _ => ("gzip, gzip", Gzip(Gzip(body))),
        };
        return new FuzzCase("ingest-otlp", "POST", random.Pick(Paths) + (random.Next(15) == 0 ? random.Pick(["?ack=async", "?strict=true", "?ack=x"]) : ""), wire)
        {
            ContentType = random.Next(10) == 0 ? random.Pick(ContentTypes) : json ? "application/json" : "application/x-protobuf",
            ContentEncoding = encoding,
        };
    }

    private Metric Metric() => random.Next(4) switch
    {
        0 => Sum("fz_otlp_sum", true, AggregationTemporality.Cumulative, Number(Nanos(), random.Next(1000), ("host", "h1"))),
        1 => Histogram("fz_otlp_hist", Nanos(), [0.1, 1, 10], [1, 2, 3, 4], 12.5),
        _ => Gauge("fz_otlp_gauge", Enumerable.Range(0, 1 + random.Next(4)).Select(i => Number(Nanos(), random.NextDouble(), ("host", $"h{i}"))).ToArray()),
    };

    private void DamageField(ExportMetricsServiceRequest request)
    {
        var metric = request.ResourceMetrics[0].ScopeMetrics[0].Metrics[0];
        var point = metric.Gauge?.DataPoints.FirstOrDefault() ?? metric.Sum?.DataPoints.FirstOrDefault();
        var histogram = metric.Histogram?.DataPoints.FirstOrDefault();
        var attributes = point?.Attributes ?? histogram!.Attributes;
        switch (random.Next(12))
        {
            case 0 when point is not null:
                point.AsDouble = random.Pick([double.NaN, double.PositiveInfinity, double.NegativeInfinity, BitConverter.Int64BitsToDouble(0x7FF0000000000002), double.MaxValue]);
                break;
            case 1:
                var time = random.Pick([0UL, 1UL, ulong.MaxValue, (ulong)long.MaxValue, (ulong)long.MaxValue + 1, Nanos(86_400_000L * 3), Nanos(-86_400_000L * 4000)]);
                if (point is not null)
                {
                    point.TimeUnixNano = time;
                }
                else
                {
                    histogram!.TimeUnixNano = time;
                }

                break;
            case 2:
                attributes.AddRange(Enumerable.Range(0, random.Pick([33, 500, 5000])).Select(i => Attribute($"a{i:D5}", "v")));
                break;
            case 3:
                attributes.Add(Attribute(random.Pick(["", "0a", "a.b", "a-b", "h\u00E9", "__name__", "job", new string('k', 5000)]), new string('v', random.Pick([1, 1100, 70_000]))));
                break;
            case 4:
                attributes.Add(new KeyValue { Key = "nested", Value = Nested(random.Pick([3, 60, 99])) });
                break;
            case 5:
                attributes.Add(new KeyValue { Key = random.Pick(["i", "b", "d", "bytes", "none"]), Value = random.Next(5) switch
                {
                    0 => new AnyValue { IntValue = long.MinValue },
                    1 => new AnyValue { BoolValue = true },
                    2 => new AnyValue { DoubleValue = double.NaN },
                    3 => new AnyValue { BytesValue = ByteString.CopyFrom(RandomBytes(random, 64)) },
                    _ => new AnyValue(),
                }
                });
                break;
            case 6 when histogram is not null:
                histogram.BucketCounts.Add(random.Pick([0UL, ulong.MaxValue]));
                break;
            case 7 when histogram is not null:
                histogram.ExplicitBounds.Clear();
                histogram.ExplicitBounds.AddRange([10, 1, double.NaN, double.PositiveInfinity]);
                break;
            case 8:
                metric.Name = random.Pick(["", "0bad", "fz otlp", new string('m', 5000), "fz.\U0001F600", "fz_otlp_total"]);
                break;
            case 9:
                metric.ClearData();
                break;
            case 10:
                request.ResourceMetrics[0].ScopeMetrics[0].Metrics.Add(new Metric { Name = "fz_otlp_summary", Summary = new Summary() });
                break;
            default:
                request.ResourceMetrics.Add(new ResourceMetrics());
                break;
        }
    }

    private static AnyValue Nested(int depth)
    {
        var value = new AnyValue { StringValue = "leaf" };
        for (var i = 0; i < depth; i++)
        {
            var list = new KeyValueList();
            list.Values.Add(new KeyValue { Key = "k", Value = value });
            value = new AnyValue { KvlistValue = list };
        }

        return value;
    }

    private IEnumerable<FuzzCase> Special()
    {
        // Gzip bombs: a few KiB that expand past the decompressed cap, as protobuf and as JSON.
        var bomb = Gzip(new byte[IngestSpecialCases.MaxDecompressedBytes * 2]);
        foreach (var (path, type) in new[] { (Paths[0], "application/x-protobuf"), (Paths[1], "application/json") })
        {
            yield return new FuzzCase("ingest-otlp-special", "POST", path, bomb) { ContentType = type, ContentEncoding = "gzip" };
            yield return new FuzzCase("ingest-otlp-special", "POST", path, []) { ContentType = type };
            yield return new FuzzCase("ingest-otlp-special", "POST", path) { ContentType = type };
            yield return new FuzzCase("ingest-otlp-special", "POST", path, RandomBytes(random, IngestSpecialCases.MaxBodyBytes + 10)) { ContentType = type };
        }

        // A resource attribute nested far past protobuf's recursion limit (written by hand: the library would recurse
        // as deep to write it), and JSON nested past any reader's depth.
        var any = Field(1, Utf8("leaf"));
        for (var i = 0; i < 1000; i++)
        {
            any = Field(6, Field(1, [.. Field(1, Utf8("k")), .. Field(2, any)]));
        }

        var deep = Field(1, Field(1, Field(1, [.. Field(1, Utf8("deep")), .. Field(2, any)])));
        yield return new FuzzCase("ingest-otlp-special", "POST", Paths[0], deep) { ContentType = "application/x-protobuf" };
        yield return new FuzzCase("ingest-otlp-special", "POST", Paths[0], Utf8(Deep(100_000))) { ContentType = "application/json" };
        yield return new FuzzCase("ingest-otlp-special", "POST", Paths[0], Utf8("{\"resourceMetrics\":" + Deep(100_000) + "}")) { ContentType = "application/json" };
        yield return new FuzzCase("ingest-otlp-special", "GET", Paths[0]);
    }

    /// <summary>A length-delimited protobuf field: the tag, the length as a varint, the bytes.</summary>
    private static byte[] Field(int number, byte[] content)
    {
        var bytes = new List<byte> { (byte)((number << 3) | 2) };
        for (var v = (uint)content.Length; ; v >>= 7)
        {
            if (v < 0x80)
            {
                bytes.Add((byte)v);
                break;
            }

            bytes.Add((byte)(v | 0x80));
        }

        bytes.AddRange(content);
        return [.. bytes];
    }
}
