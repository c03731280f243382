using FunctionsObservability.Pipeline.Formats;
using FunctionsObservability.Pipeline.Formats.Prometheus;
using FunctionsObservability.Pipeline.Model;
using Google.Protobuf;
using Snappier;

namespace FunctionsObservability.Tests.Formats;

/// <summary>Prometheus remote_write bodies: snappy block around a protobuf WriteRequest, as Prometheus sends them.</summary>
public sealed class RemoteWriteParserTests
{
    private const long T0 = 1_767_225_600_000; // 2026-01-01T00:00:00Z, ms

    private static readonly ParseSettings Settings = new(TimestampPrecision.Nanoseconds, 0, 64 * 1024);

    private static TimeSeries Series(string? name, IEnumerable<(string Name, string Value)> labels, params (double Value, long Timestamp)[] samples)
    {
        var series = new TimeSeries();
        if (name is not null)
        {
            series.Labels.Add(new Label { Name = "__name__", Value = name });
        }

        series.Labels.AddRange(labels.Select(l => new Label { Name = l.Name, Value = l.Value }));
        series.Samples.AddRange(samples.Select(s => new Sample { Value = s.Value, Timestamp = s.Timestamp }));
        return series;
    }

    private static byte[] Body(params TimeSeries[] series)
    {
        var request = new WriteRequest();
        request.Timeseries.AddRange(series);
        return Snappy.CompressToArray(request.ToByteArray());
    }

    private static ParsedBatch Parse(byte[] body, int maxDecodedBytes = 1 << 20)
    {
        var batch = new ParsedBatch();
        new RemoteWriteParser(maxDecodedBytes).Parse(body, Settings, batch);
        return batch;
    }

    [Fact]
    public void Series_BecomeMetricAndTags_AndSamplesBecomePointsInMicroseconds()
    {
        using var batch = Parse(Body(
            Series("http_requests_total", [("job", "api"), ("instance", "h1:9100")], (1, T0), (2.5, T0 + 15_000)),
            Series("up", [("job", "api"), ("instance", "h1:9100"), ("empty", "")], (1, T0))));

        Assert.Empty(batch.Errors);
        Assert.Equal(2, batch.LineCount);
        Assert.Equal(["http_requests_total", "up"], batch.Series.Select(s => s.Metric));
        Assert.Equal([new("instance", "h1:9100"), new("job", "api")], batch.Series[0].Tags);
        Assert.Equal([new("instance", "h1:9100"), new("job", "api")], batch.Series[1].Tags);
        Assert.Equal([T0 * 1000, (T0 + 15_000) * 1000, T0 * 1000], batch.Timestamps.ToArray());
        Assert.Equal([1, 2.5, 1], batch.Values.ToArray());
        Assert.Equal([1, 1, 2], batch.Lines.ToArray());
    }

    [Fact]
    public void StaleMarkers_AreSkipped_ButOtherNaNsReachTheValidator()
    {
        var stale = BitConverter.UInt64BitsToDouble(RemoteWriteParser.StaleMarkerBits);
        using var batch = Parse(Body(Series("up", [("job", "api")], (1, T0), (stale, T0 + 1000), (double.NaN, T0 + 2000))));

        Assert.Empty(batch.Errors);
        Assert.Equal(2, batch.Count);
        Assert.True(double.IsNaN(batch.Values[1]));
        Assert.NotEqual(RemoteWriteParser.StaleMarkerBits, BitConverter.DoubleToUInt64Bits(batch.Values[1]));
    }

    [Fact]
    public void ASeriesWithoutAName_OrWithARepeatedLabel_IsAnErrorOfThatSeriesOnly()
    {
        using var batch = Parse(Body(
            Series(null, [("job", "api")], (1, T0)),
            Series("up", [("job", "a"), ("job", "b")], (1, T0)),
            Series("up", [("job", "api")], (7, T0))));

        Assert.Equal([1, 2], batch.Errors.Select(e => e.Line));
        Assert.Contains("no __name__", batch.Errors[0].Message, StringComparison.Ordinal);
        Assert.Contains("\"job\" twice", batch.Errors[1].Message, StringComparison.Ordinal);
        Assert.Equal([7.0], batch.Values.ToArray());
        Assert.Equal([3], batch.Lines.ToArray());
    }

    [Theory]
    [InlineData("plain", "not a snappy block")]
    [InlineData("snappy-not-protobuf", "not a protobuf WriteRequest")]
    public void ABodyThatIsNotARemoteWriteRequest_IsOneErrorAndNoPoints(string kind, string expected)
    {
        var body = kind == "plain"
            ? "up{job=\"api\"} 1"u8.ToArray()
            : Snappy.CompressToArray([0xff, 0xff, 0xff, 0xff, 0xff]);

        using var batch = Parse(body);

        Assert.Equal(0, batch.Count);
        Assert.Single(batch.Errors);
        Assert.Contains(expected, batch.Errors[0].Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ABodyExpandingPastTheLimit_IsRefusedBeforeItIsExpanded()
    {
        var body = Body(Series("up", [("job", new string('x', 4096))], (1, T0)));

        using var batch = Parse(body, maxDecodedBytes: 1024);

        Assert.Equal(0, batch.Count);
        Assert.Contains("more than the limit of 1024 bytes", Assert.Single(batch.Errors).Message, StringComparison.Ordinal);
    }
}
