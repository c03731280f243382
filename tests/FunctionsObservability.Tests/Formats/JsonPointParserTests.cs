using System.Text;
using FunctionsObservability.Pipeline.Formats;
using FunctionsObservability.Pipeline.Model;
using static FunctionsObservability.Tests.Formats.ParserTestKit;

namespace FunctionsObservability.Tests.Formats;

public sealed class JsonPointParserTests
{
    private const long Nov22 = 1_795_341_600_000_000; // 2026-11-22T10:00:00Z

    private readonly JsonPointParser _parser = new();

    [Fact]
    public void Parse_TopLevelArray_AddsEveryPoint()
    {
        const string body = """
            [
              {"metric":"cpu_usage_user","tags":{"host":"h1"},"timestamp":"2026-11-22T10:00:00Z","value":0.5},
              {"metric":"up","timestamp":"2026-11-22T10:00:01Z","value":true},
              {"metric":"up","tags":null,"timestamp":"2026-11-22T10:00:02Z","value":false}
            ]
            """;

        using var batch = Parse(_parser, body);

        Assert.Empty(batch.Errors);
        Assert.Equal(3, batch.LineCount);
        Assert.Equal(
            [
                new ParsedPoint("cpu_usage_user,host=h1", Nov22, 0.5, 1),
                new ParsedPoint("up", Nov22 + 1_000_000, 1, 2),
                new ParsedPoint("up", Nov22 + 2_000_000, 0, 3),
            ],
            Points(batch));
        Assert.Equal(2, batch.Series.Count);
    }

    [Fact]
    public void Parse_PointsObjectWithOtherProperties_ReadsPointsAndIgnoresTheRest()
    {
        const string body = """
            {"source":{"nested":[1,2,{"points":3}]},"points":[{"value":2,"extra":[{}],"timestamp":1000,"metric":"m"}],"after":"x"}
            """;

        using var batch = Parse(_parser, body);

        Assert.Empty(batch.Errors);
        Assert.Equal([new ParsedPoint("m", 1_000_000, 2, 1)], Points(batch));
    }

    [Theory]
    [InlineData("{\"points\":[]}")]
    [InlineData("[]")]
    [InlineData(" \r\n[ ]\n")]
    public void Parse_NoPoints_EmptyBatchWithoutErrors(string body)
    {
        using var batch = Parse(_parser, body);

        Assert.Empty(batch.Errors);
        Assert.Equal(0, batch.LineCount);
        Assert.Equal(0, batch.Count);
    }

    [Theory]
    [InlineData("2026-11-22T10:00:00Z", Nov22)]
    [InlineData("2026-11-22t10:00:00z", Nov22)]
    [InlineData("2026-11-22 10:00:00Z", Nov22)]
    [InlineData("2026-11-22T12:30:00+02:30", Nov22)]
    [InlineData("2026-11-22T05:00:00-05:00", Nov22)]
    [InlineData("2026-11-22T10:00:00.5Z", Nov22 + 500_000)]
    [InlineData("2026-11-22T10:00:00.123456Z", Nov22 + 123_456)]
    [InlineData("2026-11-22T10:00:00.123456999+00:00", Nov22 + 123_456)]
    [InlineData("1969-12-31T23:59:59.5Z", -500_000)]
    [InlineData("2028-02-29T00:00:00Z", 1_835_395_200_000_000)]
    [InlineData("2026-11-22T10:00:00\\u005A", Nov22)]
    public void Parse_Rfc3339Timestamp_ConvertedToMicrosecondsTruncatingBelow(string timestamp, long expected)
    {
        using var batch = Parse(_parser, $$"""[{"metric":"m","timestamp":"{{timestamp}}","value":1}]""");

        Assert.Empty(batch.Errors);
        Assert.Equal(expected, Assert.Single(Points(batch)).Timestamp);
    }

    [Theory]
    [InlineData("1795341600000", Nov22)]
    [InlineData("1795341600000.123", Nov22 + 123)]
    [InlineData("1795341600000.1239", Nov22 + 123)]
    [InlineData("1.7953416e12", Nov22)]
    [InlineData("-1", -1000)]
    public void Parse_EpochMillisecondsTimestamp_ConvertedToMicroseconds(string timestamp, long expected)
    {
        using var batch = Parse(_parser, $$"""{"points":[{"metric":"m","timestamp":{{timestamp}},"value":1}]}""");

        Assert.Empty(batch.Errors);
        Assert.Equal(expected, Assert.Single(Points(batch)).Timestamp);
    }

