using static FunctionsObservability.Tests.Fuzz.FuzzValues;
using static FunctionsObservability.Tests.Fuzz.PromValues;

namespace FunctionsObservability.Tests.Fuzz;

/// <summary>
/// The Prometheus API's routes by GET and form POST: a valid parameter set over the seeded series, then
/// one to three changes (a parameter set to an awkward value, removed, repeated, or the syntax made odd),
/// with mutated PromQL in <c>query</c> and <c>match[]</c>; and (<see cref="Hostile"/>) the hostile queries of
/// <see cref="PromExprMutator"/> by form POST, since most are too long for a request line.
/// </summary>
internal sealed class PromQueryFuzzGenerator(Random random, long nowMillis)
{
    private sealed record Route(string Family, string Path, bool Post, string[] Parameters, Func<List<KeyValuePair<string, string>>> Valid);

    private static readonly string[] Syntax = ["&", "&&", "=", "query", "query=", "match[]", "match[]=", "match%5B%5D=fuzzseed_v", "%zz=1", "a=1;b=2", "start=&end="];

    public List<FuzzCase> Generate(int query, int range, int series, int labels, int labelValues, int metadata, int buildInfo)
    {
        var from = nowMillis - 3 * 3_600_000;
        Route[] routes =
        [
            new("prom-query", "/api/v1/query", true, ["query", "time", "timeout"], () => Valid(
                ("query", Query()), ("time", random.Next(2) == 0 ? Time(random, nowMillis - random.Next(3 * 3_600_000)) : null),
                ("timeout", random.Next(5) == 0 ? random.Pick(["5s", "10", "1m"]) : null))),
            new("prom-query-range", "/api/v1/query_range", true, ["query", "start", "end", "step", "timeout"], () => Valid(
                ("query", Query()), ("start", Time(random, from)), ("end", Time(random, nowMillis)), ("step", random.Pick(["15", "60s", "1m", "5m", "30.5"])),
                ("timeout", random.Next(5) == 0 ? random.Pick(["5s", "10", "1m"]) : null))),
            new("prom-series", "/api/v1/series", true, ["match[]", "start", "end"], () => Valid(
                ("match[]", Encode(random.Pick(Selectors[..10]))), ("start", random.Next(2) == 0 ? Time(random, from) : null), ("end", random.Next(2) == 0 ? Time(random, nowMillis) : null))),
            new("prom-labels", "/api/v1/labels", true, ["match[]", "start", "end"], () => Valid(
                ("match[]", random.Next(2) == 0 ? Encode(random.Pick(Selectors[..10])) : null), ("start", random.Next(3) == 0 ? Time(random, from) : null))),
            new("prom-label-values", "/api/v1/label/{name}/values", false, ["match[]", "start", "end"], () => Valid(
                ("match[]", random.Next(3) == 0 ? Encode(random.Pick(Selectors[..10])) : null), ("end", random.Next(3) == 0 ? Time(random, nowMillis) : null))),
            new("prom-metadata", "/api/v1/metadata", false, ["metric", "limit"], () => Valid(
                ("metric", random.Next(2) == 0 ? "fuzzseed_v" : null), ("limit", random.Next(2) == 0 ? random.Pick(["1", "10", "0"]) : null))),
            new("prom-buildinfo", "/api/v1/status/buildinfo", false, ["x"], () => []),
        ];
        var cases = new List<FuzzCase>();
        int[] counts = [query, range, series, labels, labelValues, metadata, buildInfo];
        for (var r = 0; r < routes.Length; r++)
        {
            for (var i = 0; i < counts[r]; i++)
            {
                cases.Add(Mutated(routes[r]));
            }
        }

        return cases;
    }

