using FunctionsObservability.Pipeline.Query;
using FunctionsObservability.Pipeline.Storage;

namespace FunctionsObservability.Tests.Query;

public sealed class AggregateAnswerCacheTests
{
    private const int Metric = 3;

    private static AggregateAnswerCache Create(DataVersions versions, long budget) =>
        new(versions, new QueryOptions { AnswerCacheBytes = budget }, new QueryMetrics());

    private static IReadOnlyList<AggregateSeries> Answer(int buckets) =>
    [
        new AggregateSeries([new("host", "h1")], Enumerable.Range(0, buckets).Select(i => new BucketValue(i * 60_000_000L, i)).ToList()),
    ];

    private static AggregateRequest Request(long from, string? groupBy = null, params KeyValuePair<string, string>[] tags) =>
        new(new SeriesFilter("cpu", tags), new TimeRange(from, from + 3_600_000_000), 60_000_000, AggregateFunction.Avg, groupBy);

    [Fact]
    public void TryGet_AfterAdd_ReturnsTheSameAnswer_UntilTheMetricChanges()
    {
        var versions = new DataVersions();
        var cache = Create(versions, 1 << 20);
        var answer = Answer(10);

        Assert.False(cache.TryGet("k", Metric, out _, out var version));
        cache.Add("k", Metric, version, answer);
        Assert.True(cache.TryGet("k", Metric, out var cached, out _));
        Assert.Same(answer, cached);

        versions.Bump(Metric + 1);
        Assert.True(cache.TryGet("k", Metric, out _, out _));

        versions.Bump(Metric);
        Assert.False(cache.TryGet("k", Metric, out _, out _));
        Assert.Equal(0, cache.Count);
        Assert.Equal(0, cache.SizeBytes);
    }

    [Fact]
    public void TryGet_AfterBumpAll_Misses()
    {
        var versions = new DataVersions();
        var cache = Create(versions, 1 << 20);
        cache.TryGet("k", Metric, out _, out var version);
        cache.Add("k", Metric, version, Answer(10));

        versions.BumpAll();

        Assert.False(cache.TryGet("k", Metric, out _, out _));
    }

    [Fact]
    public void Add_DataChangedWhileTheQueryRan_KeepsNothing()
    {
        var versions = new DataVersions();
        var cache = Create(versions, 1 << 20);
        cache.TryGet("k", Metric, out _, out var version);

        versions.Bump(Metric);
        cache.Add("k", Metric, version, Answer(10));

        Assert.Equal(0, cache.Count);
    }

    [Fact]
    public void Add_AnOlderAnswerAfterANewerOne_KeepsTheNewer()
    {
        var versions = new DataVersions();
        var cache = Create(versions, 1 << 20);
        cache.TryGet("k", Metric, out _, out var older);
        versions.Bump(Metric);
        cache.TryGet("k", Metric, out _, out var newer);
        var fresh = Answer(2);

        cache.Add("k", Metric, newer, fresh);
        cache.Add("k", Metric, older, Answer(3));

        Assert.True(cache.TryGet("k", Metric, out var cached, out _));
        Assert.Same(fresh, cached);
    }

    [Fact]
    public void Add_ManyDistinctAnswers_NeverExceedsTheBudget_AndKeepsTheRecentOnes()
    {
        const long budget = 64 * 1024;
        var versions = new DataVersions();
        var cache = Create(versions, budget);

        for (var i = 0; i < 2_000; i++)
        {
            var key = AggregateAnswerKey.For(Request(i * 60_000_000L));
            cache.TryGet(key, Metric, out _, out var version);
            cache.Add(key, Metric, version, Answer(60));
            Assert.InRange(cache.SizeBytes, 1, budget);
        }

        Assert.InRange(cache.Count, 2, 1_999);
        Assert.True(cache.TryGet(AggregateAnswerKey.For(Request(1_999 * 60_000_000L)), Metric, out _, out _));
        Assert.False(cache.TryGet(AggregateAnswerKey.For(Request(0)), Metric, out _, out _));
    }

