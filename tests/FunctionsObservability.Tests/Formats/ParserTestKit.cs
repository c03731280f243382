using System.Text;
using FunctionsObservability.Pipeline.Formats;
using FunctionsObservability.Pipeline.Model;

namespace FunctionsObservability.Tests.Formats;

/// <summary>A point as tests compare it: the series rendered as <c>metric,tag=value</c>.</summary>
internal sealed record ParsedPoint(string Series, long Timestamp, double Value, int Line);

internal static class ParserTestKit
{
    public const long DefaultTimestamp = 1_700_000_000_000_000;

    public static readonly ParseSettings Settings = new(TimestampPrecision.Nanoseconds, DefaultTimestamp, MaxLineBytes: 100);

    public static ParsedBatch Parse(IPointParser parser, string body, ParseSettings? settings = null)
    {
        var batch = new ParsedBatch();
        parser.Parse(Encoding.UTF8.GetBytes(body), settings ?? Settings, batch);
        return batch;
    }

    public static List<ParsedPoint> Points(ParsedBatch batch)
    {
        var points = new List<ParsedPoint>(batch.Count);
        for (var i = 0; i < batch.Count; i++)
        {
            var series = batch.Series[batch.SeriesIndexes[i]].ToString();
            points.Add(new ParsedPoint(series, batch.Timestamps[i], batch.Values[i], batch.Lines[i]));
        }

        return points;
    }

    public static LineError SingleError(ParsedBatch batch)
    {
        Assert.Equal(1, batch.ErrorCount);
        return Assert.Single(batch.Errors);
    }
}
