namespace FunctionsObservability.Pipeline.PromQL;

/// <summary>
/// Recursive descent with precedence climbing over Prometheus's operator table: <c>^</c> (right
/// associative) above <c>* / %</c> above <c>+ -</c> above comparisons; unary minus binds like <c>*</c>,
/// so <c>-2^2</c> is -4. Both the recursion here and the depth of the tree built are bounded by
/// <see cref="MaxDepth"/>, so no query can exhaust the stack here, in <see cref="PromExpr.Type"/> or in
/// the evaluator, which recurse over the tree.
/// </summary>
internal sealed class PromExprParser(List<PromToken> tokens)
{
    /// <summary>
    /// The deepest an expression may nest (<see cref="PromExpr.Depth"/>: each parenthesis, call, aggregation,
    /// unary sign and binary operator on the path from the root counts one). Far above any real query, far below the stack.
    /// </summary>
    internal const int MaxDepth = 256;

    private const int PowPrecedence = 6;
    private const int MulPrecedence = 5;

    private int _index;
    private int _depth;

    private PromToken Current => tokens[_index];

    public PromExpr ParseQuery()
    {
        if (Current.Kind == PromTokenKind.Eof)
        {
            throw PromParser.Error(0, "no expression found in input");
        }

        var expr = ParseExpr(0);
        if (Current.Kind != PromTokenKind.Eof)
        {
            throw Unexpected(Current);
        }

        return expr;
    }

    private PromExpr ParseExpr(int minPrecedence)
    {
        Enter(Current);
        var left = Checked(ParseUnary());
        while (true)
        {
            var token = Current;
            var precedence = Precedence(token.Kind);
            if (precedence < 0 || precedence < minPrecedence)
            {
                _depth--;
                return left;
            }

            _index++;
            if (token.Kind is PromTokenKind.And or PromTokenKind.Or or PromTokenKind.Unless or PromTokenKind.Atan2)
            {
                throw PromParser.Error(token.Position, $"unsupported operator \"{token.Text.ToLowerInvariant()}\"");
            }

            var op = ToBinaryOp(token.Kind);
            var returnBool = Accept(PromTokenKind.Bool);
            var on = false;
            IReadOnlyList<string> matching = [];
            var hasMatching = false;
            if (Current.Kind is PromTokenKind.On or PromTokenKind.Ignoring)
            {
                on = Current.Kind == PromTokenKind.On;
                _index++;
                matching = ParseLabelList();
                hasMatching = true;
                if (Current.Kind is PromTokenKind.GroupLeft or PromTokenKind.GroupRight)
                {
                    throw PromParser.Error(Current.Position, $"unsupported vector matching modifier \"{Current.Text.ToLowerInvariant()}\"");
                }
            }

            var right = ParseExpr(op == BinaryOp.Pow ? precedence : precedence + 1);
            // A left-associative chain (a + b + c) recurses no deeper, but builds a tree as deep as it is long.
            left = Checked(MakeBinary(token, op, left, right, returnBool, on, matching, hasMatching));
        }
    }

    private static PromExpr MakeBinary(PromToken token, BinaryOp op, PromExpr left, PromExpr right, bool returnBool, bool on, IReadOnlyList<string> matching, bool hasMatching)
    {
        var binary = new BinaryExpr(left.Position, op, left, right) { ReturnBool = returnBool, On = on, MatchingLabels = matching };
        foreach (var side in (PromExpr[])[left, right])
        {
            if (side.Type is not (PromValueType.Scalar or PromValueType.Vector))
            {
                throw PromParser.Error(side.Position, "binary expression must contain only scalar and instant vector types");
            }
        }

        if (returnBool && !binary.IsComparison)
        {
            throw PromParser.Error(token.Position, "bool modifier can only be used on comparison operators");
        }

        if (binary.IsComparison && !returnBool && binary.Type == PromValueType.Scalar)
        {
            throw PromParser.Error(token.Position, "comparisons between scalars must use BOOL modifier");
        }

        if (hasMatching && (left.Type != PromValueType.Vector || right.Type != PromValueType.Vector))
        {
            throw PromParser.Error(token.Position, "vector matching only allowed between instant vectors");
        }

        return binary;
    }

    private PromExpr ParseUnary()
    {
        var token = Current;
        if (token.Kind is not (PromTokenKind.Add or PromTokenKind.Sub))
        {
            return ParsePostfix(ParsePrimary());
        }

        _index++;
        var operand = ParseExpr(PowPrecedence);
        if (operand.Type is not (PromValueType.Scalar or PromValueType.Vector))
        {
            throw PromParser.Error(token.Position, "unary expression only allowed on expressions of type scalar or instant vector");
        }

        // As in Prometheus, a sign in front of a number literal is part of the literal.
        if (operand is NumberLiteral number)
        {
            return token.Kind == PromTokenKind.Sub ? new NumberLiteral(token.Position, -number.Value) : number;
        }

        return new UnaryExpr(token.Position, token.Kind == PromTokenKind.Sub, operand);
    }

