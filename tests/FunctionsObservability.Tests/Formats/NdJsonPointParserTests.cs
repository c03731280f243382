using FunctionsObservability.Pipeline.Formats;
using FunctionsObservability.Pipeline.Model;
using static FunctionsObservability.Tests.Formats.ParserTestKit;

namespace FunctionsObservability.Tests.Formats;

public sealed class NdJsonPointParserTests
{
    private const string Good1 = """{"metric":"m","tags":{"host":"h1"},"timestamp":"1970-01-01T00:00:01Z","value":1}""";
    private const string Good2 = """{"metric":"m","tags":{"host":"h1"},"timestamp":2000,"value":2}""";

    private readonly NdJsonPointParser _parser = new();

    [Fact]
    public void Parse_OnePointPerLine_SharesSeriesAndSkipsBlankLines()
    {
        using var batch = Parse(_parser, $"{Good1}\r\n\r\n   \n{Good2}\n");

        Assert.Empty(batch.Errors);
        Assert.Equal(2, batch.LineCount);
        Assert.Equal(
            [new ParsedPoint("m,host=h1", 1_000_000, 1, 1), new ParsedPoint("m,host=h1", 2_000_000, 2, 4)],
            Points(batch));
        Assert.Single(batch.Series);
    }

    public static TheoryData<string, string> BadLines => new()
    {
        { """{"metric":"m","timestamp":1,"value":}""", "malformed JSON at byte 37 of the line: '}' is an invalid start of a value." },
        { """{"metric":"m","timestamp":1,"value":1""", "malformed JSON at byte" },
        { """{"metric":"m","timestamp":1,"value":1} {}""", "malformed JSON at byte 40 of the line" },
        { """{"metric":"m","timestamp":1,"value":1},""", "malformed JSON at byte 39 of the line" },
        { """[{"metric":"m","timestamp":1,"value":1}]""", "line must be a JSON object, not an array" },
        { """{"metric":"m","value":1}""", "missing field \"timestamp\"" },
        { """{"metric":"m","tags":{"host":false},"timestamp":1,"value":1}""", "tag \"host\" must be a string, not a boolean" },
        { """{"metric":"m","timestamp":1,"value":"x"}""", "field \"value\" must be a number or a boolean, not a string" },
        { "{\"metric\":\"m\",\"timestamp\":1,\"value\":1,\"pad\":\"" + new string('x', 80) + "\"}", "longer than the limit of 100 bytes" },
    };

    [Theory]
    [MemberData(nameof(BadLines))]
    public void Parse_BadLineAmongGoodOnes_ReportsOnlyThatLine(string badLine, string expectedMessagePart)
    {
        using var batch = Parse(_parser, $"{Good1}\n\n{badLine}\n{Good2}");

        var error = SingleError(batch);
        Assert.Equal(3, error.Line);
        Assert.Contains(expectedMessagePart, error.Message, StringComparison.Ordinal);
        Assert.Equal(3, batch.LineCount);
        Assert.Equal([1, 4], Points(batch).Select(p => p.Line));
        Assert.Single(batch.Series);
    }

    [Fact]
    public void Parse_OverlongLine_ReportsExactLengthAndLimit()
    {
        var overlong = "{\"metric\":\"m\",\"timestamp\":1,\"value\":1,\"pad\":\"" + new string('x', 200) + "\"}";

        using var batch = Parse(_parser, $"{overlong}\r\n{Good2}", Settings with { MaxLineBytes = 100 });

        Assert.Equal(new LineError(1, $"line is {overlong.Length} bytes, longer than the limit of 100 bytes"), SingleError(batch));
        Assert.Equal([2], Points(batch).Select(p => p.Line));
    }
}
