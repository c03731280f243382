namespace FunctionsObservability.Tests.PromQL.Oracle;

/// <summary>The PromQL subset, feature by feature: each query is asked of both sides as instant and range queries.</summary>
public static class OracleQueries
{
    public static readonly IReadOnlyDictionary<string, string[]> Features = new Dictionary<string, string[]>
    {
        ["literals"] =
        [
            "42", "1.5e3", "0x1F", "Inf", "-Inf", "NaN", ".5", "\"hello\"", "'it\\'s'", "`raw\\n`", "\"\\u00e9\\x41\"", "1e-7", "1e22", "vector(1e-7)", "vector(-1e22)", "vector(123456.789e-3)",
        ],
        ["selectors"] =
        [
            "temperature_celsius", "temperature_celsius{room=\"r1\"}", "{__name__=\"temperature_celsius\",floor!=\"1\"}",
            "temperature_celsius{room=~\"r[12]\"}", "temperature_celsius{room!~\"r1|r2\"}", "http_requests_total{instance=\"c\"}",
            "{__name__=~\"memory_.*\"}", "temperature_celsius{nope=\"\"}", "http_requests_total{instance=\"a\"}[2m]",
            "temperature_celsius[5m] offset 3m",
        ],
        ["offset"] =
        [
            "http_requests_total{instance=\"a\"} offset 5m", "temperature_celsius offset -2m", "temperature_celsius offset 1h",
            "rate(http_requests_total[5m] offset 2m)", "avg_over_time(temperature_celsius[10m] offset 90s)",
        ],
        ["rate"] =
        [
            "rate(http_requests_total[5m])", "rate(http_requests_total[1m])", "rate(http_requests_total[30s])", "irate(http_requests_total[5m])",
            "irate(http_requests_total[1m])", "increase(http_requests_total[10m])", "increase(request_duration_seconds_count[3m])",
            "delta(temperature_celsius[10m])", "delta(balance[2m])", "rate(http_requests_total[1h])",
        ],
        ["over_time"] =
        [
            "avg_over_time(temperature_celsius[5m])", "min_over_time(balance[10m])", "max_over_time(balance[10m])",
            "sum_over_time(temperature_celsius[3m])", "count_over_time(http_requests_total[5m])", "last_over_time(temperature_celsius[2m])",
            "quantile_over_time(0.9, temperature_celsius[10m])", "quantile_over_time(0, balance[5m])", "quantile_over_time(1.5, balance[5m])",
            "quantile_over_time(0.5, http_requests_total[20m])", "avg_over_time(http_requests_total{instance=\"c\"}[1m])",
        ],
        ["math"] =
        [
            "abs(balance)", "clamp_min(temperature_celsius, 20)", "clamp_max(balance, 10)", "round(temperature_celsius)",
            "round(temperature_celsius, 0.5)", "round(balance, 5)", "round(balance / 7, 0.01)", "time()", "vector(1)", "vector(time())",
            "scalar(temperature_celsius{room=\"r1\"})", "scalar(temperature_celsius)", "time() - 100", "clamp_min(balance, time() / 1e10)",
        ],
        ["histogram_quantile"] =
        [
            "histogram_quantile(0.9, rate(request_duration_seconds_bucket[5m]))",
            "histogram_quantile(0.5, sum by (le) (rate(request_duration_seconds_bucket[5m])))",
            "histogram_quantile(0.99, request_duration_seconds_bucket)", "histogram_quantile(0, request_duration_seconds_bucket)",
            "histogram_quantile(1, request_duration_seconds_bucket)", "histogram_quantile(-1, request_duration_seconds_bucket)",
            "histogram_quantile(2, request_duration_seconds_bucket)", "histogram_quantile(NaN, request_duration_seconds_bucket)",
            "histogram_quantile(0.5, request_duration_seconds_bucket{le!=\"+Inf\"})",
            "histogram_quantile(0.75, sum without (instance) (increase(request_duration_seconds_bucket[10m])))",
            "histogram_quantile(0.5, odd_bucket)", "histogram_quantile(0.3, odd_bucket)", "histogram_quantile(0.9, rate(odd_bucket[5m]))",
            "histogram_quantile(0.01, odd_bucket)",
        ],
        ["aggregations"] =
        [
            "sum(temperature_celsius)", "sum by (floor) (temperature_celsius)", "sum(temperature_celsius) by (floor)",
            "sum without (room) (temperature_celsius)", "avg by (floor) (temperature_celsius)", "min(balance)", "max by (floor) (temperature_celsius)",
            "count(http_requests_total)", "count without (instance) (http_requests_total)", "topk(2, temperature_celsius)",
            "bottomk(1, temperature_celsius) by (floor)", "topk(2, rate(http_requests_total[5m]))", "sum by (job) (rate(http_requests_total[5m]))",
            "sum by (__name__) (temperature_celsius)", "avg(balance)", "topk(scalar(count(balance)) - 2, balance)", "bottomk(0, balance)",
            "sum by (instance, method) (http_requests_total)", "SUM BY (floor) (temperature_celsius)",
        ],
        ["binary_scalar"] =
        [
            "1 + 2 * 3", "2 ^ 3 ^ 2", "-2 ^ 2", "(1 + 2) * 3", "10 % 3", "-7 % 3", "5 > bool 3", "5 == bool 5", "1 / 0", "-1 / 0", "0 / 0",
            "2 - 3 - 4", "8 / 2 / 2", "- - 3", "+5", "2 * -3", "1 < bool 2 == bool 1", "(5) % -3",
        ],
        ["binary_vector_scalar"] =
        [
            "temperature_celsius * 2", "2 - temperature_celsius", "temperature_celsius > 20", "20 < temperature_celsius",
            "temperature_celsius >= bool 20", "temperature_celsius / 10 ^ 2", "-temperature_celsius", "+temperature_celsius",
            "temperature_celsius % 7", "balance ^ 2", "balance != 0", "2 ^ balance / 1e20", "rate(http_requests_total[5m]) * 60",
            "temperature_celsius == bool 21", "balance < -10",
        ],
        ["binary_vector_vector"] =
        [
            "memory_used_bytes / memory_total_bytes", "memory_used_bytes / on(instance) memory_total_bytes",
            "memory_used_bytes / ignoring(kind) memory_total_bytes", "memory_used_bytes > ignoring(kind) memory_total_bytes * 0.25",
            "memory_used_bytes == bool memory_used_bytes", "memory_used_bytes != bool memory_used_bytes",
            "http_requests_total{method=\"get\"} - ignoring(method) http_requests_total{method=\"post\"}",
            "http_requests_total{method=\"get\"} > ignoring(method) http_requests_total{method=\"post\"}",
            "sum by (instance) (rate(http_requests_total[5m])) * on(instance) sum by (instance) (memory_total_bytes)",
            "http_requests_total + on(job) http_requests_total", "memory_used_bytes + memory_used_bytes",
            "temperature_celsius - temperature_celsius offset 5m", "rate(http_requests_total[5m]) > bool on(instance, method) rate(http_requests_total[1m])",
        ],
        ["group_left_right"] =
        [
            "http_requests_total * on(instance) group_left memory_total_bytes",
            "http_requests_total / on(instance) group_left(kind) memory_total_bytes",
            "memory_total_bytes / on(instance) group_right(kind) http_requests_total",
            "memory_total_bytes + ignoring(kind, job, method) group_right http_requests_total",
            "http_requests_total > on(instance) group_left(kind) (memory_used_bytes / 1e7)",
            "http_requests_total > bool on(instance) group_left (memory_used_bytes / 1e7)",
            "rate(http_requests_total[5m]) * on(instance) group_left(kind) memory_used_bytes",
            "request_duration_seconds_bucket / on(instance) group_left request_duration_seconds_count",
            "http_requests_total * on(instance) group_left http_requests_total",
            "memory_used_bytes * on(instance) group_left(job) http_requests_total",
            "sum by (instance, method) (http_requests_total) * on(instance) group_left(kind) memory_total_bytes",
        ],
        ["set_operators"] =
        [
            "temperature_celsius and temperature_celsius > 21", "temperature_celsius unless temperature_celsius > 21",
            "temperature_celsius > 22 or temperature_celsius < 20", "http_requests_total and on(instance) memory_used_bytes",
            "memory_used_bytes unless ignoring(kind) memory_total_bytes", "memory_used_bytes or ignoring(kind) memory_total_bytes",
            "balance > 0 or temperature_celsius", "vector(1) or vector(2)", "rate(http_requests_total[1m]) > 1 and on(method) rate(http_requests_total[1m]) < 2",
            "memory_used_bytes > 2e9 or memory_used_bytes < 1.8e9 or vector(0)", "temperature_celsius and 1 > bool 0 and balance",
        ],
        ["random"] = RandomQueries.Generate(150),
        ["errors"] =
        [
            "rate(temperature_celsius)", "sum(temperature_celsius[5m])", "temperature_celsius{", "1 +", "foo bar", "{}", "{a=\"\"}",
            "1 > 2", "x{a=~\"(\"}",
            "nosuchfunction(x)", "round(x, 1, 2)", "x offset 5m offset 1m", "(x) offset 5m", "\"a\" + 1", "sum by (a b) (x)", "x and 1", "1 or x", "x and bool y", "x and on(a) group_left y", "x * on(a) group_left(a) y",
        ],
    };

    /// <summary>Valid PromQL outside the subset: Prometheus answers, we refuse with bad_data naming the part.</summary>
    public static readonly IReadOnlyList<(string Query, string Named)> Unsupported =
    [
        ("rate(x[5m:1m])", "subqueries are not supported"),
        ("x @ 100", "@ modifier is not supported"),
        ("label_replace(x, \"a\", \"b\", \"c\", \"d\")", "unsupported function \"label_replace\""),
        ("stddev(x)", "unsupported aggregation \"stddev\""),
    ];
}
