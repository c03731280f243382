using System.Globalization;
using System.Text;
using static FunctionsObservability.Tests.Fuzz.FuzzValues;

namespace FunctionsObservability.Tests.Fuzz;

/// <summary>
/// Fixed ingest cases the mutator would rarely hit: empty and blank bodies, bodies over the wire and
/// expanded limits (the test sets <see cref="MaxBodyBytes"/> and <see cref="MaxDecompressedBytes"/>),
/// a gzip bomb, lines over the line limit, deep nesting, and thousands of tags.
/// </summary>
internal static class IngestSpecialCases
{
    public const int MaxBodyBytes = 1024 * 1024;

    public const int MaxDecompressedBytes = 4 * 1024 * 1024;

    private static readonly (string Path, string? ContentType)[] Endpoints =
    [
        ("/api/ingest", "text/plain"), ("/api/ingest", null), ("/api/ingest", "application/json"),
        ("/api/ingest", "application/x-ndjson"), ("/api/v2/write", null),
    ];

    public static List<FuzzCase> Generate(long nowMillis)
    {
        var cases = new List<FuzzCase>();
        byte[][] blanks = [[], Utf8("   "), Utf8("\r\r\r"), [0], Utf8("\n\n\n"), Utf8("\uFEFF"), Utf8("\t \r\n \t"), [0xEF, 0xBB], Gzip([])];
        foreach (var (path, contentType) in Endpoints)
        {
            foreach (var blank in blanks)
            {
                cases.Add(new FuzzCase("ingest-special", "POST", path, blank) { ContentType = contentType });
            }

            cases.Add(new FuzzCase("ingest-special", "POST", path, Gzip([])) { ContentType = contentType, ContentEncoding = "gzip" });
            cases.Add(new FuzzCase("ingest-special", "POST", path) { ContentType = contentType });
        }

        var nanos = (nowMillis - 3_600_000) * 1_000_000;
        var lp = new StringBuilder();
        for (var i = 0; lp.Length <= MaxBodyBytes + (MaxBodyBytes / 2); i++)
        {
            lp.Append(CultureInfo.InvariantCulture, $"fz_big,host=h{i % 7} v={i} {nanos + i}\n");
        }

        var big = Utf8(lp.ToString());
        cases.Add(new FuzzCase("ingest-special", "POST", "/api/ingest", big) { ContentType = "text/plain" });
        cases.Add(new FuzzCase("ingest-special", "POST", "/api/v2/write", big));
        cases.Add(new FuzzCase("ingest-special", "POST", "/api/ingest", Gzip(big)) { ContentEncoding = "gzip" });

        // Chunked bodies written by hand: over the limit, a bad chunk size, extensions and a trailer, and both framings at once.
        cases.Add(Chunked("/api/ingest", [.. Chunk(big[..(MaxBodyBytes / 2)]), .. Chunk(big[(MaxBodyBytes / 2)..]), .. "0\r\n\r\n"u8]));
        cases.Add(Chunked("/api/ingest", [.. "zz\r\nfz_chunk v=1\r\n0\r\n\r\n"u8]));
        cases.Add(Chunked("/api/v2/write", [.. "5;ext=1\r\nfz_ch\r\n7\r\nunk v=1\r\n0\r\nX-Trailer: 1\r\n\r\n"u8]));
        cases.Add(Chunked("/api/ingest", [.. "-1\r\nx\r\n0\r\n\r\n"u8]));
        cases.Add(Chunked("/api/ingest", [.. "FFFFFFFFFFFFFFFF\r\nx\r\n0\r\n\r\n"u8]));
        cases.Add(Chunked("/api/ingest", [.. "3\r\nfz_\r\n0\r\n\r\n"u8]) with
        {
            Headers = [new("Transfer-Encoding", "chunked"), new("Content-Length", "12")],
        });

        // Racing retries: consecutive cases go out together, so these share a key at the same moment.
        var line = Utf8($"fz_race,host=a v=1 {nanos}");
        for (var i = 0; i < 8; i++)
        {
            cases.Add(new FuzzCase("ingest-special", "POST", "/api/ingest", line) { Headers = [new("Idempotency-Key", "fz-race-same")] });
            cases.Add(new FuzzCase("ingest-special", "POST", i % 2 == 0 ? "/api/ingest?ack=async" : "/api/v2/write", Utf8($"fz_race,host=b v={i} {nanos + i}"))
            {
                Headers = [new("Idempotency-Key", "fz-race-differ")],
            });
        }

        // Headers given twice, on a raw socket.
        cases.Add(Twice("Content-Type", "application/json", "text/plain", Utf8("fz_twice v=1")));
        cases.Add(Twice("Content-Encoding", "gzip", "gzip", Gzip(Gzip(Utf8("fz_twice v=1")))));
        cases.Add(Twice("Idempotency-Key", "a", "b", Utf8("fz_twice v=1")));
        cases.Add(Twice("Content-Length", "12", "13", Utf8("fz_twice v=1")));

        // A gzip bomb: a few KiB that expand past the decompressed cap.
        var bomb = Gzip(new byte[MaxDecompressedBytes * 2]);
        cases.Add(new FuzzCase("ingest-special", "POST", "/api/ingest", bomb) { ContentEncoding = "gzip" });
        cases.Add(new FuzzCase("ingest-special", "POST", "/api/v2/write", bomb) { ContentEncoding = "gzip" });
        cases.Add(new FuzzCase("ingest-special", "POST", "/api/ingest", bomb) { ContentEncoding = "gzip", ContentType = "application/json" });

        // Lines just over the 64 KiB line limit, in each format.
        var longValue = new string('v', 70_000);
        cases.Add(new FuzzCase("ingest-special", "POST", "/api/ingest", Utf8($"fz_long,k={longValue} v=1 {nanos}\nfz_long v=2 {nanos}\n")));
        cases.Add(new FuzzCase("ingest-special", "POST", "/api/ingest",
            Utf8($"{{\"metric\":\"fz_long\",\"tags\":{{\"k\":\"{longValue}\"}},\"timestamp\":{nowMillis},\"value\":1}}\n"))
        { ContentType = "application/x-ndjson" });
        cases.Add(new FuzzCase("ingest-special", "POST", "/api/ingest",
            Utf8($"[{{\"metric\":\"fz_long\",\"tags\":{{\"k\":\"{longValue}\"}},\"timestamp\":{nowMillis},\"value\":1}}]"))
        { ContentType = "application/json" });
        cases.Add(new FuzzCase("ingest-special", "POST", "/api/ingest", Utf8(new string('m', 70_000) + " v=1")));

        // Deep nesting far past any reader's depth limit.
        foreach (var contentType in new[] { "application/json", "application/x-ndjson" })
        {
            cases.Add(new FuzzCase("ingest-special", "POST", "/api/ingest", Utf8(Deep(100_000))) { ContentType = contentType });
            cases.Add(new FuzzCase("ingest-special", "POST", "/api/ingest", Utf8(DeepObject(20_000))) { ContentType = contentType });
            cases.Add(new FuzzCase("ingest-special", "POST", "/api/ingest",
                Utf8($"{{\"metric\":\"fz_deep\",\"timestamp\":{nowMillis},\"value\":{Deep(100_000)}}}")) { ContentType = contentType });
        }

        // Thousands of tags; thousands of fields; one body of many small bad lines.
        var tags = string.Join(',', Enumerable.Range(0, 5000).Select(i => $"t{i}=v"));
        cases.Add(new FuzzCase("ingest-special", "POST", "/api/ingest", Utf8($"fz_tags,{tags} v=1 {nanos}")));
        var fields = string.Join(',', Enumerable.Range(0, 5000).Select(i => $"f{i}={i}"));
        cases.Add(new FuzzCase("ingest-special", "POST", "/api/ingest", Utf8($"fz_fields {fields} {nanos}")));
        cases.Add(new FuzzCase("ingest-special", "POST", "/api/ingest?strict=true", Utf8(string.Concat(Enumerable.Repeat("x\n", 20_000)))));
        cases.Add(new FuzzCase("ingest-special", "POST", "/api/ingest", Utf8(string.Concat(Enumerable.Repeat("bad line\n", 20_000)))));
        var manyPoints = string.Join(',', Enumerable.Range(0, 5000).Select(i => $"{{\"metric\":\"fz_many\",\"timestamp\":{nowMillis - i},\"value\":{i}}}"));
        cases.Add(new FuzzCase("ingest-special", "POST", "/api/ingest?strict=true", Utf8($"[{manyPoints},{{\"metric\":1}}]")) { ContentType = "application/json" });
        return cases;
    }

    private static FuzzCase Twice(string header, string first, string second, byte[] body) =>
        new("ingest-special", "POST", "/api/ingest", body) { Headers = [new(header, first), new(header, second)], Raw = true };

    private static FuzzCase Chunked(string path, byte[] body) =>
        new("ingest-special", "POST", path, body) { Headers = [new("Transfer-Encoding", "chunked")], Raw = true };

    private static byte[] Chunk(byte[] data) => [.. Utf8($"{data.Length:X}\r\n"), .. data, .. "\r\n"u8];
}
