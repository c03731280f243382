using FunctionsObservability.Pipeline.Formats;
using FunctionsObservability.Pipeline.Model;
using static FunctionsObservability.Tests.Formats.ParserTestKit;

namespace FunctionsObservability.Tests.Formats;

public sealed class LineProtocolParserErrorTests
{
    private readonly LineProtocolParser _parser = new();

    public static TheoryData<string, string> MalformedLines => new()
    {
        { "cpu", "no fields" },
        { "cpu,host=h1", "no fields" },
        { "cpu,host=h1   ", "no fields" },
        { ",host=h1 v=1", "measurement is empty" },
        { "cpu,=h1 v=1", "a tag key is empty" },
        { "cpu,host=h1, v=1", "a tag key is empty" },
        { "cpu,host v=1", "tag \"host\" has no '=' and value" },
        { "cpu,host= v=1", "tag \"host\" has an empty value" },
        { "cpu,host=,zone=z v=1", "tag \"host\" has an empty value" },
        { "cpu,host=a=b v=1", "tag \"host\" value contains an unescaped '='" },
        { "cpu,host=a,zone=z,host=b v=1", "tag \"host\" appears more than once" },
        { "cpu,host=a,host\\ =b,host=c v=1", "tag \"host\" appears more than once" },
        { "cpu v", "field \"v\" has no '=' and value" },
        { "cpu v=1,w", "field \"w\" has no '=' and value" },
        { "cpu v=", "field \"v\" has no value" },
        { "cpu v=,w=1", "field \"v\" has no value" },
        { "cpu =1", "a field key is empty" },
        { "cpu v=1,", "a field key is empty" },
        { "cpu v=1, 1000", "a field key is empty" },
        { "cpu v=1.2.3", "field \"v\" has an invalid number value \"1.2.3\"" },
        { "cpu v=3x", "field \"v\" has an invalid number value \"3x\"" },
        { "cpu v=tru", "field \"v\" has an invalid number value \"tru\"" },
        { "cpu v=3.5i", "field \"v\" has an invalid integer value \"3.5i\"" },
        { "cpu v=i", "field \"v\" has an invalid number value \"i\"" },
        { "cpu v=9223372036854775808i", "field \"v\" has an invalid integer value" },
        { "cpu v=-3u", "field \"v\" has an invalid unsigned integer value \"-3u\"" },
        { "cpu a\\ b=x", "field \"a b\" has an invalid number value \"x\"" },
        { "cpu v=1 12x", "timestamp \"12x\" is not an integer" },
        { "cpu v=1 1.5", "timestamp \"1.5\" is not an integer" },
        { "cpu v=1 99999999999999999999", "timestamp \"99999999999999999999\" is not an integer" },
        { "cpu v=1 123 456", "unexpected text after the timestamp: \"456\"" },
        { "cpu msg=\"unterminated", "field \"msg\" has an unterminated string value" },
        { "cpu msg=\"ends in escape\\\"", "field \"msg\" has an unterminated string value" },
        { "cpu msg=\"hello world\"", "field \"msg\" is a string; only numeric and boolean fields are stored" },
        { "cpu v=1,msg=\"x\" 1000", "field \"msg\" is a string" },
        { "cpu msg=\"\"", "field \"msg\" is a string" },
    };

    [Theory]
    [MemberData(nameof(MalformedLines))]
    public void Parse_MalformedLine_ReportsLineAndMessageAndKeepsGoodLines(string badLine, string expectedMessagePart)
    {
        var body = $"# good lines surround the bad one\ncpu,host=h1 v=1 1000\n\n{badLine}\r\ncpu,host=h1 v=2 2000\n";

        using var batch = Parse(_parser, body);

        var error = SingleError(batch);
        Assert.Equal(4, error.Line);
        Assert.Contains(expectedMessagePart, error.Message, StringComparison.Ordinal);
        Assert.DoesNotMatch(@"^line \d", error.Message);
        Assert.Equal(3, batch.LineCount);
        Assert.Equal(
            [new ParsedPoint("cpu_v,host=h1", 1, 1, 2), new ParsedPoint("cpu_v,host=h1", 2, 2, 5)],
            Points(batch));
    }

