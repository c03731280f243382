namespace FunctionsObservability.Pipeline.PromQL;

/// <summary>
/// Parses PromQL (the subset the engine evaluates) into an expression tree. Errors are
/// <see cref="PromErrorType.BadData"/> with Prometheus's "line:col: parse error: ..." prefix; parts of
/// PromQL outside the subset are refused by name.
/// </summary>
public static class PromParser
{
    /// <summary>
    /// The matchers of a <c>match[]</c> selector such as <c>up{job="api"}</c>, including a <c>__name__</c>
    /// matcher for the metric name. At least one matcher must not match the empty string.
    /// </summary>
    public static IReadOnlyList<LabelMatcher> ParseSelector(string selector)
    {
        ArgumentNullException.ThrowIfNull(selector);
        var expr = Parse(selector);
        return expr is VectorSelector vector && !vector.HasOffset
            ? vector.Matchers
            : throw new PromQueryException(PromErrorType.BadData, $"1:1: parse error: expected a series selector, got \"{selector}\"");
    }

    internal static PromExpr Parse(string query)
    {
        ArgumentNullException.ThrowIfNull(query);
        try
        {
            return new PromExprParser(PromLexer.Tokenize(query)).ParseQuery();
        }
        catch (PromSyntaxException error)
        {
            throw new PromQueryException(PromErrorType.BadData, $"{Where(query, error.Position)} parse error: {error.Message}");
        }
    }

    internal static PromSyntaxException Error(int position, string message) => new(position, message);

    /// <summary>"line:col:" as Prometheus prints it, both 1-based.</summary>
    private static string Where(string query, int position)
    {
        position = Math.Clamp(position, 0, query.Length);
        var line = 1;
        var lastBreak = -1;
        for (var i = 0; i < position; i++)
        {
            if (query[i] == '\n')
            {
                line++;
                lastBreak = i;
            }
        }

        return $"{line}:{position - lastBreak}:";
    }
}