    public static TheoryData<string, string> BadPoints => new()
    {
        { """{"timestamp":1,"value":1}""", "missing field \"metric\"" },
        { """{"metric":"m","value":1}""", "missing field \"timestamp\"" },
        { """{"metric":"m","timestamp":1}""", "missing field \"value\"" },
        { """{"metric":7,"timestamp":1,"value":1}""", "field \"metric\" must be a string, not a number" },
        { """{"metric":"","timestamp":1,"value":1}""", "field \"metric\" is empty" },
        { """{"metric":"m","tags":["a"],"timestamp":1,"value":1}""", "field \"tags\" must be an object, not an array" },
        { """{"metric":"m","tags":{"host":1},"timestamp":1,"value":1}""", "tag \"host\" must be a string, not a number" },
        { """{"metric":"m","tags":{"host":{"a":1}},"timestamp":1,"value":1}""", "tag \"host\" must be a string, not an object" },
        { """{"metric":"m","tags":{"host":""},"timestamp":1,"value":1}""", "tag \"host\" has an empty value" },
        { """{"metric":"m","tags":{"":"x"},"timestamp":1,"value":1}""", "a tag key is empty" },
        { """{"metric":"m","tags":{"host":"a","host":"b"},"timestamp":1,"value":1}""", "tag \"host\" appears more than once" },
        { """{"metric":"m","timestamp":1,"value":"1.5"}""", "field \"value\" must be a number or a boolean, not a string" },
        { """{"metric":"m","timestamp":1,"value":null}""", "field \"value\" must be a number or a boolean, not null" },
        { """{"metric":"m","timestamp":true,"value":1}""", "field \"timestamp\" must be an RFC 3339 string or Unix epoch milliseconds, not a boolean" },
        { """{"metric":"m","timestamp":"2026-11-22T10:00:00","value":1}""", "field \"timestamp\" is not an RFC 3339 date-time" },
        { """{"metric":"m","timestamp":"2026-02-30T10:00:00Z","value":1}""", "\"2026-02-30T10:00:00Z\"" },
        { """{"metric":"m","timestamp":"2026-11-22T24:00:00Z","value":1}""", "is not an RFC 3339 date-time" },
        { """{"metric":"m","timestamp":"2026-11-22T10:00:00.Z","value":1}""", "is not an RFC 3339 date-time" },
        { """{"metric":"m","timestamp":"2026-11-22T10:00:00+0100","value":1}""", "is not an RFC 3339 date-time" },
        { """{"metric":"m","timestamp":1e30,"value":1}""", "field \"timestamp\" is out of range" },
        { """["m",1,1]""", "point must be an object, not an array" },
        { "42", "point must be an object, not a number" },
    };

    [Theory]
    [MemberData(nameof(BadPoints))]
    public void Parse_BadPoint_ReportsItsIndexAndKeepsOthers(string badPoint, string expectedMessagePart)
    {
        var good = """{"metric":"m","timestamp":1,"value":1}""";
        var body = $"[\n{good},\n{badPoint},\n{good}\n]";

        using var batch = Parse(_parser, body);

        var error = SingleError(batch);
        Assert.Equal(2, error.Line);
        Assert.Contains(expectedMessagePart, error.Message, StringComparison.Ordinal);
        Assert.Equal(3, batch.LineCount);
        Assert.Equal([1, 3], Points(batch).Select(p => p.Line));
        Assert.Single(batch.Series);
    }

    [Fact]
    public void Parse_SameSeriesWithTagsInAnyOrder_SharesOneSeriesIndex()
    {
        const string body = """
            [{"metric":"m","tags":{"b":"2","a":"1"},"timestamp":1,"value":1},
             {"metric":"m","tags":{"a":"1","b":"2"},"timestamp":2,"value":2},
             {"metric":"m","tags":{"a":"1"},"timestamp":3,"value":3}]
            """;

        using var batch = Parse(_parser, body);

        Assert.Equal([0, 0, 1], batch.SeriesIndexes.ToArray());
        Assert.Equal(["a", "b"], batch.Series[0].Tags.Select(t => t.Key));
    }

