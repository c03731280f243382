using System.Text;
using System.Text.RegularExpressions;

namespace FunctionsObservability.Tests.Fuzz;

/// <summary>
/// PromQL expressions: valid queries of the supported subset over the seeded series, then token-level
/// damage (a character or token deleted, doubled or swapped; brackets, quotes, unicode, NUL or a very
/// long name inserted), and fixed hostile ones: deep nesting, huge ranges, catastrophic regexes.
/// </summary>
internal static partial class PromExprMutator
{
    public static readonly string[] Valid =
    [
        "fuzzseed_v", "fuzzseed_v{host=\"h1\"}", "fuzzseed_v{host!=\"h1\"}", "fuzzseed_v{host=~\"h[12]\"}", "fuzzseed_v{host!~\"h0|h3\"}",
        "{__name__=\"fuzzseed_v\"}", "{__name__=~\"fuzz.*\",host=\"h2\"}", "rate(fuzzseed_v[5m])", "irate(fuzzseed_v[1m])",
        "increase(fuzzseed_v{host=\"h3\"}[10m])", "sum by (host) (rate(fuzzseed_v[5m]))", "sum without (host) (fuzzseed_v)",
        "avg(fuzzseed_v)", "count by (host) (fuzzseed_v)", "max(fuzzseed_v) - min(fuzzseed_v)", "topk(2, fuzzseed_v)", "bottomk(1, fuzzseed_v)",
        "histogram_quantile(0.9, sum by (le) (rate(fuzzseed_v[5m])))", "fuzzseed_v / on(host) fuzzseed_v", "fuzzseed_v * ignoring(host) fuzzseed_v",
        "fuzzseed_v > bool 100", "fuzzseed_v >= 3", "fuzzseed_v offset 5m", "rate(fuzzseed_v[5m] offset 1h)", "fuzzseed_v offset -1m", "time()",
        "vector(1)", "scalar(sum(fuzzseed_v))", "fuzzseed_v and fuzzseed_v{host=\"h1\"}", "fuzzseed_v or vector(0)", "fuzzseed_v unless fuzzseed_v{host=\"h4\"}",
        "\"a string\"", "'single'", "`raw`", "42", "-1.5e3", "0x1F", "Inf", "-NaN", "quantile_over_time(0.5, fuzzseed_v[1m])", "clamp_min(fuzzseed_v, 10)",
        "clamp_max(fuzzseed_v, 1e9)", "round(fuzzseed_v, 0.1)", "abs(-fuzzseed_v)", "2 ^ 3 ^ 2", "-2 ^ 2", "(fuzzseed_v + 1) * 2 % 7",
        "avg_over_time(fuzzseed_v[30s])", "max_over_time(fuzzseed_v{host=~\".+\"}[2h])", "delta(fuzzseed_v[15m])", "deriv(fuzzseed_v[15m])",
        "absent(nonexistent_metric)", "label_replace(fuzzseed_v, \"dst\", \"$1\", \"host\", \"h(.*)\")", "sort_desc(fuzzseed_v)", "timestamp(fuzzseed_v)",
        "quantile(0.5, fuzzseed_v)", "stddev(fuzzseed_v)", "count_values(\"v\", fuzzseed_v)", "fuzzseed_v == on() group_left vector(1)", "fuzzseed_v @ 100",
        "fuzzseed_v[5m:1m]", "fz_json", "fz_lp_cpu{host=\"h1\"}", "fz_otlp_gauge", "fz_rw_metric", "nonexistent_metric", "sum(fuzzseed_v) by (host)",
    ];

    private static readonly string[] Inserts =
    [
        "(", ")", "[", "]", "{", "}", "\"", "'", "`", ",", "=", "=~", "!~", "!=", "==", "+", "-", "*", "/", "%", "^", "@", ":", "5m", "[5m]", "{}", "\\",
        "\u0000", "\u00E9", "\u20AC", "\U0001F600", "\uFEFF", "\u200B", "\n", "\t", " ", "#", "offset", "by", "on", "bool", "by ()", "1e400", "0x",
        "NaN", "Inf", "-Inf", new string('n', 300), new string('x', 20_000), "__name__", "le", "[0s]", "[-1m]", "[1y1y]", "[100000y]", "[1.5m]",
    ];

    /// <summary>Nesting depths: evaluated below the parser's limit of 256, refused above it (PromParserDepthTests goes to 100,000).</summary>
    public static readonly int[] Depths = [100, 250, 1_000, 10_000];

    /// <summary>Queries nested <see cref="Depths"/> deep in every way the grammar recurses, and unclosed openers as deep.</summary>
    public static IEnumerable<(int Depth, string Query)> Nested()
    {
        foreach (var depth in Depths)
        {
            yield return (depth, new string('(', depth) + "fuzzseed_v" + new string(')', depth));
            yield return (depth, new string('-', depth) + "fuzzseed_v");
            yield return (depth, string.Concat(Enumerable.Repeat("abs(", depth)) + "fuzzseed_v" + new string(')', depth));
            yield return (depth, string.Concat(Enumerable.Repeat("sum(", depth)) + "fuzzseed_v" + new string(')', depth));
            yield return (depth, "1" + string.Concat(Enumerable.Repeat(" + 1", depth)));
            yield return (depth, string.Join(" ^ ", Enumerable.Repeat("2", depth)));
            yield return (depth, "fuzzseed_v" + string.Concat(Enumerable.Repeat(" + fuzzseed_v", depth)));
            yield return (depth, new string('(', depth));
            yield return (depth, new string('-', depth));
            yield return (depth, new string('{', depth));
            yield return (depth, new string('[', depth));
        }
    }

