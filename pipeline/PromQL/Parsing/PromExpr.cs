namespace FunctionsObservability.Pipeline.PromQL;

/// <summary>What an expression evaluates to, as Prometheus types it before evaluation.</summary>
public enum PromValueType
{
    Scalar,
    String,
    Vector,
    Matrix,
}

/// <summary>A node of a parsed PromQL expression; <see cref="Position"/> is where it starts in the query.</summary>
internal abstract class PromExpr
{
    protected PromExpr(int position, int depth = 1)
    {
        Position = position;
        Depth = depth;
    }

    public int Position { get; }

    /// <summary>Levels from this node to its deepest leaf, itself included: what recursion over the tree needs.</summary>
    public int Depth { get; }

    public abstract PromValueType Type { get; }
}

internal sealed class NumberLiteral(int position, double value) : PromExpr(position)
{
    public double Value { get; } = value;

    public override PromValueType Type => PromValueType.Scalar;
}

internal sealed class StringLiteral(int position, string value) : PromExpr(position)
{
    public string Value { get; } = value;

    public override PromValueType Type => PromValueType.String;
}

/// <summary><c>metric{a="b"} offset 5m</c>; the metric name is one of the matchers.</summary>
internal sealed class VectorSelector(int position, IReadOnlyList<LabelMatcher> matchers) : PromExpr(position)
{
    public IReadOnlyList<LabelMatcher> Matchers { get; } = matchers;

    public long OffsetMs { get; set; }

    public bool HasOffset { get; set; }

    public override PromValueType Type => PromValueType.Vector;
}

/// <summary><c>selector[5m]</c>: the samples of each series in the range ending at the evaluation time.</summary>
internal sealed class MatrixSelector(int position, VectorSelector selector, long rangeMs) : PromExpr(position, selector.Depth + 1)
{
    public VectorSelector Selector { get; } = selector;

    public long RangeMs { get; } = rangeMs;

    public override PromValueType Type => PromValueType.Matrix;
}

internal sealed class CallExpr(int position, PromFunction function, IReadOnlyList<PromExpr> args)
    : PromExpr(position, 1 + args.Select(a => a.Depth).DefaultIfEmpty(0).Max())
{
    public PromFunction Function { get; } = function;

    public IReadOnlyList<PromExpr> Args { get; } = args;

    public override PromValueType Type => Function.ReturnType;
}

internal enum AggregationOp
{
    Sum,
    Avg,
    Count,
    Min,
    Max,
    TopK,
    BottomK,
}

internal sealed class AggregateExpr(int position, AggregationOp op, PromExpr? parameter, PromExpr argument, IReadOnlyList<string> grouping, bool without)
    : PromExpr(position, 1 + Math.Max(parameter?.Depth ?? 0, argument.Depth))
{
    public AggregationOp Op { get; } = op;

    public PromExpr? Parameter { get; } = parameter;

    public PromExpr Argument { get; } = argument;

    public IReadOnlyList<string> Grouping { get; } = grouping;

    public bool Without { get; } = without;

    public override PromValueType Type => PromValueType.Vector;
}

internal enum BinaryOp
{
    Add,
    Sub,
    Mul,
    Div,
    Mod,
    Pow,
    Eql,
    Neq,
    Gtr,
    Lss,
    Gte,
    Lte,
    And,
    Or,
    Unless,
}

internal enum MatchCardinality
{
    OneToOne,

    /// <summary><c>group_left</c>: many series on the left per series on the right.</summary>
    ManyToOne,

    /// <summary><c>group_right</c>: many series on the right per series on the left.</summary>
    OneToMany,
}

internal sealed class BinaryExpr(int position, BinaryOp op, PromExpr left, PromExpr right) : PromExpr(position, 1 + Math.Max(left.Depth, right.Depth))
{
    public BinaryOp Op { get; } = op;

    public PromExpr Left { get; } = left;

    public PromExpr Right { get; } = right;

    public bool ReturnBool { get; init; }

    /// <summary>The labels of <c>on(...)</c> or <c>ignoring(...)</c>; empty means match on all labels but the name.</summary>
    public IReadOnlyList<string> MatchingLabels { get; init; } = [];

    /// <summary>Whether the matching labels came from <c>on(...)</c> (otherwise <c>ignoring(...)</c> or none).</summary>
    public bool On { get; init; }

    public MatchCardinality Cardinality { get; init; }

    /// <summary>The labels of <c>group_left(...)</c>/<c>group_right(...)</c>, copied from the "one" side.</summary>
    public IReadOnlyList<string> Include { get; init; } = [];

    public bool IsComparison => Op is >= BinaryOp.Eql and <= BinaryOp.Lte;

    public bool IsSetOperator => Op is BinaryOp.And or BinaryOp.Or or BinaryOp.Unless;

    public override PromValueType Type =>
        Left.Type == PromValueType.Scalar && Right.Type == PromValueType.Scalar ? PromValueType.Scalar : PromValueType.Vector;
}

internal sealed class UnaryExpr(int position, bool negate, PromExpr operand) : PromExpr(position, operand.Depth + 1)
{
    public bool Negate { get; } = negate;

    public PromExpr Operand { get; } = operand;

    public override PromValueType Type => Operand.Type;
}

internal sealed class ParenExpr(int position, PromExpr inner) : PromExpr(position, inner.Depth + 1)
{
    public PromExpr Inner { get; } = inner;

    public override PromValueType Type => Inner.Type;
}
