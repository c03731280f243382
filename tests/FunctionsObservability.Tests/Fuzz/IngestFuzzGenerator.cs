using System.Globalization;
using System.Text;
using static FunctionsObservability.Tests.Fuzz.FuzzValues;
using static FunctionsObservability.Tests.Fuzz.IngestValues;

namespace FunctionsObservability.Tests.Fuzz;

/// <summary>
/// Mutated ingest requests: valid samples of each format with one field swapped for an awkward value,
/// then byte-level damage, odd Content-Type and Content-Encoding, gzip right and wrong, garbage
/// <c>precision</c>/<c>strict</c>/<c>ack</c>, and odd <c>Idempotency-Key</c> headers.
/// </summary>
internal sealed class IngestFuzzGenerator(Random random, long nowMillis)
{
    private enum Kind
    {
        LineProtocol,
        Json,
        NdJson,
        Influx,
    }

    private static readonly string[] Precisions = ["ns", "us", "ms", "s"];

    public List<FuzzCase> Generate(int lineProtocol, int json, int ndJson, int influx)
    {
        var cases = new List<FuzzCase>();
        foreach (var (kind, count) in new[] { (Kind.LineProtocol, lineProtocol), (Kind.Json, json), (Kind.NdJson, ndJson), (Kind.Influx, influx) })
        {
            for (var i = 0; i < count; i++)
            {
                cases.Add(Mutated(kind));
            }
        }

        return cases;
    }

    private FuzzCase Mutated(Kind kind)
    {
        var precision = kind is Kind.LineProtocol or Kind.Influx ? (random.Next(3) == 0 ? random.Pick(Precisions) : "ns") : null;
        var body = Utf8(kind switch
        {
            Kind.Json => JsonBody(),
            Kind.NdJson => NdJsonBody(),
            _ => LineProtocolBody(precision!),
        });
        if (random.Next(100) < 40)
        {
            body = Mutate(random, body, 1 + random.Next(3));
        }

        var contentType = ContentType(kind);
        var (encoding, wire) = Encode(body);
        var headers = Headers();
        var raw = random.Next(10) == 0 || headers.Any(h => h.Value.Any(c => char.IsControl(c) || c > '\u007E'));
        var family = kind switch
        {
            Kind.Json => "ingest-json",
            Kind.NdJson => "ingest-ndjson",
            Kind.Influx => "ingest-v2-write",
            _ => "ingest-lp",
        };
        var path = kind == Kind.Influx ? "/api/v2/write" : "/api/ingest";
        return new FuzzCase(family, "POST", path + Query(precision), wire)
        {
            ContentType = contentType,
            ContentEncoding = encoding,
            Headers = headers,
            Raw = raw,
        };
    }

    private string LineProtocolBody(string precision)
    {
        var newline = random.Next(10) switch { 0 => "\r\n", 1 => "\r", 2 => "\n\n", _ => "\n" };
        var text = new StringBuilder(random.Next(10) == 0 ? "# comment\n" : "");
        var lines = 1 + random.Next(5);
        for (var i = 0; i < lines; i++)
        {
            text.Append(LineProtocolLine(precision)).Append(i < lines - 1 || random.Next(2) == 0 ? newline : "");
        }

        return text.ToString();
    }

    private string LineProtocolLine(string precision)
    {
        var measurement = "fz_lp";
        var tags = $"host=h{random.Next(4)},dc=eu";
        var fields = string.Create(CultureInfo.InvariantCulture, $"cpu={random.NextDouble() * 100:F2},mem={random.Next(1000)}i");
        var timestamp = Timestamp(precision, 0);
        switch (random.Next(100) < 55 ? random.Next(8) : -1)
        {
            case 0: measurement = random.Pick(Measurements); break;
            case 1: tags = random.Pick(Tags); break;
            case 2: fields = "cpu=" + random.Pick(Numbers) + random.Pick(["", "", "i", "u"]); break;
            case 3: fields = random.Pick(Fields); break;
            case 4: timestamp = random.Pick(LpTimestamps); break;
            case 5: timestamp = ""; break;
            case 6: timestamp = Timestamp(precision, random.Pick([-3651L * 86_400_000, -3649L * 86_400_000, 1441 * 60_000, 1439 * 60_000])); break;
            case 7: timestamp = Timestamp(random.Pick(Precisions), 0); break;
        }

        return measurement + (tags.Length > 0 ? "," + tags : "") + " " + fields + (timestamp.Length > 0 ? " " + timestamp : "");
    }

    private string Timestamp(string precision, long offsetMillis)
    {
        var millis = nowMillis - 3_600_000 - random.Next(3_600_000) + offsetMillis;
        var value = precision switch { "s" => millis / 1000, "ms" => millis, "us" => millis * 1000, _ => millis * 1_000_000 };
        return value.ToString(CultureInfo.InvariantCulture);
    }

