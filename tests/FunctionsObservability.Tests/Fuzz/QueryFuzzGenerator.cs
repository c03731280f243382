using System.Globalization;
using FunctionsObservability.Pipeline.Query;
using static FunctionsObservability.Tests.Fuzz.FuzzValues;

namespace FunctionsObservability.Tests.Fuzz;

/// <summary>
/// Query requests: a valid parameter set per route, then one to three changes: a parameter set to an
/// awkward value, removed, repeated, renamed, or the query string itself made odd. Values are written
/// as they go on the wire (already percent-encoded where they look encoded).
/// </summary>
internal sealed class QueryFuzzGenerator(Random random, long nowMillis, string validCursor)
{
    private static readonly string[] Times =
    [
        "0", "-1", "-62135596800000", "-62135596800001", "253402300799999", "253402300800000", "9223372036854775807",
        "-9223372036854775808", "9223372036854775808", "1e3", "2025-01-01T00:00:00Z", "0001-01-01T00:00:00Z",
        "9999-12-31T23:59:59.9999999Z", "9999-12-31T23:59:59.9999999-14:00", "0001-01-01T00:00:00%2B14:00",
        "2025-13-01T00:00:00Z", "2025-01-01", "T", "2025-01-01T00:00:00%2B99:00", "2025-01-01T00:00:00 00:00",
        "Mon, 01 Jan 2025 00:00:00 GMT", "2025-01-01T", "t", "12:00T", "2025-01-01T00:00:00.123456789123Z", "+5", "0x10", "1.5",
    ];

    private static readonly string[] Steps =
    [
        "0s", "1ns", "1us", "99999999999d", "106751991d", "106751990d", "-1m", "1.5m", "1m30s", "1M", "1H", "m", "10", "s1", "1e3s",
        "0001s", "1 s", "%201s", "1ms", "1d", "9223372036854775807ms", "9223372036854ms", "9223372036854775ms", "1w", "1y",
        "\u0661s", "1%00s", "01h", "100000000000000000000s", "1sec",
    ];

    private static readonly string[] Limits =
        ["0", "1", "10000", "10001", "-1", "+1", "1.0", "2147483647", "2147483648", "99999999999", "0x10", "%201", "1e2", "\u0661", "00010"];

    private static readonly string[] Functions =
        ["avg", "min", "max", "sum", "count", "p50", "p90", "p99", "AVG", "p100", "p0", "p50%20", "median", "count%00", "p-1", "p9999999999"];

    private static readonly string[] TagValues =
    [
        "host", "host:", ":v", ":", "a:b:c", "host:h1:extra", "::::", "host%3Ah1", new string('k', 300) + ":v", "k:" + new string('v', 5000),
        "%00:%00", "host:%ED%A0%80", "'%3B--:x", "host:'%20OR%20'1'%3D'1", "%C0%AF:x", "host:h\u00E9", "host%00:h1", "a.b:x", "$:x", "a%22b:x", "a'b:x", "[0]:x", "$.host:h1", "*:x", "a%20b:x", "%5C:x",
    ];

    private static readonly string[] Metrics =
    [
        "fuzzseed_v", "fz_lp_cpu", "fz_json", "fz_unknown", "'", "fz';--", "fz\"", "fz%27%3B%20DROP%20TABLE%20points%3B--",
        new string('m', 300), new string('m', 5000), "fz_\u00E9\u20AC\U0001F600", "*", "%", "fuzzseed_V", "_", "fz%0A",
    ];

    private static readonly string[] Segments =
    [
        "fuzzseed_v", "fz_lp_cpu", "unknown_metric", "%00", "%2F", "%2f..%2f", "..", ".", "a%20b", "%C0%AF", "%ED%A0%80", "%FF",
        "\u00E9\u20AC\U0001F600", "'%3B DROP TABLE points;--", "'", "\"", new string('m', 300), new string('m', 5000), "", " ",
        "%20", "%3F", "%23", "a;b", "*", "~", "fuzzseed_V", "%25", "%zz",
    ];