    [Fact]
    public void Add_RecentlyReadAnswer_OutlivesOlderOnes()
    {
        // Room for eight answers of this size (the most an answer may take is an eighth).
        var versions = new DataVersions();
        var one = AnswerSize.Estimate("k0", Answer(60));
        var cache = Create(versions, (one * 8) + (one / 2));
        for (var i = 0; i < 8; i++)
        {
            cache.TryGet($"k{i}", Metric, out _, out var version);
            cache.Add($"k{i}", Metric, version, Answer(60));
        }

        Assert.True(cache.TryGet("k0", Metric, out _, out var now));
        cache.Add("k8", Metric, now, Answer(60));

        Assert.Equal(8, cache.Count);
        Assert.False(cache.TryGet("k1", Metric, out _, out _));
        foreach (var key in new[] { "k0", "k2", "k7", "k8" })
        {
            Assert.True(cache.TryGet(key, Metric, out _, out _), key);
        }
    }

    [Fact]
    public void Add_AnswerAboveAnEighthOfTheBudget_IsNotKept()
    {
        var versions = new DataVersions();
        var cache = Create(versions, 64 * 1024);
        cache.TryGet("big", Metric, out _, out var version);

        cache.Add("big", Metric, version, Answer(1_000));

        Assert.Equal(0, cache.Count);
        Assert.Equal(0, cache.SizeBytes);
    }

    [Fact]
    public async Task AddAndTryGet_FromManyThreads_StayWithinTheBudget()
    {
        const long budget = 32 * 1024;
        var versions = new DataVersions();
        var cache = Create(versions, budget);

        await Task.WhenAll(Enumerable.Range(0, 4).Select(worker => Task.Run(() =>
        {
            for (var i = 0; i < 2_000; i++)
            {
                var key = AggregateAnswerKey.For(Request((i % 50) * 60_000_000L));
                if (!cache.TryGet(key, Metric, out _, out var version))
                {
                    cache.Add(key, Metric, version, Answer(20));
                }

                if (worker == 0 && i % 100 == 0)
                {
                    versions.Bump(Metric);
                }

                Assert.InRange(cache.SizeBytes, 0, budget);
            }
        })));

        Assert.InRange(cache.SizeBytes, 0, budget);
    }

    [Fact]
    public void Key_DiffersForEveryPartOfTheRequest()
    {
        var basis = Request(0);
        string[] keys =
        [
            AggregateAnswerKey.For(basis),
            AggregateAnswerKey.For(basis with { Filter = basis.Filter with { Metric = "cpu2" } }),
            AggregateAnswerKey.For(basis with { Filter = basis.Filter with { Tags = [new("host", "h1")] } }),
            AggregateAnswerKey.For(basis with { Filter = basis.Filter with { Tags = [new("host", "h1"), new("region", "r1")] } }),
            AggregateAnswerKey.For(basis with { Filter = basis.Filter with { Tags = [new("region", "r1"), new("host", "h1")] } }),
            AggregateAnswerKey.For(basis with { Filter = basis.Filter with { Tags = [new("host:h", "1")] } }),
            AggregateAnswerKey.For(basis with { Range = basis.Range with { FromMicros = 1 } }),
            AggregateAnswerKey.For(basis with { Range = basis.Range with { ToMicros = 1 } }),
            AggregateAnswerKey.For(basis with { StepMicros = 1 }),
            AggregateAnswerKey.For(basis with { Function = AggregateFunction.Max }),
            AggregateAnswerKey.For(basis with { GroupBy = "host" }),
            AggregateAnswerKey.For(basis with { GroupBy = "-" }),
        ];

        Assert.Equal(keys.Length, keys.Distinct(StringComparer.Ordinal).Count());
        Assert.Equal(keys[3], AggregateAnswerKey.For(Request(0, null, new("host", "h1"), new("region", "r1"))));
    }
}
