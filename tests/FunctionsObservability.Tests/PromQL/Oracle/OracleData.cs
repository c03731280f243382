using FunctionsObservability.Pipeline.PromQL;

namespace FunctionsObservability.Tests.PromQL.Oracle;

/// <summary>
/// The data both sides receive: counters with resets and a gap, gauges (some negative), a classic
/// histogram (buckets, _sum, _count) and pairs of metrics for vector matching. Samples arrive at
/// irregular intervals (10-20 s) so extrapolation meets both of its cases. Deterministic from the seed.
/// </summary>
public static class OracleData
{
    public static readonly TimeSpan Span = TimeSpan.FromMinutes(50);

    public static List<OracleSeries> Generate(long startMs, int seed = 14)
    {
        var random = new Random(seed);
        var series = new List<OracleSeries>();
        string[] instances = ["a", "b", "c"];
        foreach (var instance in instances)
        {
            foreach (var method in (string[])["get", "post"])
            {
                // Instance b resets its counters twice; instance c stops reporting for 10 minutes.
                series.Add(Counter(random, startMs, Labels("http_requests_total", ("job", "api"), ("instance", instance), ("method", method)),
                    resetsAt: instance == "b" ? [0.3, 0.7] : [], gap: instance == "c"));
            }

            series.Add(Gauge(random, startMs, Labels("memory_used_bytes", ("instance", instance), ("kind", "used")), 2e9, 5e8));
            // Constant, but different per instance: topk must have no ties to compare.
            series.Add(Gauge(random, startMs, Labels("memory_total_bytes", ("instance", instance), ("kind", "total")), 8e9 + (Array.IndexOf(instances, instance) * 1e6), 0));
        }

        foreach (var room in (string[])["r1", "r2", "r3", "r4"])
        {
            var floor = room is "r1" or "r2" ? "1" : "2";
            series.Add(Gauge(random, startMs, Labels("temperature_celsius", ("room", room), ("floor", floor)), 21, 4));
            series.Add(Gauge(random, startMs, Labels("balance", ("account", room)), 0, 100));
        }

        foreach (var instance in (string[])["a", "b"])
        {
            series.AddRange(Histogram(random, startMs, instance));
        }

        series.AddRange(OddHistogram(random, startMs));

        return series;
    }

    private static PromLabels Labels(string name, params (string Name, string Value)[] labels) =>
        PromLabels.From(labels.Select(l => KeyValuePair.Create(l.Name, l.Value)).Append(KeyValuePair.Create(PromLabels.MetricName, name)));

    private static List<long> Timestamps(Random random, long startMs, bool gap)
    {
        var timestamps = new List<long>();
        var endMs = startMs + (long)Span.TotalMilliseconds;
        for (var t = startMs + (random.Next(0, 10) * 1000); t <= endMs; t += random.Next(10, 21) * 1000)
        {
            var fraction = (t - startMs) / Span.TotalMilliseconds;
            if (!gap || fraction < 0.4 || fraction > 0.6)
            {
                timestamps.Add(t);
            }
        }

        return timestamps;
    }

    private static OracleSeries Counter(Random random, long startMs, PromLabels labels, double[] resetsAt, bool gap)
    {
        var timestamps = Timestamps(random, startMs, gap);
        var values = new double[timestamps.Count];
        var value = random.Next(0, 1000);
        var nextReset = 0;
        for (var i = 0; i < values.Length; i++)
        {
            if (nextReset < resetsAt.Length && i >= resetsAt[nextReset] * values.Length)
            {
                value = random.Next(0, 5);
                nextReset++;
            }
            else
            {
                value += random.Next(0, 40);
            }

            values[i] = value;
        }

        return new OracleSeries(labels, [.. timestamps], values);
    }

    private static OracleSeries Gauge(Random random, long startMs, PromLabels labels, double center, double spread)
    {
        var timestamps = Timestamps(random, startMs, gap: false);
        var values = timestamps.Select(_ => Math.Round(center + ((random.NextDouble() - 0.5) * 2 * spread), 3)).ToArray();
        return new OracleSeries(labels, [.. timestamps], values);
    }

    /// <summary>
    /// Buckets as scrapes sometimes give them: one bound spelled twice ("1" and "1.0"), a bucket
    /// whose count dips below the one before it, and a bound that does not parse.
    /// </summary>
    private static IEnumerable<OracleSeries> OddHistogram(Random random, long startMs)
    {
        var timestamps = Timestamps(random, startMs, gap: false).ToArray();
        (string Le, Func<int, double> Count)[] buckets =
        [
            ("0.5", i => i * 2), ("1", i => i * 3), ("1.0", i => i), ("2", i => (i * 5) - (i % 3 == 0 ? 4 : 0)),
            ("2.5e0", i => i * 6), ("bad", i => i), ("+Inf", i => i * 7),
        ];
        foreach (var (le, count) in buckets)
        {
            yield return new OracleSeries(Labels("odd_bucket", ("le", le)), timestamps, [.. Enumerable.Range(0, timestamps.Length).Select(count)]);
        }
    }

    /// <summary>Cumulative buckets of the same observations, sampled together, plus _sum and _count.</summary>
    private static IEnumerable<OracleSeries> Histogram(Random random, long startMs, string instance)
    {
        string[] bounds = ["0.05", "0.1", "0.5", "1", "5", "+Inf"];
        double[] limits = [0.05, 0.1, 0.5, 1, 5, double.PositiveInfinity];
        var timestamps = Timestamps(random, startMs, gap: false).ToArray();
        var counts = new double[bounds.Length][];
        for (var b = 0; b < bounds.Length; b++)
        {
            counts[b] = new double[timestamps.Length];
        }

        var sums = new double[timestamps.Length];
        var totals = new double[timestamps.Length];
        var cumulative = new double[bounds.Length];
        var sum = 0.0;
        for (var i = 0; i < timestamps.Length; i++)
        {
            for (var o = random.Next(0, 30); o > 0; o--)
            {
                var observation = Math.Round(Math.Exp((random.NextDouble() * 6) - 4), 4);
                sum += observation;
                for (var b = 0; b < bounds.Length; b++)
                {
                    if (observation <= limits[b])
                    {
                        cumulative[b]++;
                    }
                }
            }

            for (var b = 0; b < bounds.Length; b++)
            {
                counts[b][i] = cumulative[b];
            }

            sums[i] = Math.Round(sum, 4);
            totals[i] = cumulative[^1];
        }

        for (var b = 0; b < bounds.Length; b++)
        {
            yield return new OracleSeries(Labels("request_duration_seconds_bucket", ("job", "api"), ("instance", instance), ("le", bounds[b])), timestamps, counts[b]);
        }

        yield return new OracleSeries(Labels("request_duration_seconds_sum", ("job", "api"), ("instance", instance)), timestamps, sums);
        yield return new OracleSeries(Labels("request_duration_seconds_count", ("job", "api"), ("instance", instance)), timestamps, totals);
    }
}
