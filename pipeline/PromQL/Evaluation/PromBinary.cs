namespace FunctionsObservability.Pipeline.PromQL;

/// <summary>
/// Binary operators between scalars and instant vectors. Arithmetic drops the metric name; a
/// comparison filters (keeping the left sample, name included) unless <c>bool</c> turns it into 0/1
/// without the name. Vector/vector matching is one-to-one on all labels but the name, or on the
/// labels of <c>on(...)</c>, or without those of <c>ignoring(...)</c>.
/// </summary>
internal static class PromBinary
{
    public static object Evaluate(EvalContext context, BinaryExpr expr, object left, object right)
    {
        switch (left, right)
        {
            case (ScalarSteps l, ScalarSteps r):
                var values = new double[context.Steps];
                for (var i = 0; i < values.Length; i++)
                {
                    var (value, keep) = Apply(expr.Op, l.Values[i], r.Values[i]);
                    values[i] = expr.IsComparison ? (keep ? 1 : 0) : value;
                }

                return new ScalarSteps(values);
            case (VectorSteps l, ScalarSteps r):
                return VectorScalar(context, expr, l, r, scalarOnLeft: false);
            case (ScalarSteps l, VectorSteps r):
                return VectorScalar(context, expr, r, l, scalarOnLeft: true);
            case (VectorSteps l, VectorSteps r) when expr.IsSetOperator:
                return PromSetOperators.Evaluate(context, expr, l, r);
            default:
                return PromVectorMatching.Evaluate(context, expr, (VectorSteps)left, (VectorSteps)right);
        }
    }

    /// <summary>The operator on two values, and for comparisons whether it holds (the value is then the left one).</summary>
    public static (double Value, bool Keep) Apply(BinaryOp op, double l, double r) => op switch
    {
        BinaryOp.Add => (l + r, true),
        BinaryOp.Sub => (l - r, true),
        BinaryOp.Mul => (l * r, true),
        BinaryOp.Div => (l / r, true),
        // C#'s % on doubles is truncated like Go's math.Mod: the sign of the dividend, NaN for x % 0.
        BinaryOp.Mod => (l % r, true),
        BinaryOp.Pow => (Math.Pow(l, r), true),
        BinaryOp.Eql => (l, l == r),
        BinaryOp.Neq => (l, l != r),
        BinaryOp.Gtr => (l, l > r),
        BinaryOp.Lss => (l, l < r),
        BinaryOp.Gte => (l, l >= r),
        _ => (l, l <= r),
    };

    private static VectorSteps VectorScalar(EvalContext context, BinaryExpr expr, VectorSteps vector, ScalarSteps scalar, bool scalarOnLeft)
    {
        var dropName = !expr.IsComparison || expr.ReturnBool;
        var output = new List<StepSeries>(vector.Series.Count);
        foreach (var s in vector.Series)
        {
            StepSeries? result = null;
            for (var i = 0; i < context.Steps; i++)
            {
                if (!s.Present[i])
                {
                    continue;
                }

                var (l, r) = scalarOnLeft ? (scalar.Values[i], s.Values[i]) : (s.Values[i], scalar.Values[i]);
                var (value, keep) = Apply(expr.Op, l, r);
                if (expr.IsComparison)
                {
                    // The vector's own value is the result of a filter, whichever side it is on.
                    value = s.Values[i];
                }

                if (expr.ReturnBool)
                {
                    value = keep ? 1 : 0;
                    keep = true;
                }

                if (keep)
                {
                    result ??= context.NewSeries(dropName ? s.Labels.WithoutName() : s.Labels);
                    result.Present[i] = true;
                    result.Values[i] = value;
                }
            }

            if (result is not null)
            {
                output.Add(result);
            }
        }

        return StepSeriesMerge.Distinct(output);
    }
}
