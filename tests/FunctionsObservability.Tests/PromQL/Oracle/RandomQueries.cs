using System.Globalization;

namespace FunctionsObservability.Tests.PromQL.Oracle;

/// <summary>
/// Seeded random expressions over the oracle's data, nesting functions, aggregations and operators
/// the hand-written features use one or two at a time.
/// </summary>
public static class RandomQueries
{
    private static readonly string[] Selectors =
    [
        "temperature_celsius", "temperature_celsius{floor=\"1\"}", "balance", "memory_used_bytes", "memory_total_bytes",
        "http_requests_total", "http_requests_total{method=\"get\"}", "request_duration_seconds_count", "{__name__=~\"memory_.*\"}",
    ];

    private static readonly string[] Counters = ["http_requests_total", "request_duration_seconds_count", "request_duration_seconds_sum"];
    private static readonly string[] Ranges = ["30s", "1m", "2m30s", "5m", "10m"];
    private static readonly string[] Labels = ["instance", "method", "floor", "room", "kind", "job", "account"];

    public static string[] Generate(int count, int seed = 2042)
    {
        var random = new Random(seed);
        return [.. Enumerable.Range(0, count).Select(_ => Vector(random, 3))];
    }

    private static string Vector(Random random, int depth)
    {
        var choice = depth <= 0 ? random.Next(0, 2) : random.Next(0, 9);
        return choice switch
        {
            0 => Pick(random, Selectors) + Offset(random),
            1 => RangeFunction(random),
            2 => $"{Pick(random, ["sum", "avg", "min", "max", "count"])} {Grouping(random)} ({Vector(random, depth - 1)})",
            // No topk/bottomk here: on ties Prometheus picks by map iteration order, so only the
            // hand-written queries (whose data has no ties) compare them.
            3 => $"sum by (instance) ({RangeFunction(random)})",
            4 => $"{Vector(random, depth - 1)} {Pick(random, ["+", "-", "*", "/", ">", "<", "== bool", "> bool"])} {Scalar(random, depth - 1)}",
            5 => $"{Scalar(random, depth - 1)} {Pick(random, ["+", "*", "-", "<", ">= bool"])} {Vector(random, depth - 1)}",
            6 => $"{Vector(random, depth - 1)} {Pick(random, ["+", "/", "-", ">", "and", "or", "unless"])} {Matching(random)} {Vector(random, depth - 1)}",
            7 => Pick(random, ["abs", "round", "-"]) + $"({Vector(random, depth - 1)})",
            _ => $"{Pick(random, ["clamp_min", "clamp_max", "round"])}({Vector(random, depth - 1)}, {Scalar(random, 0)})",
        };
    }

    private static string Scalar(Random random, int depth) => random.Next(0, depth <= 0 ? 2 : 4) switch
    {
        0 => Pick(random, ["2", "0.5", "10", "1e3", "-3", "0"]),
        1 => "time() / 1e7",
        2 => $"scalar({Vector(random, depth - 1)})",
        _ => $"({Scalar(random, depth - 1)} {Pick(random, ["+", "*", "-"])} {Scalar(random, 0)})",
    };

    private static string RangeFunction(Random random)
    {
        var function = Pick(random, ["rate", "irate", "increase", "delta", "avg_over_time", "min_over_time", "max_over_time",
            "sum_over_time", "count_over_time", "last_over_time", "quantile_over_time"]);
        var metric = function is "rate" or "irate" or "increase" ? Pick(random, Counters) : Pick(random, Selectors);
        var matrix = $"{metric}[{Pick(random, Ranges)}]{Offset(random)}";
        return function == "quantile_over_time"
            ? $"quantile_over_time({(random.Next(0, 11) / 10.0).ToString(CultureInfo.InvariantCulture)}, {matrix})"
            : $"{function}({matrix})";
    }

    private static string Offset(Random random) => random.Next(0, 5) == 0 ? $" offset {Pick(random, ["1m", "5m", "-2m", "90s"])}" : string.Empty;

    private static string Grouping(Random random) => random.Next(0, 3) switch
    {
        0 => string.Empty,
        1 => $"by ({string.Join(", ", Labels.Where(_ => random.Next(0, 3) == 0))})",
        _ => $"without ({string.Join(", ", Labels.Where(_ => random.Next(0, 3) == 0))})",
    };

    private static string Matching(Random random) => random.Next(0, 3) switch
    {
        0 => string.Empty,
        1 => $"on ({string.Join(", ", Labels.Where(_ => random.Next(0, 2) == 0))})",
        _ => $"ignoring ({string.Join(", ", Labels.Where(_ => random.Next(0, 2) == 0))})",
    };

    private static string Pick(Random random, string[] options) => options[random.Next(options.Length)];
}
