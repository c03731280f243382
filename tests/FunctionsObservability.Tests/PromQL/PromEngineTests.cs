using FunctionsObservability.Pipeline.PromQL;

namespace FunctionsObservability.Tests.PromQL;

/// <summary>The evaluator over an in-memory source, on cases small enough to work out by hand.</summary>
public sealed class PromEngineTests
{
    private const long T0 = 1_700_000_000_000;
    private const long Minute = 60_000;

    private static (long, double)[] Every15s(int count, Func<int, double> value) =>
        [.. Enumerable.Range(0, count).Select(i => (T0 + (i * 15_000L), value(i)))];

    private static PromEngine Engine(InMemorySeriesSource source, PromEngineOptions? options = null) => new(source, options ?? new PromEngineOptions());

    private static async Task<double> ScalarAsync(PromEngine engine, string query, long timeMs) =>
        (await engine.InstantAsync($"scalar({query})", timeMs, CancellationToken.None)).Scalar;

    [Fact]
    public async Task InstantSelector_TakesTheLatestSampleWithinFiveMinutes_Inclusive()
    {
        var source = new InMemorySeriesSource().Add("up", [("job", "a")], (T0, 1), (T0 + Minute, 2));
        var engine = Engine(source);

        Assert.Equal(2, await ScalarAsync(engine, "up", T0 + Minute));
        Assert.Equal(1, await ScalarAsync(engine, "up", T0 + Minute - 1));
        Assert.Equal(2, await ScalarAsync(engine, "up", T0 + (6 * Minute)));
        Assert.True(double.IsNaN(await ScalarAsync(engine, "up", T0 + (6 * Minute) + 1)));
        Assert.Equal(1, await ScalarAsync(engine, "up offset 1m", T0 + Minute + 1));
    }

    [Fact]
    public async Task Rate_OfASteadyCounter_IsItsSlope_AndResetsAddThePreviousValue()
    {
        // +3 every 15 s: 0.2 per second; at sample 20 the counter resets to 0 and goes on.
        var source = new InMemorySeriesSource()
            .Add("c", [("k", "steady")], Every15s(41, i => i * 3))
            .Add("c", [("k", "reset")], Every15s(41, i => i < 20 ? i * 3 : (i - 20) * 3));
        var engine = Engine(source);
        var at = T0 + (40 * 15_000);

        Assert.Equal(0.2, await ScalarAsync(engine, "rate(c{k=\"steady\"}[5m])", at), 12);
        Assert.Equal(0.2, await ScalarAsync(engine, "rate(c{k=\"reset\"}[5m])", at), 12);
        Assert.Equal(60, await ScalarAsync(engine, "increase(c{k=\"steady\"}[5m])", at), 9);
        Assert.Equal(0.2, await ScalarAsync(engine, "irate(c{k=\"steady\"}[1m])", at), 12);
        // 24 at 2 min, 0 at 5 min (the reset): delta does not treat resets.
        Assert.Equal(-24, await ScalarAsync(engine, "delta(c{k=\"reset\"}[3m] offset 5m)", at), 9);
    }

    [Fact]
    public async Task Rate_WithOneSampleInTheWindow_HasNoValue()
    {
        var source = new InMemorySeriesSource().Add("c", [], (T0, 1), (T0 + (10 * Minute), 5));
        var result = await Engine(source).InstantAsync("rate(c[5m])", T0 + (10 * Minute), CancellationToken.None);
        Assert.Empty(result.Vector);
    }

    [Fact]
    public async Task RangeQuery_StepsFromStart_AndSeriesKeepOnlyTheStepsWithValues()
    {
        var source = new InMemorySeriesSource().Add("g", [("a", "1")], (T0, 10), (T0 + (10 * Minute), 20));
        var result = await Engine(source).RangeAsync("g", T0, T0 + (20 * Minute), 5 * Minute, CancellationToken.None);

        var series = Assert.Single(result.Matrix);
        Assert.Equal([T0, T0 + (5 * Minute), T0 + (10 * Minute), T0 + (15 * Minute)], series.TimestampsMs);
        Assert.Equal([10.0, 10, 20, 20], series.Values);
        Assert.Equal("g", series.Labels.Name);
    }

