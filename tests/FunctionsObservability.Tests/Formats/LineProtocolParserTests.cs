using FunctionsObservability.Pipeline.Formats;
using FunctionsObservability.Pipeline.Model;
using static FunctionsObservability.Tests.Formats.ParserTestKit;

namespace FunctionsObservability.Tests.Formats;

public sealed class LineProtocolParserTests
{
    private readonly LineProtocolParser _parser = new();

    [Fact]
    public void Parse_MultipleFields_OnePointPerFieldNamedMeasurementField()
    {
        using var batch = Parse(_parser, "cpu,host=h1 usage_user=1.5,usage_system=3i 1704067200000000000");

        Assert.Empty(batch.Errors);
        Assert.Equal(1, batch.LineCount);
        Assert.Equal(
            [
                new ParsedPoint("cpu_usage_user,host=h1", 1_704_067_200_000_000, 1.5, 1),
                new ParsedPoint("cpu_usage_system,host=h1", 1_704_067_200_000_000, 3, 1),
            ],
            Points(batch));
        Assert.Equal("cpu_usage_user", batch.Series[0].Metric);
        Assert.Equal([new KeyValuePair<string, string>("host", "h1")], batch.Series[0].Tags);
    }

    [Theory]
    [InlineData("3i", 3)]
    [InlineData("-9223372036854775808i", -9223372036854775808d)]
    [InlineData("18446744073709551615u", 18446744073709551615d)]
    [InlineData("0u", 0)]
    [InlineData("1", 1)]
    [InlineData("-1e3", -1000)]
    [InlineData("1E3", 1000)]
    [InlineData("-0.5", -0.5)]
    [InlineData(".5", 0.5)]
    [InlineData("1.", 1)]
    [InlineData("1.5e-3", 0.0015)]
    [InlineData("t", 1)]
    [InlineData("T", 1)]
    [InlineData("true", 1)]
    [InlineData("True", 1)]
    [InlineData("TRUE", 1)]
    [InlineData("f", 0)]
    [InlineData("F", 0)]
    [InlineData("false", 0)]
    [InlineData("False", 0)]
    [InlineData("FALSE", 0)]
    public void Parse_NumericAndBooleanValues_StoredAsDouble(string text, double expected)
    {
        using var batch = Parse(_parser, $"m v={text} 1000");

        Assert.Empty(batch.Errors);
        Assert.Equal([new ParsedPoint("m_v", 1, expected, 1)], Points(batch));
    }

    [Theory]
    [InlineData("NaN")]
    [InlineData("1e400")]
    [InlineData("-1e400")]
    public void Parse_NaNAndOverflow_PassedThroughForTheValidator(string text)
    {
        using var batch = Parse(_parser, $"m v={text}");

        Assert.Empty(batch.Errors);
        Assert.Equal(double.Parse(text, System.Globalization.CultureInfo.InvariantCulture), Assert.Single(Points(batch)).Value);
    }

    [Fact]
    public void Parse_EscapesInMeasurementTagsAndFieldKeys_AreUnescaped()
    {
        using var batch = Parse(_parser, @"my\ cpu\,x,host\ name=web\,01,k\=1=v\ 2 field\ a\,b\=c=1");

        Assert.Empty(batch.Errors);
        var series = Assert.Single(batch.Series);
        Assert.Equal("my cpu,x_field a,b=c", series.Metric);
        Assert.Equal(
            [new KeyValuePair<string, string>("host name", "web,01"), new KeyValuePair<string, string>("k=1", "v 2")],
            series.Tags);
    }

    [Fact]
    public void Parse_BackslashBeforeOrdinaryCharacter_IsKeptLiterally()
    {
        using var batch = Parse(_parser, @"c:\temp,path=a\b v=1");

        Assert.Empty(batch.Errors);
        Assert.Equal(@"c:\temp_v,path=a\b", Assert.Single(Points(batch)).Series);
    }

    [Fact]
    public void Parse_TagsInAnyOrder_StoredSortedAndSharingOneSeries()
    {
        using var batch = Parse(_parser, "m,zone=z,app=a,host=h v=1\nm,host=h,app=a,zone=z v=2");

        Assert.Empty(batch.Errors);
        var series = Assert.Single(batch.Series);
        Assert.Equal(["app", "host", "zone"], series.Tags.Select(t => t.Key));
        Assert.Equal([0, 0], batch.SeriesIndexes.ToArray());
    }

    [Fact]
    public void Parse_SameSeriesOnTwoLines_ReusesSeriesIndex()
    {
        using var batch = Parse(_parser, "cpu,host=h1 a=1,b=2 1000\ncpu,host=h1 b=4,a=3 2000\ncpu,host=h2 a=5 3000");

        Assert.Empty(batch.Errors);
        Assert.Equal(3, batch.Series.Count);
        Assert.Equal([0, 1, 1, 0, 2], batch.SeriesIndexes.ToArray());
        Assert.Equal([1, 2, 4, 3, 5], batch.Values.ToArray());
    }

