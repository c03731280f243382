using System.Text;
using FunctionsObservability.Pipeline.Formats;
using static FunctionsObservability.Tests.Formats.ParserTestKit;

namespace FunctionsObservability.Tests.Formats;

public sealed class LineProtocolKeyCacheTests
{
    [Fact]
    public void Find_SameKeyTwice_ReturnsTheSameEntry()
    {
        var cache = new LineProtocolKeyCache();

        var first = cache.Find("cpu,host=h1"u8, out var error);
        var second = cache.Find("cpu,host=h1"u8, out _);

        Assert.Null(error);
        Assert.NotNull(first);
        Assert.Same(first, second);
    }

    [Fact]
    public void Find_BadKey_IsNotKeptAndGivesTheErrorEachTime()
    {
        var cache = new LineProtocolKeyCache();

        Assert.Null(cache.Find("cpu,host"u8, out var first));
        Assert.Null(cache.Find("cpu,host"u8, out var second));

        Assert.Equal("tag \"host\" has no '=' and value", first);
        Assert.Equal(first, second);
    }

    [Fact]
    public void Find_ManyMoreKeysThanCapacity_KeysInUseStayAndOthersParseAgain()
    {
        var cache = new LineProtocolKeyCache(capacity: 8);
        var hot = cache.Find("hot,t=1"u8, out _);

        for (var i = 0; i < 100; i++)
        {
            Assert.NotNull(cache.Find(Encoding.UTF8.GetBytes($"cold,t={i}"), out _));
            Assert.Same(hot, cache.Find("hot,t=1"u8, out _));
        }

        var again = cache.Find("cold,t=0"u8, out var error);
        Assert.Null(error);
        Assert.Equal("cold_v,t=0", again!.GetField("v"u8, 0, out _)!.Descriptor.ToString());
    }

    [Fact]
    public void Parse_LaterRequests_ShareSeriesAndLearnNewFields()
    {
        var parser = new LineProtocolParser();
        using var first = Parse(parser, "cpu,host=h1 a=1 1000");
        using var second = Parse(parser, "cpu,host=h1 b=2,a=3 2000\ncpu,host=h1 a=4 3000");

        Assert.Same(first.Series[0], second.Series[1]);
        Assert.Equal(["cpu_b,host=h1", "cpu_a,host=h1"], second.Series.Select(s => s.ToString()));
        Assert.Equal([0, 1, 1], second.SeriesIndexes.ToArray());
        Assert.Equal([2, 3, 4], second.Values.ToArray());
    }

    [Fact]
    public void Parse_ConcurrentRequestsOfTheSameKeys_AllPointsInTheirOwnSeries()
    {
        var parser = new LineProtocolParser();
        var body = string.Join('\n', Enumerable.Range(0, 50).Select(i => $"m,host=h{i % 7} f{i % 5}={i} {i}"));

        Parallel.For(0, 64, _ =>
        {
            using var batch = Parse(parser, body);
            Assert.Empty(batch.Errors);
            var points = Points(batch);
            for (var i = 0; i < 50; i++)
            {
                Assert.Equal($"m_f{i % 5},host=h{i % 7}", points[i].Series);
                Assert.Equal(i, points[i].Value);
            }
        });
    }
}
