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
        Add(cache, series, 1_000_000, 9_000_000, Samples(1_000, 2_000, 3_000));

        Assert.Equal(1, Find(cache, series, 1_000_000, 9_000_000));
        Assert.Equal(1, Find(cache, series, 2_000_000, 3_000_000));
        Assert.Equal(0, Find(cache, series, 999_000, 9_000_000));
        Assert.Equal(0, Find(cache, series, 1_000_000, 9_001_000));
    }

    [Fact]
    public void Points_committed_after_an_open_series_newest_sample_are_appended_and_earlier_answers_keep_their_samples()
    {
        var cache = NewCache(1 << 20);
        var series = Series(1);
        Add(cache, series, 0, long.MaxValue, Samples(1_000, 2_000));
        var before = Snapshot(cache, series);

        cache.Committed([Chunk(series, (3_000_000, 30), (40_000_000, 40))]);

        var after = Snapshot(cache, series);
        Assert.Equal([1_000L, 2_000, 3_000, 40_000], after.TimestampsMs[..after.Count]);
        Assert.Equal([1_000.0, 2_000, 30, 40], after.Values[..after.Count]);
        Assert.Equal(2, before.Count);
        Assert.Equal([1_000L, 2_000], before.TimestampsMs[..before.Count]);
    }

    [Theory]
    [InlineData(long.MaxValue, 2_000_000, false)]
    [InlineData(long.MaxValue, 1_500_000, false)]
    [InlineData(long.MaxValue, 2_000_999, false)]
    [InlineData(long.MaxValue, 999_999, true)]
    [InlineData(9_000_000, 5_000_000, false)]
    [InlineData(9_000_000, 9_000_000, true)]
    [InlineData(9_000_000, 500_000, true)]
    public void A_committed_point_the_cache_cannot_append_drops_the_series_one_outside_its_range_leaves_it(long toMicros, long micros, bool kept)
    {
        var cache = NewCache(1 << 20);
        var series = Series(1);
        Add(cache, series, 1_000_000, toMicros, Samples(1_000, 2_000));

        cache.Committed([Chunk(series, (micros, 1))]);

        Assert.Equal(kept ? 1 : 0, Find(cache, series, 1_000_000, 2_000_001));
    }

    [Fact]
    public void A_series_committed_to_while_it_is_read_is_not_kept_and_the_others_of_the_read_are()
    {
        var cache = NewCache(1 << 20);
        var (written, quiet) = (Series(1), Series(2));
        using (var fill = cache.BeginFill([written, quiet]))
        {
            cache.Committed([Chunk(written, (5_000_000, 1))]);
            cache.Add(fill, written, 0, long.MaxValue, Samples(1_000));
            cache.Add(fill, quiet, 0, long.MaxValue, Samples(1_000));
        }

        Assert.Equal(0, Find(cache, written, 0, long.MaxValue));
        Assert.Equal(1, Find(cache, quiet, 0, long.MaxValue));

        // A later read of it is kept, and later commits extend it.
        Add(cache, written, 0, long.MaxValue, Samples(1_000, 5_000));
        cache.Committed([Chunk(written, (6_000_000, 2))]);
        Assert.Equal(3, Snapshot(cache, written).Count);
    }

    [Fact]
    public void Archive_and_retention_moving_every_version_empty_the_cache_and_a_read_begun_before_is_not_kept()
    {
        var cache = NewCache(1 << 20);
        var (a, b) = (Series(1, metricId: 0), Series(2, metricId: 1));
        Add(cache, a, 0, 10_000_000, Samples(1_000));
        using var fill = cache.BeginFill([b]);

        _versions.BumpAll();
        cache.Add(fill, b, 0, 10_000_000, Samples(1_000));

        Assert.Equal(0, Find(cache, a, 0, 10_000_000));
        Assert.Equal(0, Find(cache, b, 0, 10_000_000));
        Assert.Equal(0, cache.Count);
    }

    [Fact]
    public void The_least_recently_used_series_go_first_and_a_series_above_an_eighth_of_the_budget_is_not_kept()
    {
        var one = Samples([.. Enumerable.Range(0, 100).Select(i => (long)i)]);
        var budget = 8 * (one.SizeBytes + CachedSeries.OverheadBytes);
        var cache = NewCache(budget);
        var series = Enumerable.Range(1, 9).Select(i => Series(i)).ToArray();
        foreach (var s in series[..8])
        {
            Add(cache, s, 0, 1_000_000, one);
        }

        Assert.Equal(8, cache.Count);
        Assert.Equal(1, Find(cache, series[0], 0, 1_000_000));
        Add(cache, series[8], 0, 1_000_000, one);

        Assert.Equal(8, cache.Count);
        Assert.True(cache.SizeBytes <= budget);
        Assert.Equal(1, Find(cache, series[0], 0, 1_000_000));
        Assert.Equal(0, Find(cache, series[1], 0, 1_000_000));
        Assert.Equal(1, Find(cache, series[8], 0, 1_000_000));

        var big = Samples([.. Enumerable.Range(0, 1_000).Select(i => (long)i)]);
        Add(cache, Series(99), 0, 1_000_000, big);
        Assert.Equal(0, Find(cache, Series(99), 0, 1_000_000));
    }

    [Fact]
    public void An_open_series_that_grows_past_an_eighth_of_the_budget_is_dropped_and_the_size_stays_within_it()
    {
        var budget = 64L * 1024;
        var cache = NewCache(budget);
        var series = Series(1);
        // Its read covered 100 s, and all 2,000 new points lie within 100 s of the newest.
        Add(cache, series, 0, long.MaxValue, Samples(0, 100_000));
        var points = Enumerable.Range(1, 2_000).Select(i => ((100_000L + i) * 1_000, (double)i)).ToArray();

        cache.Committed([Chunk(series, points)]);

        Assert.Equal(0, cache.Count);
        Assert.Equal(0, cache.SizeBytes);
    }

    [Fact]
    public void An_open_series_keeps_about_the_span_its_read_covered_and_its_range_starts_where_what_it_keeps_does()
    {
        var cache = NewCache(1 << 20);
        var series = Series(1);
        Add(cache, series, 0, long.MaxValue, Samples([.. Enumerable.Range(1, 10).Select(i => i * 1_000L)]));

        cache.Committed([Chunk(series, [.. Enumerable.Range(11, 50).Select(i => (i * 1_000_000L, (double)i))])]);

        Assert.Equal(0, Find(cache, series, 0, long.MaxValue));
        var kept = Snapshot(cache, series, 50_000_000);
        var timestamps = kept.TimestampsMs[..kept.Count];
        Assert.InRange(kept.Count, 10, 30);
        Assert.Equal(60_000, timestamps[^1]);
        Assert.Equal(Enumerable.Range(0, kept.Count).Select(i => timestamps[0] + (i * 1_000L)), timestamps);
        Assert.Equal(1, Find(cache, series, timestamps[0] * 1_000, long.MaxValue));
        Assert.Equal(0, Find(cache, series, (timestamps[0] * 1_000) - 1, long.MaxValue));

        // What the cache counts for it is exactly what it gives back when the series goes.
        cache.Committed([Chunk(series, (60_000_000, 1))]);
        Assert.Equal(0, cache.Count);
        Assert.Equal(0, cache.SizeBytes);
    }

    [Fact]
    public void A_budget_of_zero_turns_the_cache_off()
    {
        var cache = NewCache(0);
        var series = Series(1);
        Add(cache, series, 0, 10_000_000, Samples(1_000));

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

    private static void Add(SeriesSampleCache cache, SeriesEntry series, long from, long to, CachedSamples samples)
    {
        using var fill = cache.BeginFill([series]);
        cache.Add(fill, series, from, to, samples);
    }

    private static int Find(SeriesSampleCache cache, SeriesEntry series, long from, long to) => cache.Find([series], from, to, new CachedSamples?[1]);

    private static CachedSamples Snapshot(SeriesSampleCache cache, SeriesEntry series, long fromMicros = 0)
    {
        var found = new CachedSamples?[1];
        Assert.Equal(1, cache.Find([series], fromMicros, fromMicros, found));
        return found[0]!;
    }

    private static PointChunk Chunk(SeriesEntry series, params (long Micros, double Value)[] points)
    {
        var batch = new ParsedBatch();
        var index = batch.AddSeries(series.Descriptor);
        foreach (var (micros, value) in points)
        {
            batch.Add(index, micros, value, line: 1);
        }

        return new PointChunk(batch, [series]);
    }

    private static SeriesEntry Series(int id, int metricId = 0) =>
        new(id, metricId, SeriesDescriptor.Create("m", [KeyValuePair.Create("host", "h" + id)]), persisted: true);

    private static CachedSamples Samples(params long[] timestampsMs) =>
        new(timestampsMs, [.. timestampsMs.Select(t => (double)t)], timestampsMs.Length);
}
