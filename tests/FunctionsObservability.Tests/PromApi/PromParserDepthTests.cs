using FunctionsObservability.Pipeline.PromQL;

namespace FunctionsObservability.Tests.PromApi;

/// <summary>
/// Deeply nested PromQL is refused as bad_data instead of recursing until the stack overflows, which
/// ended the whole process (found by the HTTP fuzzer: 10,000 parentheses in /api/v1/query).
/// </summary>
public sealed class PromParserDepthTests
{
    private const int Max = PromExprParser.MaxDepth;

    public static TheoryData<string> Shapes() =>
    [
        "({0}fuzzseed_v{1})",
        "-{0}fuzzseed_v",
        "abs({0}fuzzseed_v{1})",
        "sum({0}fuzzseed_v{1})",
        "1 + {0}1",
        "2 ^ {0}2",
        "fuzzseed_v + {0}fuzzseed_v",
    ];

    [Theory]
    [MemberData(nameof(Shapes))]
    public void NestingFarPastTheLimit_IsBadData_NotAStackOverflow(string shape)
    {
        var query = Nest(shape, 100_000);

        var error = Assert.Throws<PromQueryException>(() => PromParser.Parse(query));

        Assert.Equal(PromErrorType.BadData, error.ErrorType);
        Assert.Contains($"expression nests deeper than {Max} levels", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void NestingWithinTheLimit_Parses(string shape)
    {
        Assert.NotNull(PromParser.Parse(Nest(shape, Max - 2)));
    }

    [Fact]
    public void TheLimitIsOnDepth_NotOnSize()
    {
        var wide = string.Join(" + ", Enumerable.Range(0, Max / 2).Select(_ => "(" + Nest("abs({0}fuzzseed_v{1})", Max / 2) + ")"));

        Assert.Throws<PromQueryException>(() => PromParser.Parse(wide));
        Assert.NotNull(PromParser.Parse(string.Join(" + ", Enumerable.Range(0, 10).Select(_ => Nest("abs({0}fuzzseed_v{1})", Max / 2)))));
        Assert.NotNull(PromParser.Parse("sum by (host) (" + string.Join(" + ", Enumerable.Range(0, Max / 2).Select(i => $"x{i}")) + ")"));
    }

    [Fact]
    public void DeepSelectorsInMatch_AreBadData()
    {
        var error = Assert.Throws<PromQueryException>(() => PromParser.ParseSelector(new string('(', 50_000) + "up" + new string(')', 50_000)));

        Assert.Equal(PromErrorType.BadData, error.ErrorType);
    }

    /// <summary>
    /// <paramref name="shape"/> with {0} the repeated prefix and {1} its closing run: "1 + {0}1" with
    /// depth 3 is "1 + 1 + 1 + 1".
    /// </summary>
    private static string Nest(string shape, int depth)
    {
        var open = shape.IndexOf("{0}", StringComparison.Ordinal);
        var head = shape[..open];
        var rest = shape[(open + 3)..];
        var close = rest.Contains("{1}", StringComparison.Ordinal) ? rest[(rest.IndexOf("{1}", StringComparison.Ordinal) + 3)..] : "";
        var middle = rest.Contains("{1}", StringComparison.Ordinal) ? rest[..rest.IndexOf("{1}", StringComparison.Ordinal)] : rest;
        return string.Concat(Enumerable.Repeat(head, depth)) + middle + string.Concat(Enumerable.Repeat(close, depth));
    }
}