    [Fact]
    public void Parse_ValueOverflowingDouble_PassedThroughForTheValidator()
    {
        using var batch = Parse(_parser, """[{"metric":"m","timestamp":1,"value":1e400}]""");

        Assert.Equal(double.PositiveInfinity, Assert.Single(Points(batch)).Value);
    }

    public static TheoryData<string, int, string> MalformedDocuments => new()
    {
        { "[\n  {\"metric\":\"m\",\"timestamp\":1,\"value\":1},\n  {\"metric\": }\n]", 3, "malformed JSON at byte 14 of the line: '}' is an invalid start of a value." },
        { "[{\"metric\":\"m\",\"timestamp\":1,\"value\":1}", 1, "malformed JSON at byte 40 of the line" },
        { "[{\"metric\":\"m\",\"timestamp\":1,\"value\":1}]\n]", 2, "malformed JSON at byte 1 of the line" },
        { "", 1, "malformed JSON at byte 1 of the line" },
        { "[1,\n2,]", 2, "malformed JSON at byte" },
        { "42", 1, "unexpected JSON shape at byte 1 of the line: expected an array of points or an object with a \"points\" array, not a number" },
        { "{\n \"data\": []\n}", 3, "unexpected JSON shape at byte 1 of the line: the object has no \"points\" array" },
        { "{\"points\": {\"metric\":\"m\"}}", 1, "unexpected JSON shape at byte 12 of the line: \"points\" must be an array, not an object" },
        { "{\"points\":[],\n\"points\":[]}", 2, "property \"points\" appears more than once" },
    };

