using System.Globalization;
using Xunit.Abstractions;

namespace FunctionsObservability.Tests.PromQL.Oracle;

/// <summary>
/// The oracle: every query of every feature is asked of a real Prometheus 2.42 and of our sides (the
/// engine in process, and the whole service over HTTP), as
/// instant queries at several times and as range queries with two step sizes; the answers must
/// have the same result type, series, timestamps and values (relative 1e-9, or 1e-12 absolute near
/// zero; NaN equal to NaN), or
/// the same error type.
/// </summary>
public sealed class PromOracleTests(OracleFixture fixture, ITestOutputHelper output) : IClassFixture<OracleFixture>
{
    public static TheoryData<string> FeatureNames => [.. OracleQueries.Features.Keys];

    [Theory]
    [MemberData(nameof(FeatureNames))]
    public async Task Feature_AnswersLikePrometheus(string feature)
    {
        var minute = 60_000L;
        long[] instants = [fixture.StartMs + (20 * minute), fixture.StartMs + (33 * minute) + 7_500, fixture.EndMs + 30_000, fixture.EndMs + (7 * minute)];
        (long Start, long End, long Step)[] ranges =
        [
            (fixture.StartMs, fixture.EndMs + (6 * minute), 60_000),
            (fixture.StartMs + (5 * minute) + 500, fixture.StartMs + (40 * minute), 37_000),
        ];

        var asked = 0;
        var answered = 0;
        var mismatches = fixture.OurSides.ToDictionary(side => side.Name, _ => new List<string>());
        foreach (var query in OracleQueries.Features[feature])
        {
            foreach (var time in instants)
            {
                asked++;
                var expected = await fixture.Prometheus.InstantAsync(query, time, CancellationToken.None);
                answered += expected.ErrorType is null && expected.Series.Count > 0 ? 1 : 0;
                foreach (var side in fixture.OurSides)
                {
                    var actual = await side.InstantAsync(query, time, CancellationToken.None);
                    Compare($"instant {query} @ {time}", expected, actual, mismatches[side.Name]);
                }
            }

            foreach (var (start, end, step) in ranges)
            {
                asked++;
                var expected = await fixture.Prometheus.RangeAsync(query, start, end, step, CancellationToken.None);
                answered += expected.ErrorType is null && expected.Series.Count > 0 ? 1 : 0;
                foreach (var side in fixture.OurSides)
                {
                    var actual = await side.RangeAsync(query, start, end, step, CancellationToken.None);
                    Compare($"range {query} [{start}, {end}] step {step}", expected, actual, mismatches[side.Name]);
                }
            }
        }

        foreach (var (side, list) in mismatches)
        {
            output.WriteLine($"{feature}: {side}: {asked - list.Count}/{asked} queries matched Prometheus ({OracleQueries.Features[feature].Length} expressions; {answered} answers non-empty)");
        }

        Assert.True(feature == "errors" ? answered == 0 : answered > asked / 2, $"only {answered} of {asked} answers were non-empty: the data did not load?");
        var failures = mismatches.Where(m => m.Value.Count > 0).Select(m => $"{m.Key}: {m.Value.Count} of {asked} queries differ from Prometheus:\n{string.Join("\n\n", m.Value.Take(10))}");
        Assert.True(!failures.Any(), string.Join("\n\n", failures));
    }

    [Fact]
    public async Task OutsideTheSubset_PrometheusAnswers_WeRefuseNamingThePart()
    {
        foreach (var (query, named) in OracleQueries.Unsupported)
        {
            var expected = await fixture.Prometheus.InstantAsync(query, fixture.EndMs, CancellationToken.None);
            Assert.True(expected.ErrorType is null, $"prometheus refused {query}: {expected}");
            foreach (var side in fixture.OurSides)
            {
                var actual = await side.InstantAsync(query, fixture.EndMs, CancellationToken.None);
                Assert.Equal("bad_data", actual.ErrorType);
                Assert.Contains(named, actual.Error, StringComparison.Ordinal);
            }
        }

        output.WriteLine($"{OracleQueries.Unsupported.Count} queries outside the subset refused by name");
    }

    private static void Compare(string what, PromAnswer expected, PromAnswer actual, List<string> mismatches)
    {
        var difference = Difference(expected, actual);
        if (difference is not null)
        {
            mismatches.Add($"{what}: {difference}\n  prometheus: {expected}\n  ours:       {actual}");
        }
    }

    private static string? Difference(PromAnswer expected, PromAnswer actual)
    {
        if (expected.ErrorType is not null || actual.ErrorType is not null)
        {
            return expected.ErrorType == actual.ErrorType ? null : "error types differ";
        }

        if (expected.ResultType != actual.ResultType)
        {
            return "result types differ";
        }

        var missing = expected.Series.Keys.Except(actual.Series.Keys).ToList();
        var extra = actual.Series.Keys.Except(expected.Series.Keys).ToList();
        if (missing.Count > 0 || extra.Count > 0)
        {
            return $"series differ: missing [{string.Join(" ", missing.Take(5))}], extra [{string.Join(" ", extra.Take(5))}]";
        }

        foreach (var (key, points) in expected.Series)
        {
            var ours = actual.Series[key];
            if (points.Count != ours.Count)
            {
                return $"{key}: {points.Count} points expected, {ours.Count} given";
            }

            for (var i = 0; i < points.Count; i++)
            {
                if (points[i].TimestampMs != ours[i].TimestampMs)
                {
                    return $"{key}: point {i} at {points[i].TimestampMs} expected, {ours[i].TimestampMs} given";
                }

                if (points[i].RawTime != ours[i].RawTime)
                {
                    return $"{key}: timestamp written {points[i].RawTime} expected, {ours[i].RawTime} given";
                }

                if (!SameValue(expected.ResultType, points[i].Value, ours[i].Value))
                {
                    return $"{key}: at {points[i].TimestampMs} value {points[i].Value} expected, {ours[i].Value} given";
                }
            }
        }

        return null;
    }

    private static bool SameValue(string resultType, string expected, string actual)
    {
        if (resultType == "string" || expected == actual)
        {
            return expected == actual;
        }

        var e = Parse(expected);
        var a = Parse(actual);
        if (double.IsNaN(e) || double.IsNaN(a) || double.IsInfinity(e) || double.IsInfinity(a))
        {
            return e.Equals(a);
        }

        // Equal numbers must also be written alike (Go's formatting). Different ones may differ in the
        // last bits: Prometheus sums some intermediate vectors in map order, so a sum that cancels to
        // nearly zero gets an absolute floor rather than only the relative tolerance.
        return e != a && Math.Abs(e - a) <= Math.Max(1e-9 * Math.Max(Math.Abs(e), Math.Abs(a)), 1e-12);
    }

    private static double Parse(string value) => value switch
    {
        "+Inf" => double.PositiveInfinity,
        "-Inf" => double.NegativeInfinity,
        "NaN" => double.NaN,
        _ => double.Parse(value, NumberStyles.Float, CultureInfo.InvariantCulture),
    };
}