    [Fact]
    public async Task Functions_DropTheName_ButLastOverTimeKeepsIt()
    {
        var source = new InMemorySeriesSource().Add("g", [("a", "1")], (T0, -1.5));
        var engine = Engine(source);

        var abs = Assert.Single((await engine.InstantAsync("abs(g)", T0, CancellationToken.None)).Vector);
        Assert.False(abs.Labels.Has(PromLabels.MetricName));
        Assert.Equal(1.5, abs.Value);
        var last = Assert.Single((await engine.InstantAsync("last_over_time(g[1m])", T0, CancellationToken.None)).Vector);
        Assert.Equal("g", last.Labels.Name);
    }

    [Fact]
    public async Task Round_TiesRoundUp()
    {
        var engine = Engine(new InMemorySeriesSource().Add("g", [], (T0, -2.5)).Add("h", [], (T0, 2.5)));
        Assert.Equal(-2, await ScalarAsync(engine, "round(g)", T0));
        Assert.Equal(3, await ScalarAsync(engine, "round(h)", T0));
        Assert.Equal(2.5, await ScalarAsync(engine, "round(h, 0.5)", T0));
    }

    [Fact]
    public async Task HistogramQuantile_InterpolatesInsideTheBucket_AndStartsTheFirstAtZero()
    {
        var source = new InMemorySeriesSource()
            .Add("h_bucket", [("le", "1")], (T0, 50))
            .Add("h_bucket", [("le", "2")], (T0, 100))
            .Add("h_bucket", [("le", "+Inf")], (T0, 100));
        var engine = Engine(source);

        Assert.Equal(0.5, await ScalarAsync(engine, "histogram_quantile(0.25, h_bucket)", T0), 12);
        Assert.Equal(1.5, await ScalarAsync(engine, "histogram_quantile(0.75, h_bucket)", T0), 12);
        Assert.Equal(double.NegativeInfinity, await ScalarAsync(engine, "histogram_quantile(-1, h_bucket)", T0));
        Assert.True(double.IsNaN(await ScalarAsync(engine, "histogram_quantile(0.5, h_bucket{le!=\"+Inf\"})", T0)));
    }

    [Fact]
    public async Task Aggregations_GroupByOrWithout_AndTopkKeepsTheSeriesLabels()
    {
        var source = new InMemorySeriesSource()
            .Add("m", [("a", "x"), ("b", "1")], (T0, 1))
            .Add("m", [("a", "x"), ("b", "2")], (T0, 5))
            .Add("m", [("a", "y"), ("b", "1")], (T0, 3));
        var engine = Engine(source);

        var sums = (await engine.InstantAsync("sum by (a) (m)", T0, CancellationToken.None)).Vector.ToDictionary(s => s.Labels.Get("a"), s => s.Value);
        Assert.Equal(new Dictionary<string, double> { ["x"] = 6, ["y"] = 3 }, sums);
        var without = (await engine.InstantAsync("max without (b) (m)", T0, CancellationToken.None)).Vector;
        Assert.Equal(2, without.Count);
        Assert.All(without, s => Assert.Equal(["a"], s.Labels.AsEnumerable().Select(l => l.Key)));
        var top = Assert.Single((await engine.InstantAsync("topk(1, m)", T0, CancellationToken.None)).Vector);
        Assert.Equal(PromLabels.From([new("__name__", "m"), new("a", "x"), new("b", "2")]), top.Labels);
    }

