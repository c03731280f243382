using FunctionsObservability.Pipeline.PromQL;

namespace FunctionsObservability.Tests.PromApi;

/// <summary>How the store's rows of one series become PromQL samples: time order, milliseconds, one sample per millisecond.</summary>
public sealed class SeriesSampleBuilderTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(7)]
    [InlineData(200)]
    public void Ascending_runs_in_any_order_come_out_sorted(int runs)
    {
        var random = new Random(runs);
        var times = Enumerable.Range(0, 1000).Select(i => i * 1000L).ToArray();
        var chunks = times.Chunk((times.Length + runs - 1) / runs).OrderBy(_ => random.Next()).ToArray();
        var builder = new SeriesSampleBuilder(4);
        foreach (var chunk in chunks)
        {
            foreach (var micros in chunk)
            {
                builder.Add(micros, micros / 1000.0);
            }
        }

        var series = builder.Build()!;
        Assert.Equal(1000, series.Count);
        Assert.Equal(Enumerable.Range(0, 1000).Select(i => (long)i), series.TimestampsMs.Take(series.Count));
        Assert.Equal(Enumerable.Range(0, 1000).Select(i => (double)i), series.Values.Take(series.Count));
    }

    [Fact]
    public void One_sample_per_millisecond_the_latest_or_at_the_same_instant_the_largest()
    {
        var builder = new SeriesSampleBuilder(2);
        builder.Add(5_000_900, 3);
        builder.Add(5_000_100, 1);
        builder.Add(5_000_900, 2);
        builder.Add(-1_500, 7);
        builder.Add(9_000_000, 4);
        builder.Add(9_000_000, 6);

        var series = builder.Build()!;

        Assert.Equal([-2L, 5_000, 9_000], series.TimestampsMs.Take(series.Count));
        Assert.Equal([7.0, 3, 6], series.Values.Take(series.Count));
    }

    [Fact]
    public void No_rows_is_no_series() => Assert.Null(new SeriesSampleBuilder(1).Build());
}
