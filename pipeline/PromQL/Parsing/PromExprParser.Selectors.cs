namespace FunctionsObservability.Pipeline.PromQL;

/// <summary>
/// Vector selectors: <c>name{label op "value", ...}</c>, with at least one matcher that does not match "",
/// and what may follow one: a range <c>[5m]</c> and an <c>offset</c>.
/// </summary>
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

    private PromExpr ParsePostfix(PromExpr expr)
    {
        while (true)
        {
            var token = Current;
            switch (token.Kind)
            {
                case PromTokenKind.LeftBracket:
                    expr = ParseRange(expr);
                    break;
                case PromTokenKind.Offset:
                    _index++;
                    ApplyOffset(expr, token);
                    break;
                case PromTokenKind.At:
                    throw PromParser.Error(token.Position, "@ modifier is not supported");
                default:
                    return expr;
            }
        }
    }

    private PromExpr ParseRange(PromExpr expr)
    {
        var open = Current;
        _index++;
        var durationToken = Expect(PromTokenKind.Duration, "duration");
        if (Current.Kind == PromTokenKind.Colon)
        {
            throw PromParser.Error(open.Position, "subqueries are not supported");
        }

        Expect(PromTokenKind.RightBracket, "\"]\"");
        if (expr is not VectorSelector selector || selector.HasOffset)
        {
            throw PromParser.Error(open.Position, "ranges only allowed for vector selectors");
        }

        var range = PromSyntax.ParseDurationMs(durationToken);
        if (range <= 0)
        {
            throw PromParser.Error(durationToken.Position, "range must be greater than 0");
        }

        return new MatrixSelector(expr.Position, selector, range);
    }

    private void ApplyOffset(PromExpr expr, PromToken offsetToken)
    {
        var negative = Accept(PromTokenKind.Sub);
        var duration = PromSyntax.ParseDurationMs(Expect(PromTokenKind.Duration, "duration"));
        var selector = expr switch
        {
            VectorSelector v => v,
            MatrixSelector m => m.Selector,
            _ => throw PromParser.Error(offsetToken.Position,
                "offset modifier must be preceded by an instant vector selector or range vector selector or a subquery"),
        };
        if (selector.HasOffset)
        {
            throw PromParser.Error(offsetToken.Position, "offset may not be set multiple times");
        }

        selector.HasOffset = true;
        selector.OffsetMs = negative ? -duration : duration;
    }
}
