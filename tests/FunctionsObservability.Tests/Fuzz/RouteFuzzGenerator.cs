using System.Text;
using static FunctionsObservability.Tests.Fuzz.FuzzValues;

namespace FunctionsObservability.Tests.Fuzz;

/// <summary>
/// Every known route with every method, then odd spellings of the known paths (double and trailing
/// slashes, case, dot segments, encoded slashes and letters, backslashes, huge paths) and random paths
/// under /api and outside. Never a POST to the archive admin routes: that would run an archive.
/// </summary>
internal sealed class RouteFuzzGenerator(Random random)
{
    private static readonly string[] KnownPaths =
    [
        "/api/ingest", "/api/v2/write", "/api/query/points", "/api/query/aggregate", "/api/metrics", "/api/metrics/fuzzseed_v/tags",
        "/api/health", "/api/health/ready", "/api/admin/archive", "/api/ops/archive", "/api/v1/write", "/v1/metrics", "/api/v1/metrics",
        "/api/v1/query", "/api/v1/query_range", "/api/v1/series", "/api/v1/labels", "/api/v1/label/host/values", "/api/v1/metadata",
        "/api/v1/status/buildinfo",
    ];

    private static readonly string[] Methods = ["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS", "TRACE", "FOO", "get", "PROPFIND"];

    private static readonly string[] RandomPaths =
    [
        "/", "", "*", "/api", "/api/", "/favicon.ico", "/api/unknown", "/api/v2", "/api/v2/query", "/api/v2/write/extra",
        "/api/metrics/x/y/z/tags", "/api/metrics//tags", "/api/query", "/api/query/", "/api/admin", "/api/ops", "/.well-known/x",
        "http://127.0.0.1/api/health", "/api/health?%", "/%2e%2e/api/health", "/api/v1/write", "/api/v2/", "/API", "/api/%",
        "/api/metrics/tags", "/api/query/points/", "/api/health/ready/", "/api/health/live", "/index.html", "/api/ingest/x",
    ];

    private static readonly string SegmentCharacters = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~!$&'()*+,;=:@%";

    public List<FuzzCase> Generate(int mutated)
    {
        var cases = new List<FuzzCase>();
        foreach (var path in KnownPaths)
        {
            foreach (var method in Methods)
            {
                cases.Add(Build(method, WithQuery(path)));
            }
        }

        for (var i = 0; i < mutated; i++)
        {
            var roll = random.Next(100);
            var path = roll switch
            {
                < 60 => MutatePath(random.Pick(KnownPaths)),
                < 80 => random.Pick(RandomPaths),
                _ => "/" + (random.Next(2) == 0 ? "api/" : "") + RandomSegment() + (random.Next(2) == 0 ? "/" + RandomSegment() : ""),
            };
            if (random.Next(3) == 0)
            {
                path = MutatePath(path);
            }

            var method = random.Next(100) switch { < 60 => "GET", < 80 => "POST", _ => random.Pick(Methods) };
            cases.Add(Build(method, random.Next(2) == 0 ? WithQuery(path) : path));
        }

        return cases;
    }

    private FuzzCase Build(string method, string target)
    {
        // Never run an archive: whatever spelling might reach the admin route goes as PUT (405) instead of POST.
        var decoded = Uri.UnescapeDataString(Uri.UnescapeDataString(target));
        if (method.Equals("POST", StringComparison.OrdinalIgnoreCase) && decoded.Contains("archive", StringComparison.OrdinalIgnoreCase))
        {
            method = "PUT";
        }

        var body = method is "POST" or "PUT" or "PATCH" or "post" ? Utf8(random.Next(2) == 0 ? "fz_route,host=a v=1" : "[]") : null;
        return new FuzzCase("routes", method, target, body)
        {
            Raw = random.Next(10) < 3 || method == "PROPFIND" || QueryFuzzGenerator.NeedsRawSocket(target),
        };
    }

    private string WithQuery(string path) => path switch
    {
        _ when path.Contains("points", StringComparison.OrdinalIgnoreCase) => path + "?metric=fuzzseed_v&limit=5",
        _ when path.Contains("aggregate", StringComparison.OrdinalIgnoreCase) => path + "?metric=fuzzseed_v&from=0&step=1h",
        _ when path.Contains("query_range", StringComparison.OrdinalIgnoreCase) => path + "?query=fuzzseed_v&start=0&end=3600&step=60",
        _ when path.Contains("v1/query", StringComparison.OrdinalIgnoreCase) => path + "?query=fuzzseed_v",
        _ when path.Contains("series", StringComparison.OrdinalIgnoreCase) => path + "?match[]=fuzzseed_v",
        _ => path + (random.Next(3) == 0 ? "?metric=fuzzseed_v" : ""),
    };

    private string MutatePath(string path)
    {
        var slashes = Enumerable.Range(0, path.Length).Where(i => path[i] == '/').ToList();
        var at = slashes.Count == 0 ? 0 : random.Pick(slashes);
        var letters = Enumerable.Range(0, path.Length).Where(i => char.IsLetter(path[i])).ToList();
        switch (random.Next(19))
        {
            case 0: return path.Insert(at, "/");
            case 1: return path + "/";
            case 2:
                var chars = path.ToCharArray();
                foreach (var i in letters.Where(_ => random.Next(3) == 0))
                {
                    chars[i] = char.IsUpper(chars[i]) ? char.ToLowerInvariant(chars[i]) : char.ToUpperInvariant(chars[i]);
                }

                return new string(chars);
            case 3: return path.ToUpperInvariant();
            case 4: return path.Insert(at, "/.");
            case 5: return path.Insert(at, "/zz/..");
            case 6 when at > 0: return path.Remove(at, 1).Insert(at, random.Pick(["%2F", "%2f", "%5C", "%2E"]));
            case 7 when letters.Count > 0:
                var letter = random.Pick(letters);
                return path.Remove(letter, 1).Insert(letter, $"%{(int)path[letter]:X2}");
            case 8: return path.Replace('/', '\\');
            case 9: return path + random.Pick([";x=1", ";", "%3B"]);
            case 10: return path + random.Pick(["%00", "%", "%zz", "%C0%AF", "%ED%A0%80", "%FF"]);
            case 11: return path.Insert(at, "/\u00E9\u20AC\U0001F600");
            case 12: return "//" + path.TrimStart('/');
            case 13: return path.Replace("/api", "", StringComparison.OrdinalIgnoreCase);
            case 14: return path + "/" + new string('a', random.Pick([300, 5000, 20_000]));
            case 15: return path + random.Pick(["/..", "/../..", "/../../../../etc/passwd", "/.", "/%2e%2e"]);
            case 16: return path + "#frag";
            case 17: return path + "/extra";
            default: return path.Insert(at, " ");
        }
    }

    private string RandomSegment()
    {
        var text = new StringBuilder();
        for (var i = 1 + random.Next(20); i > 0; i--)
        {
            text.Append(SegmentCharacters[random.Next(SegmentCharacters.Length)]);
        }

        return text.ToString();
    }
}
