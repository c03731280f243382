using FunctionsObservability.Pipeline.PromQL;
using PromMatchType = FunctionsObservability.Pipeline.PromQL.MatchType;

namespace FunctionsObservability.Tests.PromQL;

public sealed class PromParserTests
{
    private static PromQueryException BadData(string query)
    {
        var error = Assert.Throws<PromQueryException>(() => PromParser.Parse(query));
        Assert.Equal(PromErrorType.BadData, error.ErrorType);
        return error;
    }

    [Theory]
    [InlineData("2 ^ 3 ^ 2", 512)]
    [InlineData("-2 ^ 2", -4)]
    [InlineData("1 + 2 * 3", 7)]
    [InlineData("2 * 3 + 1", 7)]
    [InlineData("2 - 3 - 4", -5)]
    [InlineData("8 / 2 / 2", 2)]
    [InlineData("(1 + 2) * 3", 9)]
    [InlineData("- - 3", 3)]
    [InlineData("2 * -3", -6)]
    [InlineData("10 % 3 * 2", 2)]
    [InlineData("1 + 1 > bool 1", 1)]
    [InlineData("0x1F", 31)]
    [InlineData("1.5e3", 1500)]
    [InlineData(".5", 0.5)]
    public async Task Parse_Precedence_FollowsPrometheus(string query, double expected)
    {
        var engine = new PromEngine(new InMemorySeriesSource(), new PromEngineOptions());
        var result = await engine.InstantAsync(query, 1_700_000_000_000, CancellationToken.None);
        Assert.Equal(PromValueType.Scalar, result.Type);
        Assert.Equal(expected, result.Scalar);
    }

    [Fact]
    public void Parse_PowIsRightAssociative_AndBindsTighterThanUnaryMinus()
    {
        var pow = Assert.IsType<BinaryExpr>(PromParser.Parse("a ^ b ^ c"));
        Assert.Equal(BinaryOp.Pow, pow.Op);
        Assert.IsType<VectorSelector>(pow.Left);
        Assert.IsType<BinaryExpr>(pow.Right);

        var negated = Assert.IsType<UnaryExpr>(PromParser.Parse("-a ^ b"));
        Assert.True(negated.Negate);
        Assert.IsType<BinaryExpr>(negated.Operand);

        var product = Assert.IsType<BinaryExpr>(PromParser.Parse("-a * b"));
        Assert.IsType<UnaryExpr>(product.Left);
    }

    [Fact]
    public void Parse_Selector_TakesMatchersOffsetAndRange()
    {
        var matrix = Assert.IsType<MatrixSelector>(PromParser.Parse("http_requests_total{a=\"x\",b!=\"y\",c=~\"r.*\",d!~'q',} [1h30m] offset -5m"));
        Assert.Equal(90 * 60_000, matrix.RangeMs);
        Assert.Equal(-5 * 60_000, matrix.Selector.OffsetMs);
        Assert.Equal(
            ["__name__=\"http_requests_total\"", "a=\"x\"", "b!=\"y\"", "c=~\"r.*\"", "d!~\"q\""],
            matrix.Selector.Matchers.Select(m => m.ToString()));
    }

    [Theory]
    [InlineData("5m", 300_000)]
    [InlineData("1h30m", 5_400_000)]
    [InlineData("30s", 30_000)]
    [InlineData("1d", 86_400_000)]
    [InlineData("1w", 604_800_000)]
    [InlineData("1y", 31_536_000_000)]
    [InlineData("100ms", 100)]
    [InlineData("1m30s500ms", 90_500)]
    public void Parse_Durations(string duration, long expectedMs)
    {
        var matrix = Assert.IsType<MatrixSelector>(PromParser.Parse($"x[{duration}]"));
        Assert.Equal(expectedMs, matrix.RangeMs);
    }

    [Fact]
    public void Parse_KeywordsAreCaseInsensitive_AndLabelNamesInsideBraces()
    {
        var aggregate = Assert.IsType<AggregateExpr>(PromParser.Parse("SUM BY (by, on) (x{sum=\"1\", offset=\"2\"})"));
        Assert.Equal(["by", "on"], aggregate.Grouping);
        Assert.Equal(AggregationOp.Sum, aggregate.Op);
        Assert.Equal(double.PositiveInfinity, Assert.IsType<NumberLiteral>(PromParser.Parse("InF")).Value);
    }

