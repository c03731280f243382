using FunctionsObservability.Pipeline.Formats.Prometheus;
using Google.Protobuf;
using Snappier;
using static FunctionsObservability.Tests.Fuzz.FuzzValues;

namespace FunctionsObservability.Tests.Fuzz;

/// <summary>
/// Prometheus remote_write (<c>POST /api/v1/write</c>): valid WriteRequests with one field made awkward
/// (NaN, infinities, stale markers, timestamps at the edges, bad or huge or thousands of labels), then the
/// envelope damaged (snappy truncated, flipped, absent, around garbage, declaring a huge length) and the
/// headers changed. The <c>ingest-rw-ack</c> family sends untouched bodies whose acknowledged samples
/// are counted afterwards (see <see cref="FuzzCase.AckPoints"/>).
/// </summary>
internal sealed class RemoteWriteFuzzGenerator(Random random, long nowMillis)
{
    public const string Path = "/api/v1/write";
    public const string AckMetric = "fz_ack_rw";

    private static readonly string[] ContentTypes =
    [
        "application/json", "text/plain", "", "application/x-protobuf;proto=io.prometheus.write.v2.Request", "application/X-PROTOBUF",
        "application/x-protobuf; proto=prometheus.WriteRequest", "application/octet-stream", "application/x-protobuf;;",
    ];

    private static readonly string[] Encodings = ["gzip", "identity", "", "SNAPPY", "snappy, gzip", "zstd", "snappy;q=1"];

    private static readonly string[] LabelNames = ["", "0abc", "a-b", "a.b", "h\u00E9", "__name__", "__reserved__", "le", "a\u0000b", " "];

    public List<FuzzCase> Generate(int mutated, int acknowledged)
    {
        var cases = new List<FuzzCase>();
        for (var i = 0; i < mutated; i++)
        {
            cases.Add(Mutated());
        }

        for (var i = 0; i < acknowledged; i++)
        {
            var samples = 1 + random.Next(20);
            var write = new WriteRequest();
            write.Timeseries.Add(Series(AckMetric, [("fzcase", $"rw{i}"), ("host", $"h{i % 3}")], samples));
            cases.Add(Case("ingest-rw-ack", Snappy.CompressToArray(write.ToByteArray())) with { AckPoints = samples });
        }

        cases.AddRange(Special());
        return cases;
    }

    private FuzzCase Mutated()
    {
        var write = new WriteRequest();
        for (var s = random.Next(4); s >= 0; s--)
        {
            write.Timeseries.Add(Series("fz_rw_metric", [("host", $"h{random.Next(4)}")], 1 + random.Next(5)));
        }

        if (random.Next(100) < 60)
        {
            DamageField(random.Pick(write.Timeseries));
        }

        var proto = write.ToByteArray();
        var body = random.Next(100) switch
        {
            < 55 => Snappy.CompressToArray(proto),
            < 63 => Mutate(random, Snappy.CompressToArray(proto), 1 + random.Next(3)),
            < 70 => Snappy.CompressToArray(proto)[..random.Next(Snappy.CompressToArray(proto).Length)],
            < 77 => Snappy.CompressToArray(Mutate(random, proto, 1 + random.Next(4))),
            < 82 => Snappy.CompressToArray(RandomBytes(random, 1 + random.Next(300))),
            < 86 => RandomBytes(random, random.Next(300)),
            < 90 => proto,
            < 93 => Snappy.CompressToArray(proto[..random.Next(proto.Length)]),
            < 96 => Gzip(proto),
            _ => SnappyStream(proto),
        };
        var c = Case("ingest-remote-write", body);
        return random.Next(100) switch
        {
            < 75 => c,
            < 83 => c with { ContentType = random.Pick(ContentTypes) },
            < 91 => c with { ContentEncoding = random.Pick(Encodings) },
            < 94 => c with { ContentType = null, ContentEncoding = null },
            < 97 => c with { Headers = [new("X-Prometheus-Remote-Write-Version", random.Pick(["2.0.0", "", "x", "0.1.0, 2.0.0"]))] },
            _ => c with { Target = Path + random.Pick(["?ack=async", "?strict=true", "?ack=x", "?precision=s", "?%zz"]) },
        };
    }