    private static readonly string[] Syntax =
    [
        "&", "&&", "=", "=x", "metric", "metric=", "Metric=fz", "METRIC=x", "a=1;b=2", "%00=1", "%zz=%zz", "tag", "tag=", "?",
        "metric[]=x", "metric=a=b", "from=&to=", "step", "fn=", "groupBy=", "cursor=", "limit=",
    ];

    private static readonly string[] Accepts =
        ["application/x-ndjson", "application/x-ndjson; q=0", "*/*", "application/X-NDJSON, text/html", "text/html", "application/json"];

    private sealed record Route(string Family, string Path, string[] Parameters, Func<List<KeyValuePair<string, string>>> Valid);

    public List<FuzzCase> Generate(int points, int aggregate, int metrics, int tags, int archive, int health)
    {
        var from = nowMillis - 3 * 3_600_000;
        Route[] routes =
        [
            new("query-points", "/api/query/points", ["metric", "from", "to", "tag", "limit", "cursor"], () => Valid(
                ("metric", "fuzzseed_v"), ("from", Time(from)), ("to", Time(nowMillis)), ("tag", random.Next(2) == 0 ? "host:h1" : null),
                ("limit", random.Next(2) == 0 ? "50" : null), ("cursor", random.Next(6) == 0 ? validCursor : null))),
            new("query-aggregate", "/api/query/aggregate", ["metric", "from", "to", "step", "fn", "tag", "groupBy"], () => Valid(
                ("metric", "fuzzseed_v"), ("from", Time(from)), ("to", random.Next(2) == 0 ? Time(nowMillis) : null),
                ("step", random.Pick(["1m", "10s", "1h"])), ("fn", random.Next(10) < 7 ? random.Pick(Functions[..8]) : null),
                ("tag", random.Next(3) == 0 ? "host:h2" : null), ("groupBy", random.Next(5) < 2 ? "host" : null))),
            new("query-metrics", "/api/metrics", ["metric", "limit", "x"], () => []),
            new("query-tags", "/api/metrics/{metric}/tags", ["metric", "x"], () => []),
            new("query-archive", "/api/admin/archive", ["metric", "limit"], () => Valid(
                ("metric", random.Next(2) == 0 ? "fuzzseed_v" : null), ("limit", random.Next(2) == 0 ? "10" : null))),
            new("query-health", "/api/health", ["x", "metric"], () => []),
            new("query-ready", "/api/health/ready", ["x", "metric"], () => []),
        ];
        var cases = new List<FuzzCase>();
        int[] counts = [points, aggregate, metrics, tags, archive / 2, health, health];
        for (var r = 0; r < routes.Length; r++)
        {
            for (var i = 0; i < counts[r]; i++)
            {
                cases.Add(Mutated(routes[r]));
            }
        }

        for (var i = 0; i < archive - (archive / 2); i++)
        {
            var c = Mutated(routes[4]);
            cases.Add(c with { Target = c.Target.Replace("/api/admin/archive", "/api/ops/archive", StringComparison.Ordinal) });
        }

        return cases;
    }