    [Fact]
    public void Parse_GroupingMayFollowTheArguments()
    {
        var aggregate = Assert.IsType<AggregateExpr>(PromParser.Parse("topk(3, x) without (a)"));
        Assert.True(aggregate.Without);
        Assert.Equal(["a"], aggregate.Grouping);
        Assert.IsType<NumberLiteral>(aggregate.Parameter);
    }

    [Theory]
    [InlineData("\"a\\tb\"", "a\tb")]
    [InlineData("'it\\'s'", "it's")]
    [InlineData("`raw\\n`", "raw\\n")]
    [InlineData("\"\\u00e9\\x41\\101\"", "éAA")]
    public void Parse_Strings_UnquoteLikeGo(string query, string expected) =>
        Assert.Equal(expected, Assert.IsType<StringLiteral>(PromParser.Parse(query)).Value);

    [Theory]
    [InlineData("rate(x[5m:1m])", "subqueries are not supported")]
    [InlineData("x @ 100", "@ modifier is not supported")]
    [InlineData("label_replace(x, \"a\", \"b\", \"c\", \"d\")", "unsupported function \"label_replace\"")]
    [InlineData("stddev(x)", "unsupported aggregation \"stddev\"")]
    [InlineData("x atan2 y", "unsupported operator \"atan2\"")]
    [InlineData("nosuch(x)", "unknown function with name \"nosuch\"")]
    public void Parse_OutsideTheSubset_IsBadDataNamingThePart(string query, string named) =>
        Assert.Contains(named, BadData(query).Message, StringComparison.Ordinal);

    [Theory]
    [InlineData("sum(x", "1:6: parse error: unexpected end of input, expected \",\" or \")\"")]
    [InlineData("x{a=\"b\"", "1:8: parse error: unexpected end of input, expected \",\" or \"}\"")]
    [InlineData("1 +", "1:4: parse error: unexpected end of input")]
    [InlineData("foo bar", "1:5: parse error: unexpected identifier \"bar\"")]
    [InlineData("{}", "1:1: parse error: vector selector must contain at least one non-empty matcher")]
    [InlineData("1 > 2", "1:3: parse error: comparisons between scalars must use BOOL modifier")]
    [InlineData("rate(x)", "1:6: parse error: expected type range vector in call to function \"rate\", got instant vector")]
    [InlineData("sum(x[5m])", "1:5: parse error: expected type instant vector in aggregation expression, got range vector")]
    [InlineData("x\n  + ]", "2:5: parse error: unexpected \"]\"")]
    [InlineData("x offset 5m offset 1m", "1:13: parse error: offset may not be set multiple times")]
    [InlineData("5m", "1:1: parse error: unexpected duration \"5m\"")]
    [InlineData("1 + 2 bool", "1:7: parse error: unexpected keyword \"bool\"")]
    [InlineData("", "1:1: parse error: no expression found in input")]
    [InlineData("rate(x[99999999999y])", "1:8: parse error: not a valid duration string: \"99999999999y\"")]
    [InlineData("x offset 5m1h", "1:10: parse error: not a valid duration string: \"5m1h\"")]
    public void Parse_Errors_NameTheLineAndColumn(string query, string expected) =>
        Assert.Equal(expected, BadData(query).Message);

    [Fact]
    public void ParseSelector_ReturnsTheMatchersWithTheName()
    {
        var matchers = PromParser.ParseSelector("up{job=~\"api|web\"}");
        Assert.Equal(2, matchers.Count);
        Assert.Equal((PromLabels.MetricName, PromMatchType.Equal, "up"), (matchers[0].Name, matchers[0].Type, matchers[0].Value));
        Assert.Equal(("job", PromMatchType.Regex, "api|web"), (matchers[1].Name, matchers[1].Type, matchers[1].Value));
    }

    [Theory]
    [InlineData("{job=~\".*\"}")]
    [InlineData("rate(x[5m])")]
    [InlineData("x[5m]")]
    [InlineData("1")]
    public void ParseSelector_RefusesAnythingButASelectorWithANonEmptyMatcher(string selector) =>
        Assert.Equal(PromErrorType.BadData, Assert.Throws<PromQueryException>(() => PromParser.ParseSelector(selector)).ErrorType);
}
