using FunctionsObservability.Pipeline.Model;
using FunctionsObservability.Pipeline.PromQL;
using FunctionsObservability.Pipeline.Query;
using FunctionsObservability.Pipeline.Storage;

namespace FunctionsObservability.Tests.PromApi;

/// <summary>The PromQL sample cache alone: validity by data version, coverage of the range, the memory budget, slices.</summary>
public sealed class SeriesSampleCacheTests
{
    private static readonly PromLabels Labels = PromLabels.From([KeyValuePair.Create("__name__", "m")]);

    private readonly DataVersions _versions = new();

    [Fact]
    public void Samples_are_served_for_the_range_read_and_narrower_ones_only()
    {
        var cache = NewCache(1 << 20);
        var series = Series(1);
        var version = cache.VersionOf(series.MetricId);
        cache.Add(series, version, 1_000_000, 9_000_000, Samples(1_000, 2_000, 3_000));

        Assert.Equal(1, Find(cache, series, 1_000_000, 9_000_000));
        Assert.Equal(1, Find(cache, series, 2_000_000, 3_000_000));
        Assert.Equal(0, Find(cache, series, 999_000, 9_000_000));
        Assert.Equal(0, Find(cache, series, 1_000_000, 9_001_000));
    }

    [Fact]
    public void A_write_to_the_metric_after_the_read_began_makes_the_samples_unusable()
    {
        var cache = NewCache(1 << 20);
        var series = Series(1);
        var version = cache.VersionOf(series.MetricId);
        cache.Add(series, version, 0, 10_000_000, Samples(1_000));
        Assert.Equal(1, Find(cache, series, 0, 10_000_000));

        _versions.Bump(series.MetricId);

        Assert.Equal(0, Find(cache, series, 0, 10_000_000));
        Assert.Equal(0, cache.Count);

        // Read before the write, stored after it: never kept.
        cache.Add(series, version, 0, 10_000_000, Samples(1_000));
        Assert.Equal(0, cache.Count);
    }

    [Fact]
    public void Archive_and_retention_moving_every_version_empty_the_cache_for_every_metric()
    {
        var cache = NewCache(1 << 20);
        var (a, b) = (Series(1, metricId: 0), Series(2, metricId: 1));
        cache.Add(a, cache.VersionOf(0), 0, 10_000_000, Samples(1_000));
        cache.Add(b, cache.VersionOf(1), 0, 10_000_000, Samples(1_000));

        _versions.BumpAll();

        Assert.Equal(0, Find(cache, a, 0, 10_000_000));
        Assert.Equal(0, Find(cache, b, 0, 10_000_000));
    }

    [Fact]
    public void The_least_recently_used_series_go_first_and_a_series_above_an_eighth_of_the_budget_is_not_kept()
    {
        var one = Samples([.. Enumerable.Range(0, 100).Select(i => (long)i)]);
        var budget = 8 * (one.SizeBytes + 160);
        var cache = NewCache(budget);
        var series = Enumerable.Range(1, 9).Select(i => Series(i)).ToArray();
        foreach (var s in series[..8])
        {
            cache.Add(s, cache.VersionOf(0), 0, 1_000_000, one);
        }

        Assert.Equal(8, cache.Count);
        Assert.Equal(1, Find(cache, series[0], 0, 1_000_000));
        cache.Add(series[8], cache.VersionOf(0), 0, 1_000_000, one);

        Assert.Equal(8, cache.Count);
        Assert.True(cache.SizeBytes <= budget);
        Assert.Equal(1, Find(cache, series[0], 0, 1_000_000));
        Assert.Equal(0, Find(cache, series[1], 0, 1_000_000));
        Assert.Equal(1, Find(cache, series[8], 0, 1_000_000));

        var big = Samples([.. Enumerable.Range(0, 1_000).Select(i => (long)i)]);
        cache.Add(Series(99), cache.VersionOf(0), 0, 1_000_000, big);
        Assert.Equal(0, Find(cache, Series(99), 0, 1_000_000));
    }

    [Fact]
    public void A_budget_of_zero_turns_the_cache_off()
    {
        var cache = NewCache(0);
        var series = Series(1);
        cache.Add(series, cache.VersionOf(0), 0, 10_000_000, Samples(1_000));

        Assert.False(cache.Enabled);
        Assert.Equal(0, Find(cache, series, 0, 10_000_000));
    }

    [Theory]
    [InlineData(0, 100, 0, 5)]
    [InlineData(20, 40, 2, 5)]
    [InlineData(21, 39, 3, 4)]
    [InlineData(41, 100, 5, 5)]
    [InlineData(-5, 9, 0, 1)]
    public void A_slice_holds_the_samples_between_its_bounds_inclusive(long min, long max, int start, int end)
    {
        var samples = Samples(0, 10, 20, 30, 40);

        var slice = samples.Slice(Labels, min, max);

        if (start == end)
        {
            Assert.Null(slice);
            return;
        }

        Assert.Equal((start, end), (slice!.Start, slice.End));
        Assert.Same(samples, slice.Origin);
        Assert.Equal(samples.TimestampsMs[start..end], slice.TimestampsMs[slice.Start..slice.End]);
    }

    [Fact]
    public void Counter_resets_are_every_sample_lower_than_the_one_before()
    {
        var random = new Random(7);
        var values = Enumerable.Range(0, 5_000).Select(_ => (double)random.Next(0, 50)).ToArray();
        values[100] = double.NaN;
        var samples = new CachedSamples([.. Enumerable.Range(0, values.Length).Select(i => (long)i)], values, values.Length);

        var expected = Enumerable.Range(1, values.Length - 1).Where(i => values[i] < values[i - 1]).ToArray();

        Assert.Equal(expected, samples.CounterResets);
        Assert.Same(samples.CounterResets, samples.CounterResets);
        Assert.Empty(new CachedSamples([1, 2, 3], [1, 2, 3], 3).CounterResets);
    }

    private SeriesSampleCache NewCache(long bytes) => new(_versions, new PromQLOptions { SampleCacheBytes = bytes }, new QueryMetrics());

    private static int Find(SeriesSampleCache cache, SeriesEntry series, long from, long to)
    {
        var found = new CachedSamples?[1];
        return cache.Find([series], cache.VersionOf(series.MetricId), from, to, found);
    }

    private static SeriesEntry Series(int id, int metricId = 0) =>
        new(id, metricId, SeriesDescriptor.Create("m", [KeyValuePair.Create("host", "h" + id)]), persisted: true);

    private static CachedSamples Samples(params long[] timestampsMs) =>
        new(timestampsMs, [.. timestampsMs.Select(t => (double)t)], timestampsMs.Length);
}