    /// <summary>
    /// Each hostile query as an instant and a range query (form POST); nested ones as a range query only when
    /// shallow (the parse is the same; deep evaluation is slow). Then tiny steps over long ranges.
    /// </summary>
    public IEnumerable<FuzzCase> Hostile()
    {
        var from = nowMillis - 3 * 3_600_000;
        var range = $"&start={from / 1000}&end={nowMillis / 1000}&step=60";
        foreach (var (depth, text) in PromExprMutator.Nested())
        {
            yield return Form("prom-hostile", "/api/v1/query", $"query={Encode(text)}");
            if (depth <= 100)
            {
                yield return Form("prom-hostile", "/api/v1/query_range", $"query={Encode(text)}{range}");
            }
        }

        foreach (var text in PromExprMutator.Hostile())
        {
            // A regex runs up to its timeout on a CPU: those go once, as a range query, whose range holds the seeded series.
            if (!text.Contains("=~", StringComparison.Ordinal) && !text.Contains("!~", StringComparison.Ordinal))
            {
                yield return Form("prom-hostile", "/api/v1/query", $"query={Encode(text)}");
            }

            yield return Form("prom-hostile", "/api/v1/query_range", $"query={Encode(text)}{range}");
        }

        foreach (var (start, end, step) in new[] { ("0", "1e9", "0.001"), ("-1e15", "1e15", "1"), ("0", "9e15", "1e-9"), ("1", "1000000", "0.09") })
        {
            yield return Form("prom-hostile", "/api/v1/query_range", $"query=fuzzseed_v&start={start}&end={end}&step={step}");
        }

        // 10,999 steps, just under the limit, over the seeded hours: a big but bounded answer.
        yield return Form("prom-hostile", "/api/v1/query_range", $"query=fuzzseed_v&start={(nowMillis / 1000) - 10_998}&end={nowMillis / 1000}&step=1");
        // The catalog routes match every series against a catastrophic regex, whatever the time range.
        var redos = Encode("fz_redos{v=~\"(a+)+$\"}");
        yield return new FuzzCase("prom-hostile", "GET", $"/api/v1/series?match[]={redos}");
        yield return new FuzzCase("prom-hostile", "GET", $"/api/v1/labels?match[]={redos}");
        yield return new FuzzCase("prom-hostile", "GET", $"/api/v1/label/v/values?match[]={redos}");
        yield return Form("prom-hostile", "/api/v1/series", string.Concat(Enumerable.Range(0, 2000).Select(i => $"match[]=fuzzseed_v{{host=\"h{i}\"}}&")));
        yield return Form("prom-hostile", "/api/v1/query", "query=" + new string('x', 5_000_000));
        yield return new FuzzCase("prom-hostile", "GET", "/api/v1/query?query=" + Encode(new string('(', 10_000) + "1" + new string(')', 10_000)));
    }

    private FuzzCase Mutated(Route route)
    {
        var parameters = route.Valid();
        string? syntax = null;
        for (var i = random.Next(12) == 0 ? 0 : 1 + random.Next(3); i > 0; i--)
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
                case 8:
                    parameters.Add(new(name, Value(name)));
                    break;
                default:
                    syntax = random.Pick(Syntax);
                    break;
            }
        }

        var path = route.Path.Replace("{name}", random.Next(3) == 0 ? "host" : random.Pick(LabelNames), StringComparison.Ordinal);
        var text = string.Join('&', parameters.Select(p => p.Key + "=" + p.Value).Append(syntax).OfType<string>());
        if (route.Post && random.Next(3) == 0)
        {
            // Form POST; sometimes a parameter also (or only) in the query string, where the body's value wins.
            var queryString = random.Next(4) == 0 && parameters.Count > 0 ? "?" + parameters[0].Key + "=" + Value(parameters[0].Key) : "";
            return Form(route.Family, route.Path + queryString, text) with
            {
                ContentType = random.Next(8) == 0 ? random.Pick(FormContentTypes) : "application/x-www-form-urlencoded",
            };
        }

        var method = random.Next(30) == 0 ? random.Pick(["POST", "PUT", "DELETE", "HEAD"]) : "GET";
        var target = text.Length == 0 ? path : path + "?" + text;
        return new FuzzCase(route.Family, method, target) { Raw = random.Next(5) == 0 || QueryFuzzGenerator.NeedsRawSocket(target) };
    }

    private static FuzzCase Form(string family, string path, string body) =>
        new(family, "POST", path, Utf8(body)) { ContentType = "application/x-www-form-urlencoded" };

    /// <summary>A valid query now and then; mostly a damaged one.</summary>
    private string Query() => Encode(random.Next(4) == 0 ? random.Pick(PromExprMutator.Valid) : PromExprMutator.Mutated(random));

    private string Value(string name)
    {
        if (random.Next(100) < 20)
        {
            return random.Pick(QueryNoise);
        }

        return name switch
        {
            "query" => Query(),
            "time" or "start" or "end" => random.Next(3) == 0 ? Time(random, nowMillis + random.Next(-100, 100) * 3_600_000L) : random.Pick(Times),
            "step" or "timeout" => random.Pick(Durations),
            "match[]" => Encode(random.Next(3) == 0 ? PromExprMutator.Mutated(random) : random.Pick(Selectors)),
            "metric" => random.Pick(["fuzzseed_v", "nonexistent", "", "%00", new string('m', 3000), "fz_json"]),
            "limit" => random.Pick(["-1", "0", "1", "2147483648", "1.5", "x", "", "%00", "99999999999999999999"]),
            _ => random.Pick(QueryNoise),
        };
    }

    private static List<KeyValuePair<string, string>> Valid(params (string Name, string? Value)[] parameters) =>
        [.. parameters.Where(p => p.Value is not null).Select(p => new KeyValuePair<string, string>(p.Name, p.Value!))];
}