    [Fact]
    public async Task VectorMatching_ManyToMany_IsAnExecutionError()
    {
        var source = new InMemorySeriesSource()
            .Add("m", [("a", "x"), ("b", "1")], (T0, 1))
            .Add("m", [("a", "x"), ("b", "2")], (T0, 5));
        var error = await Assert.ThrowsAsync<PromQueryException>(() => Engine(source).InstantAsync("m + on(a) m", T0, CancellationToken.None));
        Assert.Equal(PromErrorType.Execution, error.ErrorType);
        Assert.Contains("many-to-many matching not allowed", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Comparison_KeepsTheLeftSampleAndName_BoolGivesZeroOrOneWithoutName()
    {
        var source = new InMemorySeriesSource().Add("m", [("a", "x")], (T0, 7)).Add("n", [("a", "x")], (T0, 3));
        var engine = Engine(source);

        var kept = Assert.Single((await engine.InstantAsync("m > n", T0, CancellationToken.None)).Vector);
        Assert.Equal(("m", 7.0), (kept.Labels.Name, kept.Value));
        var boolean = Assert.Single((await engine.InstantAsync("m < bool n", T0, CancellationToken.None)).Vector);
        Assert.Equal((string.Empty, 0.0), (boolean.Labels.Name, boolean.Value));
    }

    [Fact]
    public async Task EachSelector_IsLoadedOncePerQuery_WhateverTheSteps()
    {
        var source = new InMemorySeriesSource().Add("c", [], Every15s(100, i => i));
        await Engine(source).RangeAsync("rate(c[5m]) + c", T0, T0 + (20 * Minute), 15_000, CancellationToken.None);
        Assert.Equal(2, source.Selects);
    }

    [Fact]
    public async Task ResultPoints_PastTheCap_AreAnExecutionError()
    {
        var source = new InMemorySeriesSource().Add("c", [], Every15s(100, i => i));
        var engine = Engine(source, new PromEngineOptions { MaxResultPoints = 1_000, MaxResultPointsName = "PromQL:MaxSamples" });

        var error = await Assert.ThrowsAsync<PromQueryException>(() => engine.RangeAsync("c", T0, T0 + (30 * Minute), 1_000, CancellationToken.None));
        Assert.Equal(PromErrorType.Execution, error.ErrorType);
        Assert.Contains("more than 1000 result points in memory (PromQL:MaxSamples)", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Samples_PastTheBudget_AreAnExecutionError()
    {
        var source = new InMemorySeriesSource().Add("c", [], Every15s(100, i => i));
        var engine = Engine(source, new PromEngineOptions { MaxSamples = 50 });

        var error = await Assert.ThrowsAsync<PromQueryException>(() => engine.RangeAsync("c", T0, T0 + (30 * Minute), 60_000, CancellationToken.None));
        Assert.Equal(PromErrorType.Execution, error.ErrorType);
    }

    [Fact]
    public async Task RangeQuery_OfARangeSelector_IsBadData_AndTooManyStepsToo()
    {
        var engine = Engine(new InMemorySeriesSource());
        var matrix = await Assert.ThrowsAsync<PromQueryException>(() => engine.RangeAsync("c[5m]", T0, T0 + Minute, 1_000, CancellationToken.None));
        Assert.Equal(PromErrorType.BadData, matrix.ErrorType);
        var steps = await Assert.ThrowsAsync<PromQueryException>(() => engine.RangeAsync("c", T0, T0 + (24 * 60 * Minute), 1_000, CancellationToken.None));
        Assert.Contains("exceeded maximum resolution", steps.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Cancellation_StopsTheQuery()
    {
        var source = new InMemorySeriesSource().Add("c", [], Every15s(10, i => i));
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Engine(source).RangeAsync("rate(c[1m])", T0, T0 + Minute, 1_000, cancelled.Token));
    }

    [Fact]
    public async Task InstantQuery_OfARangeSelector_IsAMatrixOfRawSamples_BothEndsIncluded()
    {
        var source = new InMemorySeriesSource().Add("c", [("a", "1")], Every15s(10, i => i));
        var result = await Engine(source).InstantAsync("c[1m]", T0 + Minute, CancellationToken.None);

        Assert.Equal(PromValueType.Matrix, result.Type);
        var series = Assert.Single(result.Matrix);
        Assert.Equal([T0, T0 + 15_000, T0 + 30_000, T0 + 45_000, T0 + Minute], series.TimestampsMs);
    }
}
