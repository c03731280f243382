using System.Text;
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

    // In these lines each char is one byte (Latin-1), so "\u00BC" is the raw byte 0xBC, not UTF-8 for '¼';
    // a JSON escape such as \udc00 is written as its six ASCII characters.
    public static TheoryData<string, string> UndecodableLines => new()
    {
        { "{\"metric\":\"\u00BC\",\"timestamp\":1,\"value\":1}", "field \"metric\" is not valid UTF-8" },
        { """{"metric":"\udc00","timestamp":1,"value":1}""", "field \"metric\" holds a lone surrogate escape \"\\udc00\"" },
        { """{"metric":"m","tags":{"host":"\ud800"},"timestamp":1,"value":1}""", "value of tag \"host\" holds a lone surrogate escape \"\\ud800\"" },
        { "{\"metric\":\"m\",\"tags\":{\"host\":\"\u00C0\u00AF\"},\"timestamp\":1,\"value\":1}", "value of tag \"host\" is not valid UTF-8" },
        { "{\"metric\":\"m\",\"tags\":{\"\u00FF\":\"v\"},\"timestamp\":1,\"value\":1}", "tag key \"\uFFFD\" is not valid UTF-8" },
        { """{"metric":"m","tags":{"\ud800":"v"},"timestamp":1,"value":1}""", "tag key \"\\ud800\" holds a lone surrogate escape \"\\ud800\"" },
        { "{\"metric\":\"m\",\"timestamp\":\"\u00FF\",\"value\":1}", "field \"timestamp\" is not valid UTF-8" },
        { """{"metric":"m","timestamp":"\udfff","value":1}""", "field \"timestamp\" holds a lone surrogate escape \"\\udfff\"" },
        { "{\"metric\":\"m\",\"timestamp\":\"\\ud800" + new string('x', 70) + "\",\"value\":1}", "field \"timestamp\" holds a lone surrogate escape \"\\ud800\"" },
    };

    [Theory]
    [MemberData(nameof(UndecodableLines))]
    public void Parse_StringThatIsNotText_ReportsTheLineAndFieldAndKeepsOthers(string badLine, string expectedMessagePart)
    {
        using var batch = ParseBytes(Encoding.Latin1.GetBytes($"{Good1}\n\n{badLine}\n{Good2}"));

        var error = SingleError(batch);
        Assert.Equal(3, error.Line);
        Assert.Contains(expectedMessagePart, error.Message, StringComparison.Ordinal);
        Assert.Equal(3, batch.LineCount);
        Assert.Equal([1, 4], Points(batch).Select(p => p.Line));
        Assert.Single(batch.Series);
    }

    [Theory]
    [InlineData("""{"\udc00":1,"metric":"m","tags":{"host":"h1"},"timestamp":2000,"value":2}""")]
    [InlineData("""{"metric":"m","tags":{"host":"h1"},"\ud800x":"\ud800","timestamp":2000,"value":2}""")]
    public void Parse_UnknownPropertyWithLoneSurrogateEscape_IsIgnoredLikeAnyUnknownProperty(string line)
    {
        using var batch = Parse(_parser, $"{Good1}\n{line}");

        Assert.Empty(batch.Errors);
        Assert.Equal([1, 2], Points(batch).Select(p => p.Line));
    }

    [Fact]
    public void Parse_BadTimestampCutInsideASurrogatePair_MessageStaysValidText()
    {
        // 63 characters and an emoji: cutting the shown text at 64 characters would keep half of the pair.
        var line = $$"""{"metric":"m","timestamp":"{{new string('x', 63)}}{{"\U0001F600"}}","value":1}""";

        using var batch = Parse(_parser, line, Settings with { MaxLineBytes = 1000 });

        var message = SingleError(batch).Message;
        Assert.Contains(new string('x', 63) + "...\"", message, StringComparison.Ordinal);
        Assert.True(JsonPointParserTests.IsValidText(message), message);
    }

    private ParsedBatch ParseBytes(byte[] body)
    {
        var batch = new ParsedBatch();
        _parser.Parse(body, Settings with { MaxLineBytes = 1000 }, batch);
        return batch;
    }
}
