namespace FunctionsObservability.Pipeline.PromQL;

/// <summary>Vector selectors: <c>name{label op "value", ...}</c>, with at least one matcher that does not match "".</summary>
internal sealed partial class PromExprParser
{
    private VectorSelector ParseSelector(string? metricName, int position)
    {
        var matchers = new List<LabelMatcher>();
        if (metricName is not null)
        {
            matchers.Add(new LabelMatcher(PromLabels.MetricName, MatchType.Equal, metricName));
        }

        if (Accept(PromTokenKind.LeftBrace))
        {
            while (!Accept(PromTokenKind.RightBrace))
            {
                matchers.Add(ParseMatcher(metricName));
                if (!Accept(PromTokenKind.Comma))
                {
                    Expect(PromTokenKind.RightBrace, "\",\" or \"}\"");
                    break;
                }
            }
        }

        if (matchers.TrueForAll(m => m.MatchesEmpty))
        {
            throw PromParser.Error(position, "vector selector must contain at least one non-empty matcher");
        }

        return new VectorSelector(position, matchers);
    }

    private LabelMatcher ParseMatcher(string? metricName)
    {
        var name = Expect(PromTokenKind.Identifier, "label name");
        var opToken = Current;
        MatchType type = opToken.Kind switch
        {
            PromTokenKind.Assign => MatchType.Equal,
            PromTokenKind.Neq => MatchType.NotEqual,
            PromTokenKind.EqlRegex => MatchType.Regex,
            PromTokenKind.NeqRegex => MatchType.NotRegex,
            _ => throw PromParser.Error(opToken.Position, $"unexpected {opToken.Describe()} in label matching, expected label matching operator"),
        };
        _index++;
        var value = PromSyntax.Unquote(Expect(PromTokenKind.String, "string"));
        if (metricName is not null && name.Text == PromLabels.MetricName)
        {
            throw PromParser.Error(name.Position, $"metric name must not be set twice: \"{metricName}\" or \"{value}\"");
        }

        try
        {
            return new LabelMatcher(name.Text, type, value);
        }
        catch (PromQueryException error)
        {
            throw PromParser.Error(name.Position, error.Message);
        }
    }
}