    /// <summary>Fixed hostile queries: huge ranges and offsets, regexes that backtrack catastrophically, huge names and lists.</summary>
    public static IEnumerable<string> Hostile()
    {
        yield return "fuzzseed_v[100000y]";
        yield return "rate(fuzzseed_v[100000y])";
        yield return "fuzzseed_v offset 100000y";
        yield return "fuzzseed_v offset -100000y";
        yield return "fuzzseed_v[9999999999999999999d]";
        yield return "max_over_time(fuzzseed_v[292y])";
        yield return "fuzzseed_v{host=~\"(a+)+$\"}";
        yield return "fz_redos{v=~\"(a+)+$\"}";
        yield return "{__name__=~\"fz_redos\",v=~\"(a|aa)+$\"}";
        yield return "fz_redos{v!~\"(a*)*b\"}";
        yield return "fz_redos{v=~\"((a+)+)+c\"}";
        yield return "count({__name__=~\"(.*a){20}\"})";
        yield return "fz_redos{v=~\"(\"}";
        yield return "fz_redos{v=~\"a{99999999}\"}";
        yield return "fz_redos{v=~\"(?<=a)b\"}";
        yield return "fz_redos{v=~\"\\\\p{Foo}\"}";
        yield return "fuzzseed_v{" + string.Join(',', Enumerable.Range(0, 2000).Select(i => $"l{i}!=\"x\"")) + "}";
        yield return "sum by (" + string.Join(',', Enumerable.Range(0, 5000).Select(i => $"l{i}")) + ") (fuzzseed_v)";
        yield return new string('m', 100_000);
        yield return "fuzzseed_v{host=\"" + new string('h', 100_000) + "\"}";
        yield return "\"" + new string('s', 100_000);
        yield return "";
        yield return " ";
        yield return "\u0000";
    }

    public static string Mutated(Random random)
    {
        var query = random.Pick(Valid);
        if (random.Next(8) == 0)
        {
            return query;
        }

        for (var i = 1 + random.Next(3); i > 0; i--)
        {
            query = Damage(random, query);
        }

        return query;
    }

    private static string Damage(Random random, string query)
    {
        var tokens = TokenPattern().Matches(query).Select(m => m.Value).ToList();
        var at = query.Length == 0 ? 0 : random.Next(query.Length);
        var t = tokens.Count == 0 ? 0 : random.Next(tokens.Count);
        switch (random.Next(10))
        {
            case 0 when query.Length > 0:
                return query.Remove(at, 1);
            case 1 when query.Length > 0:
                return query.Insert(at, query[at].ToString());
            case 2 when query.Length > 1:
                var swap = Math.Min(at, query.Length - 2);
                return string.Concat(query.AsSpan(0, swap), query[swap + 1].ToString(), query[swap].ToString(), query.AsSpan(swap + 2));
            case 3 when tokens.Count > 0:
                tokens.RemoveAt(t);
                return string.Concat(tokens);
            case 4 when tokens.Count > 0:
                tokens.Insert(t, tokens[t]);
                return string.Concat(tokens);
            case 5 when tokens.Count > 1:
                var other = random.Next(tokens.Count);
                (tokens[t], tokens[other]) = (tokens[other], tokens[t]);
                return string.Concat(tokens);
            case 6:
                // Another valid query's token, in place of one of this one's.
                var donor = TokenPattern().Matches(random.Pick(Valid)).Select(m => m.Value).ToList();
                if (tokens.Count > 0 && donor.Count > 0)
                {
                    tokens[t] = random.Pick(donor);
                }

                return string.Concat(tokens);
            case 7:
                var wrap = random.Pick(["(", "-", "abs(", "sum(", "rate(", "-(", "+"]);
                var times = random.Pick([2, 50, 300]);
                var close = wrap.EndsWith('(') ? new string(')', times) : "";
                return new StringBuilder().Insert(0, wrap, times).Append(query).Append(close).ToString();
            default:
                return query.Insert(at, random.Pick(Inserts));
        }
    }

    /// <summary>Strings, durations in brackets, numbers, names, multi-character operators, and single characters.</summary>
    [GeneratedRegex(@"""(?:[^""\\]|\\.)*""|'(?:[^'\\]|\\.)*'|`[^`]*`|\[[^\]]*\]|[0-9][0-9a-zA-Z.]*|[a-zA-Z_:][a-zA-Z0-9_:]*|=~|!~|!=|==|>=|<=|\s+|.", RegexOptions.Singleline)]
    private static partial Regex TokenPattern();
}