    [Theory]
    [InlineData(TimestampPrecision.Nanoseconds, "1704067200123456789", 1_704_067_200_123_456)]
    [InlineData(TimestampPrecision.Nanoseconds, "-1500", -2)]
    [InlineData(TimestampPrecision.Microseconds, "1704067200123456", 1_704_067_200_123_456)]
    [InlineData(TimestampPrecision.Milliseconds, "1704067200123", 1_704_067_200_123_000)]
    [InlineData(TimestampPrecision.Seconds, "1704067200", 1_704_067_200_000_000)]
    [InlineData(TimestampPrecision.Seconds, "-1", -1_000_000)]
    public void Parse_Precision_ConvertsToMicroseconds(TimestampPrecision precision, string timestamp, long expected)
    {
        using var batch = Parse(_parser, $"m v=1 {timestamp}", Settings with { Precision = precision });

        Assert.Empty(batch.Errors);
        Assert.Equal(expected, Assert.Single(Points(batch)).Timestamp);
    }

    [Fact]
    public void Parse_MissingTimestamp_UsesDefault()
    {
        using var batch = Parse(_parser, "m v=1\nm v=2   ");

        Assert.Empty(batch.Errors);
        Assert.All(Points(batch), p => Assert.Equal(DefaultTimestamp, p.Timestamp));
    }

    [Fact]
    public void Parse_CrLfCommentsAndBlankLines_CountForNumberingButNotAsUnits()
    {
        using var batch = Parse(_parser, "# header\r\nm v=1 1000\r\n\r\n   \r\n  # indented comment\r\nm v=2 2000\r\n");

        Assert.Empty(batch.Errors);
        Assert.Equal(2, batch.LineCount);
        Assert.Equal([new ParsedPoint("m_v", 1, 1, 2), new ParsedPoint("m_v", 2, 2, 6)], Points(batch));
    }

    [Fact]
    public void Parse_ExtraSpacesBetweenSections_Tolerated()
    {
        using var batch = Parse(_parser, "m,t=a   v=1   1000");

        Assert.Empty(batch.Errors);
        Assert.Equal([new ParsedPoint("m_v,t=a", 1, 1, 1)], Points(batch));
    }

    [Fact]
    public void Parse_QuotedStringWithSpacesCommasAndEquals_RejectsWholeLineNamingField()
    {
        using var batch = Parse(_parser, "m v=1\nm,host=a usage=2,msg=\"a b, c=d \\\" e\",other=3 1000\nm v=4");

        var error = SingleError(batch);
        Assert.Equal(new LineError(2, "field \"msg\" is a string; only numeric and boolean fields are stored"), error);
        Assert.Equal([1, 3], Points(batch).Select(p => p.Line));
        Assert.Single(batch.Series);
    }

    [Fact]
    public void Parse_RepeatedField_LastValueWins()
    {
        using var batch = Parse(_parser, "m v=1,v=2");

        Assert.Equal([new ParsedPoint("m_v", DefaultTimestamp, 2, 1)], Points(batch));
    }

    [Fact]
    public void Parse_LineFailingAfterGoodFields_AddsNoPointsAndNoSeries()
    {
        using var batch = Parse(_parser, "m,host=a good=1,bad=x 1000");

        Assert.Equal(1, batch.LineCount);
        Assert.Equal(0, batch.Count);
        Assert.Empty(batch.Series);
        Assert.Contains("field \"bad\"", SingleError(batch).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_EmptyPayload_NoUnitsNoErrors()
    {
        using var batch = Parse(_parser, "\n\n# only a comment\n");

        Assert.Equal(0, batch.LineCount);
        Assert.Equal(0, batch.Count);
        Assert.Empty(batch.Errors);
    }

    [Fact]
    public void Parse_ManyLinesAndSeries_KeepsOrderAndIndexes()
    {
        var body = string.Join('\n', Enumerable.Range(0, 2000).Select(i => $"cpu,host=h{i % 50} u={i}i {i}000"));

        using var batch = Parse(_parser, body);

        Assert.Empty(batch.Errors);
        Assert.Equal(2000, batch.Count);
        Assert.Equal(50, batch.Series.Count);
        for (var i = 0; i < 2000; i++)
        {
            Assert.Equal(i, batch.Values[i]);
            Assert.Equal(i % 50, batch.SeriesIndexes[i]);
            Assert.Equal($"cpu_u,host=h{i % 50}", batch.Series[batch.SeriesIndexes[i]].ToString());
        }
    }
}