    [Fact]
    public void Parse_OverlongLine_ReportsLengthAndLimitAndSkipsIt()
    {
        var overlong = "cpu,host=h1 v=1," + string.Join(',', Enumerable.Range(0, 20).Select(i => $"f{i}=1"));
        var body = $"cpu v=1\n{overlong}\ncpu v=3";

        using var batch = Parse(_parser, body, Settings with { MaxLineBytes = 100 });

        Assert.Equal(new LineError(2, $"line is {overlong.Length} bytes, longer than the limit of 100 bytes"), SingleError(batch));
        Assert.Equal([1, 3], Points(batch).Select(p => p.Line));
    }

    [Fact]
    public void Parse_LineExactlyAtLimitWithCrLf_IsAccepted()
    {
        var line = "cpu v=" + new string('1', 94);

        using var batch = Parse(_parser, line + "\r\n", Settings with { MaxLineBytes = 100 });

        Assert.Empty(batch.Errors);
        Assert.Equal(1, batch.Count);
    }

    [Theory]
    [InlineData(TimestampPrecision.Seconds, "9223372036855", "timestamp 9223372036855 is out of range for precision s; if it is in a finer unit, send precision=ms, us or ns")]
    [InlineData(TimestampPrecision.Seconds, "-9223372036855", "timestamp -9223372036855 is out of range for precision s; if it is in a finer unit, send precision=ms, us or ns")]
    [InlineData(TimestampPrecision.Milliseconds, "9223372036854776", "timestamp 9223372036854776 is out of range for precision ms; if it is in a finer unit, send precision=us or ns")]
    public void Parse_TimestampOverflowingMicroseconds_IsLineError(TimestampPrecision precision, string timestamp, string expected)
    {
        using var batch = Parse(_parser, $"cpu v=1 1\ncpu v=2 {timestamp}\ncpu v=3 3", Settings with { Precision = precision });

        Assert.Equal(new LineError(2, expected), SingleError(batch));
        Assert.Equal([1, 3], Points(batch).Select(p => p.Line));
    }

    [Theory]
    [InlineData(new byte[] { (byte)'c', 0xFF, (byte)' ', (byte)'v', (byte)'=', (byte)'1' }, "measurement \"c\uFFFD\" is not valid UTF-8")]
    [InlineData(new byte[] { (byte)'c', (byte)',', (byte)'t', (byte)'=', 0xC3, (byte)' ', (byte)'v', (byte)'=', (byte)'1' }, "tag \"t\" is not valid UTF-8")]
    [InlineData(new byte[] { (byte)'c', (byte)' ', 0xE2, 0x82, (byte)'=', (byte)'1' }, "is not valid UTF-8")]
    public void Parse_InvalidUtf8InNames_IsLineError(byte[] badLine, string expectedMessagePart)
    {
        var body = new List<byte>("c v=1\n"u8.ToArray());
        body.AddRange(badLine);
        body.AddRange("\nc v=3"u8.ToArray());
        using var batch = new ParsedBatch();

        _parser.Parse(body.ToArray(), Settings, batch);

        var error = SingleError(batch);
        Assert.Equal(2, error.Line);
        Assert.Contains(expectedMessagePart, error.Message, StringComparison.Ordinal);
        Assert.Equal([1, 3], Points(batch).Select(p => p.Line));
    }

    [Fact]
    public void Parse_ManyBadLines_CountsAllButDescribesOnlyTheFirst()
    {
        var body = string.Join('\n', Enumerable.Range(0, ParsedBatch.MaxDescribedErrors + 10).Select(_ => "cpu v=oops"));

        using var batch = Parse(_parser, body);

        Assert.Equal(ParsedBatch.MaxDescribedErrors + 10, batch.ErrorCount);
        Assert.Equal(ParsedBatch.MaxDescribedErrors + 10, batch.LineCount);
        Assert.Equal(Enumerable.Range(1, ParsedBatch.MaxDescribedErrors), batch.Errors.Select(e => e.Line));
    }

    [Fact]
    public void Parse_InvalidSeriesKeyRepeated_ReportedEveryTime()
    {
        using var batch = Parse(_parser, "cpu,host=a,host=b v=1\ncpu,host=a,host=b v=2");

        Assert.Equal([1, 2], batch.Errors.Select(e => e.Line));
        Assert.Empty(batch.Series);
    }
}