    private void DamageField(TimeSeries series)
    {
        switch (random.Next(12))
        {
            case 0:
                series.Samples[0].Value = random.Pick([double.NaN, double.PositiveInfinity, double.NegativeInfinity, BitConverter.Int64BitsToDouble(0x7FF0000000000002), -0.0, double.Epsilon, double.MaxValue]);
                break;
            case 1:
                series.Samples[0].Timestamp = random.Pick([0L, -1L, long.MaxValue, long.MinValue, 253402300800000L, -62135596800001L, nowMillis + 86_400_000L * 3, nowMillis - 86_400_000L * 4000]);
                break;
            case 2:
                series.Labels.Add(new Label { Name = random.Pick(LabelNames), Value = "x" });
                break;
            case 3:
                series.Labels.Add(new Label { Name = "big", Value = new string('v', random.Pick([1100, 70_000, 200_000])) });
                break;
            case 4:
                series.Labels.AddRange(Enumerable.Range(0, random.Pick([33, 500, 5000])).Select(i => new Label { Name = $"l{i:D5}", Value = "v" }));
                break;
            case 5:
                series.Labels.Clear();
                break;
            case 6:
                series.Labels.Add(new Label { Name = "host", Value = "again" });
                break;
            case 7:
                series.Labels.Insert(0, new Label { Name = "zzz", Value = "unsorted" });
                break;
            case 8:
                series.Labels[random.Next(series.Labels.Count)].Value = random.Pick(["", "\u0000", "\uFFFD", new string('\u00E9', 2000)]);
                break;
            case 9:
                series.Samples.Clear();
                break;
            case 10:
                series.Samples.AddRange(Enumerable.Range(0, random.Pick([1000, 20_000])).Select(i => new Sample { Timestamp = nowMillis - 3_600_000 + i, Value = i }));
                break;
            default:
                series.Labels.Single(l => l.Name == "__name__").Value = random.Pick(["", "0bad", "fz rw", new string('m', 5000), "fz_\U0001F600"]);
                break;
        }
    }

    private IEnumerable<FuzzCase> Special()
    {
        // A block that declares a huge length, and varints that never end or overflow.
        yield return Case("ingest-rw-special", [0xFF, 0xFF, 0xFF, 0xFF, 0x0F, 0x00, 0x01]);
        yield return Case("ingest-rw-special", [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01, 0x00]);
        yield return Case("ingest-rw-special", [0x80, 0x80, 0x80]);
        yield return Case("ingest-rw-special", []);
        yield return Case("ingest-rw-special", [0x00]);
        yield return Case("ingest-rw-special", null);

        // A snappy bomb: a small block that expands past the decompressed cap; and over the wire cap.
        yield return Case("ingest-rw-special", Snappy.CompressToArray(new byte[IngestSpecialCases.MaxDecompressedBytes + 1024]));
        yield return Case("ingest-rw-special", RandomBytes(random, IngestSpecialCases.MaxBodyBytes + 10));

        // Length-delimited fields nested 200 deep (below the second level they read as label names), and one longer than the message.
        var nested = new List<byte>();
        for (var i = 0; i < 200; i++)
        {
            nested.InsertRange(0, [0x0A, .. VarInt(nested.Count)]);
        }

        yield return Case("ingest-rw-special", Snappy.CompressToArray([.. nested]));
        yield return Case("ingest-rw-special", Snappy.CompressToArray([0x0A, 0xFF, 0xFF, 0xFF, 0xFF, 0x07, 0x0A]));
    }

    private FuzzCase Case(string family, byte[]? body) => new(family, "POST", Path, body)
    {
        ContentType = "application/x-protobuf",
        ContentEncoding = "snappy",
        Headers = [new("X-Prometheus-Remote-Write-Version", "0.1.0")],
    };

    private TimeSeries Series(string name, (string Name, string Value)[] labels, int samples)
    {
        var series = new TimeSeries();
        series.Labels.Add(new Label { Name = "__name__", Value = name });
        series.Labels.AddRange(labels.Select(l => new Label { Name = l.Name, Value = l.Value }));
        var start = nowMillis - 3_600_000 - random.Next(3_600_000);
        series.Samples.AddRange(Enumerable.Range(0, samples).Select(i => new Sample { Timestamp = start + (i * 1000), Value = random.NextDouble() * 100 }));
        return series;
    }

    /// <summary>The snappy framing format (a stream), which remote_write does not use: the block format is expected.</summary>
    private static byte[] SnappyStream(byte[] data)
    {
        using var output = new MemoryStream();
        using (var stream = new SnappyStream(output, System.IO.Compression.CompressionMode.Compress, leaveOpen: true))
        {
            stream.Write(data);
        }

        return output.ToArray();
    }

    private static byte[] VarInt(int value)
    {
        var bytes = new List<byte>();
        for (var v = (uint)value; ; v >>= 7)
        {
            if (v < 0x80)
            {
                bytes.Add((byte)v);
                return [.. bytes];
            }

            bytes.Add((byte)(v | 0x80));
        }
    }
}