    private FuzzCase Mutated(Route route)
    {
        var parameters = route.Valid();
        var changes = random.Next(20) == 0 ? 0 : 1 + random.Next(3);
        string? syntax = null;
        for (var i = 0; i < changes; i++)
        {
            var name = random.Pick(route.Parameters);
            switch (random.Next(10))
            {
                case < 6:
                    parameters.RemoveAll(p => p.Key == name);
                    parameters.Add(new(name, Value(name)));
                    break;
                case 6:
                    parameters.RemoveAll(p => p.Key == name);
                    break;
                case 7:
                    parameters.Add(new(name, Value(name)));
                    break;
                case 8:
                    parameters.AddRange(Enumerable.Range(0, 2 + random.Next(60)).Select(_ => new KeyValuePair<string, string>("tag", Value("tag"))));
                    break;
                default:
                    syntax = random.Pick(Syntax);
                    break;
            }
        }

        var path = route.Path.Replace("{metric}", random.Next(5) == 0 ? "fuzzseed_v" : random.Pick(Segments), StringComparison.Ordinal);
        var query = string.Join('&', parameters.Select(p => p.Key + "=" + p.Value).Append(syntax).OfType<string>());
        var target = query.Length == 0 ? path : path + "?" + query;
        var headers = route.Family == "query-points" && random.Next(4) == 0
            ? new List<KeyValuePair<string, string>> { new("Accept", random.Pick(Accepts)) }
            : [];
        return new FuzzCase(route.Family, "GET", target) { Headers = headers, Raw = random.Next(4) == 0 || NeedsRawSocket(target) };
    }

    private string Value(string name)
    {
        if (random.Next(100) < 35)
        {
            return random.Pick(QueryNoise);
        }

        return name switch
        {
            "metric" => random.Pick(Metrics),
            "from" or "to" => random.Next(4) == 0 ? Time(nowMillis + random.Next(-5, 5) * 3_600_000L) : random.Pick(Times),
            "tag" => random.Next(3) == 0 ? $"host:h{random.Next(5)}" : random.Pick(TagValues),
            "limit" => random.Pick(Limits),
            "cursor" => Cursor(),
            "step" => random.Pick(Steps),
            "fn" => random.Pick(Functions),
            "groupBy" => random.Pick(["host", "", "missing", "host&groupBy=dc", new string('g', 300), "%00", "dc", "tags", "'", "a.b", "$", "%22", "[0]", "$.host", "%5C", "t0"]),
            _ => random.Pick(QueryNoise),
        };
    }

    /// <summary>Cursors: the real one cut or changed, well-formed ones at the extremes, and garbage.</summary>
    private string Cursor() => random.Next(10) switch
    {
        0 => validCursor[..random.Next(validCursor.Length)],
        1 => validCursor[..^1] + random.Pick(["A", "B", "_", "-", "=", "%00"]),
        2 => validCursor + random.Pick(["A", "==", "%3D", validCursor]),
        3 => new PageCursor(random.Pick([long.MinValue, long.MaxValue, 0L, -1L]), random.Pick([int.MinValue, -1, 0, int.MaxValue]), random.Pick([1, int.MaxValue])).Encode(),
        4 => Convert.ToBase64String(RandomBytes(random, 1 + random.Next(40))),
        5 => Convert.ToBase64String(RandomBytes(random, 17)).TrimEnd('=').Replace('+', '-').Replace('/', '_'),
        6 => "AQ" + new string('A', 21),
        7 => random.Pick(["A", "====", "%00", "%zz", "garbage.garbage.garbage.garbage.", new string('A', 5000), "null", "-1"]),
        _ => random.Pick(QueryNoise),
    };

    private static List<KeyValuePair<string, string>> Valid(params (string Name, string? Value)[] parameters) =>
        [.. parameters.Where(p => p.Value is not null).Select(p => new KeyValuePair<string, string>(p.Name, p.Value!))];

    private string Time(long millis) => random.Next(2) == 0
        ? millis.ToString(CultureInfo.InvariantCulture)
        : DateTimeOffset.FromUnixTimeMilliseconds(millis).ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    /// <summary>Targets HttpClient would rewrite (dot segments, backslashes, bad escapes, fragments) go on a raw socket.</summary>
    public static bool NeedsRawSocket(string target) =>
        !target.StartsWith('/') || target.Contains('\\', StringComparison.Ordinal) || target.Contains('#', StringComparison.Ordinal)
        || target.Contains("/.", StringComparison.Ordinal) || target.Contains("..", StringComparison.Ordinal)
        || System.Text.RegularExpressions.Regex.IsMatch(target, "%(?![0-9A-Fa-f]{2})");
}
