namespace FunctionsObservability.Pipeline.PromQL;

/// <summary>
/// Recursive descent with precedence climbing over Prometheus's operator table: <c>^</c> (right
/// associative) above <c>* / %</c> above <c>+ -</c> above comparisons; unary minus binds like <c>*</c>,
/// so <c>-2^2</c> is -4. Both the recursion here and the depth of the tree built are bounded by
/// <see cref="MaxDepth"/>, so no query can exhaust the stack here, in <see cref="PromExpr.Type"/> or in
/// the evaluator, which recurse over the tree.
/// </summary>
internal sealed partial class PromExprParser(List<PromToken> tokens)
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
            if (token.Kind is PromTokenKind.Atan2)
            {
                throw PromParser.Error(token.Position, $"unsupported operator \"{token.Text.ToLowerInvariant()}\"");
            }

            var op = ToBinaryOp(token.Kind);
            var returnBool = Accept(PromTokenKind.Bool);
            var matching = ParseMatching(token);
            var right = ParseExpr(op == BinaryOp.Pow ? precedence : precedence + 1);
            // A left-associative chain (a + b + c) recurses no deeper, but builds a tree as deep as it is long.
            left = Checked(MakeBinary(token, op, left, right, returnBool, matching));
        }
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
}