    private string JsonPoint()
    {
        var metric = "\"fz_json\"";
        var tags = $"{{\"host\":\"h{random.Next(4)}\"}}";
        var timestamp = (nowMillis - 3_600_000 - random.Next(3_600_000)).ToString(CultureInfo.InvariantCulture);
        var value = (random.NextDouble() * 100).ToString("R", CultureInfo.InvariantCulture);
        var extra = "";
        switch (random.Next(100) < 65 ? random.Next(6) : -1)
        {
            case 0: metric = random.Pick(JsonMetrics); break;
            case 1: tags = random.Pick(JsonTags); break;
            case 2: timestamp = random.Pick(JsonTimestamps); break;
            case 3: value = random.Pick(JsonValues); break;
            case 4: extra = random.Pick(JsonExtras); break;
            case 5: return random.Next(2) == 0 ? $"{{\"metric\":{metric},\"value\":{value}}}" : $"{{\"value\":{value},\"timestamp\":{timestamp}}}";
        }

        return $"{{\"metric\":{metric},\"tags\":{tags},\"timestamp\":{timestamp},\"value\":{value}{extra}}}";
    }

    private string JsonBody()
    {
        var points = string.Join(",", Enumerable.Range(0, 1 + random.Next(5)).Select(_ => JsonPoint()));
        return random.Next(100) switch
        {
            < 70 => $"[{points}]",
            < 84 => $"{{\"points\":[{points}]}}",
            < 88 => JsonPoint(),
            < 90 => $"\uFEFF[{points}]",
            < 92 => $"[{points},]",
            < 94 => $"[{points}] garbage",
            < 96 => $"/*c*/[{points}]",
            _ => random.Pick(JsonDocuments),
        };
    }

    private string NdJsonBody()
    {
        var newline = random.Next(10) switch { 0 => "\r\n", 1 => "\r", 2 => "\n\n", _ => "\n" };
        var lines = Enumerable.Range(0, 1 + random.Next(6))
            .Select(_ => random.Next(10) == 0 ? random.Pick(NdJsonOddLines) : random.Next(20) == 0 ? JsonPoint() + JsonPoint() : JsonPoint());
        return string.Join(newline, lines) + (random.Next(2) == 0 ? newline : "");
    }

    private string? ContentType(Kind kind) => random.Next(100) >= 80 ? random.Pick(OddContentTypes) : kind switch
    {
        Kind.Json => random.Pick(["application/json", "application/json; charset=utf-8"]),
        Kind.NdJson => random.Pick(["application/x-ndjson", "application/ndjson", "application/jsonl"]),
        Kind.Influx => random.Pick([null, "text/plain", "application/json"]),
        _ => random.Pick([null, "text/plain", "text/plain; charset=utf-8"]),
    };

    private (string? Encoding, byte[] Body) Encode(byte[] body)
    {
        var roll = random.Next(100);
        if (roll < 88)
        {
            return roll < 72 ? (null, body) : ("gzip", Gzip(body));
        }

        var gzip = Gzip(body);
        return random.Next(15) switch
        {
            0 => ("gzip", body),
            1 => ("gzip", gzip[..random.Next(1, gzip.Length)]),
            2 => ("gzip", Gzip(RandomBytes(random, 200))),
            3 => ("gzip", RandomBytes(random, 1 + random.Next(100))),
            4 => ("identity", body),
            5 => ("IDENTITY", body),
            6 => ("deflate", body),
            7 => ("br", body),
            8 => ("GZIP", gzip),
            9 => ("x-gzip", gzip),
            10 => ("gzip, gzip", Gzip(gzip)),
            11 => ("gzip, identity", gzip),
            12 => ("gzip", Mutate(random, gzip, 1 + random.Next(3))),
            13 => ("*", body),
            _ => (null, gzip),
        };
    }

    private string Query(string? precision)
    {
        var parts = new List<string>();
        if ((precision is not null && precision != "ns") || random.Next(4) == 0)
        {
            parts.Add("precision=" + (precision ?? "ns"));
        }

        parts.AddRange(random.Next(8) switch
        {
            0 => ["strict=true"],
            1 => ["strict=false"],
            2 => ["ack=async"],
            3 => ["ack=sync"],
            4 => ["strict=true", "ack=async"],
            _ => [],
        });
        if (random.Next(5) == 0)
        {
            parts.Add(random.Pick(IngestQueryNoise));
        }

        return parts.Count == 0 ? "" : "?" + string.Join('&', parts);
    }

    private List<KeyValuePair<string, string>> Headers() => random.Next(100) switch
    {
        < 80 => [],
        < 87 => [new("Idempotency-Key", $"fz-key-{random.Next(40)}")],
        < 89 => [new("Idempotency-Key", new string('k', 10_000))],
        < 91 => [new("Idempotency-Key", new string('k', 201))],
        < 95 => [new("Idempotency-Key", "ab" + random.Pick(["\u0001", "\u001F", "\u007F", "\t", "\u0000", "\u001B"]) + "cd")],
        < 97 => [new("Idempotency-Key", "k\u00E9\u20AC")],
        < 98 => [new("Idempotency-Key", "")],
        _ => [new("Idempotency-Key", "a"), new("Idempotency-Key", "b")],
    };
}
