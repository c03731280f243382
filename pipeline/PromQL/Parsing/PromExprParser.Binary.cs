namespace FunctionsObservability.Pipeline.PromQL;

/// <summary>Binary operators: the precedence table, vector matching modifiers and Prometheus's type checks.</summary>
internal sealed partial class PromExprParser
{
    /// <summary><c>on(...)</c> or <c>ignoring(...)</c>, then optionally <c>group_left(...)</c> or <c>group_right(...)</c>.</summary>
    private Matching? ParseMatching(PromToken op)
    {
        if (Current.Kind is not (PromTokenKind.On or PromTokenKind.Ignoring))
        {
            return null;
        }

        var on = Current.Kind == PromTokenKind.On;
        _index++;
        var labels = ParseLabelList();
        var cardinality = MatchCardinality.OneToOne;
        IReadOnlyList<string> include = [];
        if (Current.Kind is PromTokenKind.GroupLeft or PromTokenKind.GroupRight)
        {
            cardinality = Current.Kind == PromTokenKind.GroupLeft ? MatchCardinality.ManyToOne : MatchCardinality.OneToMany;
            _index++;
            if (Current.Kind == PromTokenKind.LeftParen)
            {
                include = ParseLabelList();
            }

            var both = on ? include.FirstOrDefault(labels.Contains) : null;
            if (both is not null)
            {
                throw PromParser.Error(op.Position, $"label \"{both}\" must not occur in ON and GROUP clause at once");
            }
        }

        return new Matching(on, labels, cardinality, include);
    }

    private static PromExpr MakeBinary(PromToken token, BinaryOp op, PromExpr left, PromExpr right, bool returnBool, Matching? matching)
    {
        var hasMatching = matching is { Labels.Count: > 0 };
        var binary = new BinaryExpr(left.Position, op, left, right)
        {
            ReturnBool = returnBool,
            On = matching?.On ?? false,
            MatchingLabels = matching?.Labels ?? [],
            Cardinality = matching?.Cardinality ?? MatchCardinality.OneToOne,
            Include = matching?.Include ?? [],
        };
        if (binary.IsSetOperator && binary.Cardinality != MatchCardinality.OneToOne)
        {
            throw PromParser.Error(token.Position, $"no grouping allowed for \"{token.Text.ToLowerInvariant()}\" operation");
        }

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

        if (binary.IsSetOperator && (left.Type == PromValueType.Scalar || right.Type == PromValueType.Scalar))
        {
            throw PromParser.Error(token.Position, $"set operator \"{token.Text.ToLowerInvariant()}\" not allowed in binary scalar expression");
        }

        if (hasMatching && (left.Type != PromValueType.Vector || right.Type != PromValueType.Vector))
        {
            throw PromParser.Error(token.Position, "vector matching only allowed between instant vectors");
        }

        return binary;
    }

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
        PromTokenKind.And => BinaryOp.And,
        PromTokenKind.Or => BinaryOp.Or,
        PromTokenKind.Unless => BinaryOp.Unless,
        _ => BinaryOp.Lte,
    };

    private sealed record Matching(bool On, IReadOnlyList<string> Labels, MatchCardinality Cardinality, IReadOnlyList<string> Include);
}