    private PromExpr ParsePrimary()
    {
        var token = Current;
        switch (token.Kind)
        {
            case PromTokenKind.Number:
                _index++;
                return new NumberLiteral(token.Position, PromSyntax.ParseNumber(token));
            case PromTokenKind.String:
                _index++;
                return new StringLiteral(token.Position, PromSyntax.Unquote(token));
            case PromTokenKind.LeftParen:
                _index++;
                var inner = ParseExpr(0);
                Expect(PromTokenKind.RightParen, "\")\"");
                return new ParenExpr(token.Position, inner);
            case PromTokenKind.LeftBrace:
                return ParseSelector(null, token.Position);
            case PromTokenKind.Identifier when tokens[_index + 1].Kind == PromTokenKind.LeftParen:
                return ParseCall();
            case PromTokenKind.Identifier or PromTokenKind.MetricIdentifier:
                _index++;
                return ParseSelector(token.Text, token.Position);
            case PromTokenKind.Aggregator:
                return PromAggregationParser.Parse(this, token);
            default:
                throw Unexpected(token);
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

    private PromExpr ParseCall()
    {
        var name = Current;
        var function = PromFunction.Lookup(name.Text, name.Position);
        _index += 2;
        var args = ParseArguments();
        var max = function.ArgTypes.Count;
        var min = max - function.OptionalArgs;
        if (args.Count < min || args.Count > max)
        {
            var expected = min == max ? $"{max}" : $"{min} to {max}";
            throw PromParser.Error(name.Position, $"expected {expected} argument(s) in call to \"{function.Name}\", got {args.Count}");
        }

        for (var i = 0; i < args.Count; i++)
        {
            if (args[i].Type != function.ArgTypes[i])
            {
                throw PromParser.Error(args[i].Position,
                    $"expected type {TypeName(function.ArgTypes[i])} in call to function \"{function.Name}\", got {TypeName(args[i].Type)}");
            }
        }

        return new CallExpr(name.Position, function, args);
    }

    /// <summary>Comma-separated expressions up to the closing parenthesis (the opening one is consumed).</summary>
    internal List<PromExpr> ParseArguments()
    {
        var args = new List<PromExpr>();
        if (Accept(PromTokenKind.RightParen))
        {
            return args;
        }

        while (true)
        {
            args.Add(ParseExpr(0));
            if (Accept(PromTokenKind.RightParen))
            {
                return args;
            }

            Expect(PromTokenKind.Comma, "\",\" or \")\"");
        }
    }

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

    /// <summary><c>(a, b)</c> after <c>by</c>, <c>without</c>, <c>on</c> or <c>ignoring</c>; keywords are label names here.</summary>
    internal List<string> ParseLabelList()
    {
        Expect(PromTokenKind.LeftParen, "\"(\"");
        var labels = new List<string>();
        while (!Accept(PromTokenKind.RightParen))
        {
            var token = Current;
            if (!IsLabelName(token.Text) || token.Kind is PromTokenKind.String or PromTokenKind.Eof)
            {
                throw PromParser.Error(token.Position, $"unexpected {token.Describe()} in grouping opts, expected label");
            }

            _index++;
            labels.Add(token.Text);
            if (!Accept(PromTokenKind.Comma))
            {
                Expect(PromTokenKind.RightParen, "\",\" or \")\"");
                break;
            }
        }

        return labels;
    }

    /// <summary>One level deeper in the recursion; a syntax error past <see cref="MaxDepth"/>. A parse that throws is abandoned, so only returns undo it.</summary>
    private void Enter(PromToken token)
    {
        if (++_depth > MaxDepth)
        {
            throw TooDeep(token.Position);
        }
    }

    private static PromExpr Checked(PromExpr expr) => expr.Depth <= MaxDepth ? expr : throw TooDeep(expr.Position);

    private static PromSyntaxException TooDeep(int position) => PromParser.Error(position, $"expression nests deeper than {MaxDepth} levels");

    internal bool Accept(PromTokenKind kind)
    {
        if (Current.Kind != kind)
        {
            return false;
        }

        _index++;
        return true;
    }

    internal PromToken Expect(PromTokenKind kind, string what)
    {
        var token = Current;
        if (token.Kind != kind)
        {
            throw PromParser.Error(token.Position, $"unexpected {token.Describe()}, expected {what}");
        }

        _index++;
        return token;
    }

    internal PromToken Peek() => Current;

    internal PromExpr ParseFullExpression() => ParseExpr(0);

    internal static PromSyntaxException Unexpected(PromToken token) => PromParser.Error(token.Position, $"unexpected {token.Describe()}");

    internal static string TypeName(PromValueType type) => type switch
    {
        PromValueType.Scalar => "scalar",
        PromValueType.String => "string",
        PromValueType.Vector => "instant vector",
        _ => "range vector",
    };

    private static bool IsLabelName(string text) =>
        text.Length > 0 && (char.IsAsciiLetter(text[0]) || text[0] == '_') && text.All(c => char.IsAsciiLetterOrDigit(c) || c == '_');

    private static int Precedence(PromTokenKind kind) => kind switch
    {
        PromTokenKind.Or => 1,
        PromTokenKind.And or PromTokenKind.Unless => 2,
        PromTokenKind.Eql or PromTokenKind.Neq or PromTokenKind.Lss or PromTokenKind.Lte or PromTokenKind.Gtr or PromTokenKind.Gte => 3,
        PromTokenKind.Add or PromTokenKind.Sub => 4,
        PromTokenKind.Mul or PromTokenKind.Div or PromTokenKind.Mod or PromTokenKind.Atan2 => MulPrecedence,
        PromTokenKind.Pow => PowPrecedence,
        _ => -1,
    };

    private static BinaryOp ToBinaryOp(PromTokenKind kind) => kind switch
    {
        PromTokenKind.Add => BinaryOp.Add,
        PromTokenKind.Sub => BinaryOp.Sub,
        PromTokenKind.Mul => BinaryOp.Mul,
        PromTokenKind.Div => BinaryOp.Div,
        PromTokenKind.Mod => BinaryOp.Mod,
        PromTokenKind.Pow => BinaryOp.Pow,
        PromTokenKind.Eql => BinaryOp.Eql,
        PromTokenKind.Neq => BinaryOp.Neq,
        PromTokenKind.Gtr => BinaryOp.Gtr,
        PromTokenKind.Lss => BinaryOp.Lss,
        PromTokenKind.Gte => BinaryOp.Gte,
        _ => BinaryOp.Lte,
    };
}