    [Theory]
    [MemberData(nameof(MalformedDocuments))]
    public void Parse_MalformedDocument_DiscardsAllPointsWithOneLocatedError(string body, int expectedLine, string expectedMessagePart)
    {
        using var batch = Parse(_parser, body);

        var error = SingleError(batch);
        Assert.Equal(expectedLine, error.Line);
        Assert.Contains(expectedMessagePart, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("LineNumber", error.Message, StringComparison.Ordinal);
        Assert.Equal(0, batch.Count);
        Assert.Empty(batch.Series);
    }

    [Fact]
    public void Parse_MalformedAfterBadPoints_StillExactlyOneError()
    {
        using var batch = Parse(_parser, "[{\"metric\":1},{\"value\":true},\n{\"metric\":\"m\",\"timestamp\":1,\"value\":1}, oops]");

        Assert.Equal(2, SingleError(batch).Line);
        Assert.Equal(0, batch.Count);
        Assert.Equal(3, batch.LineCount);
    }

    // In these bodies each char is one byte (Latin-1), so "\u00BC" is the raw byte 0xBC, not UTF-8 for '¼';
    // a JSON escape such as \udc00 is written as its six ASCII characters.
    public static TheoryData<string, string> UndecodablePoints => new()
    {
        { "{\"metric\":\"\u00BC\",\"timestamp\":1,\"value\":1}", "field \"metric\" is not valid UTF-8" },
        { "{\"metric\":\"\u00ED\u00A0\u0080\",\"timestamp\":1,\"value\":1}", "field \"metric\" is not valid UTF-8" },
        { """{"metric":"\udc00","timestamp":1,"value":1}""", "field \"metric\" holds a lone surrogate escape \"\\udc00\"" },
        { """{"metric":"m\ud800x","timestamp":1,"value":1}""", "field \"metric\" holds a lone surrogate escape \"\\ud800\"" },
        { """{"metric":"m","metric":"\ud83d\ud83d","timestamp":1,"value":1}""", "field \"metric\" holds a lone surrogate escape \"\\ud83d\"" },
        { """{"metric":"m","tags":{"host":"\ud800"},"timestamp":1,"value":1}""", "value of tag \"host\" holds a lone surrogate escape \"\\ud800\"" },
        { "{\"metric\":\"m\",\"tags\":{\"host\":\"a\u00FFb\"},\"timestamp\":1,\"value\":1}", "value of tag \"host\" is not valid UTF-8" },
        { "{\"metric\":\"m\",\"tags\":{\"h\u00FF\":\"v\"},\"timestamp\":1,\"value\":1}", "tag key \"h\uFFFD\" is not valid UTF-8" },
        { """{"metric":"m","tags":{"\udc00":"v"},"timestamp":1,"value":1}""", "tag key \"\\udc00\" holds a lone surrogate escape \"\\udc00\"" },
        { """{"metric":"m","tags":{"a\udc00":1},"timestamp":1,"value":1}""", "tag key \"a\\udc00\" holds a lone surrogate escape" },
        { "{\"metric\":\"m\",\"timestamp\":\"\u00FF\",\"value\":1}", "field \"timestamp\" is not valid UTF-8" },
        { "{\"metric\":\"m\",\"timestamp\":\"2026-11-22T10:00:00Z\u00FF\",\"value\":1}", "field \"timestamp\" is not valid UTF-8" },
        { """{"metric":"m","timestamp":"\udc00","value":1}""", "field \"timestamp\" holds a lone surrogate escape \"\\udc00\"" },
        { """{"metric":"m","timestamp":"2026-11-22T10:00:00\ud800Z","value":1}""", "field \"timestamp\" holds a lone surrogate escape \"\\ud800\"" },
        { "{\"metric\":\"m\",\"timestamp\":\"\\udc00" + new string('x', 80) + "\",\"value\":1}", "field \"timestamp\" holds a lone surrogate escape" },
    };

    [Theory]
    [MemberData(nameof(UndecodablePoints))]
    public void Parse_StringThatIsNotText_ReportsTheItemAndFieldAndKeepsOthers(string badPoint, string expectedMessagePart)
    {
        var good = """{"metric":"m","timestamp":1,"value":1}""";

        using var batch = ParseBytes(Encoding.Latin1.GetBytes($"[\n{good},\n{badPoint},\n{good}\n]"));

        var error = SingleError(batch);
        Assert.Equal(2, error.Line);
        Assert.Contains(expectedMessagePart, error.Message, StringComparison.Ordinal);
        Assert.Equal(3, batch.LineCount);
        Assert.Equal([1, 3], Points(batch).Select(p => p.Line));
    }

    [Fact]
    public void Parse_PointsFormWithMetricThatIsNotText_ReportsTheItem()
    {
        var good = """{"metric":"m","timestamp":1,"value":1}""";

        using var batch = ParseBytes(Encoding.Latin1.GetBytes($"{{\"points\":[{good},{{\"metric\":\"\u00BC\",\"timestamp\":1,\"value\":1}}]}}"));

        Assert.Equal(new LineError(2, "field \"metric\" is not valid UTF-8"), SingleError(batch));
        Assert.Equal([1], Points(batch).Select(p => p.Line));
    }

    [Theory]
    [InlineData("""[{"\udc00":1,"metric":"m","timestamp":1,"value":1}]""")]
    [InlineData("""[{"metric":"m","\ud800x":"\udc00","timestamp":1,"value":1}]""")]
    [InlineData("""{"\udc00":1,"points":[{"metric":"m","timestamp":1,"value":1}]}""")]
    [InlineData("""{"points":[{"metric":"m","timestamp":1,"value":1}],"\ud800":"\ud800"}""")]
    public void Parse_UnknownPropertyWithLoneSurrogateEscape_IsIgnoredLikeAnyUnknownProperty(string body)
    {
        using var batch = Parse(_parser, body);

        Assert.Empty(batch.Errors);
        Assert.Equal([new ParsedPoint("m", 1000, 1, 1)], Points(batch));
    }

    [Fact]
    public void Parse_BadTimestampCutInsideASurrogatePair_MessageStaysValidText()
    {
        // 63 characters and an emoji: cutting the shown text at 64 characters would keep half of the pair.
        var timestamp = new string('x', 63) + "\U0001F600";

        using var batch = Parse(_parser, $$"""[{"metric":"m","timestamp":"{{timestamp}}","value":1}]""");

        var message = SingleError(batch).Message;
        Assert.Contains(new string('x', 63) + "...\"", message, StringComparison.Ordinal);
        Assert.True(IsValidText(message), message);
    }

    internal static bool IsValidText(string text)
    {
        try
        {
            new UTF8Encoding(false, throwOnInvalidBytes: true).GetByteCount(text);
            return true;
        }
        catch (EncoderFallbackException)
        {
            return false;
        }
    }

    private ParsedBatch ParseBytes(byte[] body)
    {
        var batch = new ParsedBatch();
        _parser.Parse(body, Settings, batch);
        return batch;
    }
}
