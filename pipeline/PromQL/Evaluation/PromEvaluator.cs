namespace FunctionsObservability.Pipeline.PromQL;

/// <summary>
/// Evaluates an expression at all steps of a query at once, node by node (as Prometheus's range
/// evaluation does): each node yields a <see cref="ScalarSteps"/>, a <see cref="VectorSteps"/> or a
/// string. Selectors read the samples loaded before evaluation; nothing is fetched here.
/// </summary>
internal sealed class PromEvaluator(EvalContext context)
{
    public object Evaluate(PromExpr expr)
    {
        context.CancellationToken.ThrowIfCancellationRequested();
        return expr switch
        {
            NumberLiteral number => context.NewScalar(number.Value),
            StringLiteral text => text.Value,
            ParenExpr paren => Evaluate(paren.Inner),
            VectorSelector selector => SelectInstant(selector),
            CallExpr call => PromFunctions.Call(this, context, call),
            AggregateExpr aggregate => PromAggregator.Aggregate(context, aggregate, EvaluateVector(aggregate.Argument),
                aggregate.Parameter is null ? null : EvaluateScalar(aggregate.Parameter)),
            BinaryExpr binary => PromBinary.Evaluate(context, binary, Evaluate(binary.Left), Evaluate(binary.Right)),
            UnaryExpr unary => Unary(unary),
            _ => throw new PromQueryException(PromErrorType.BadData, $"cannot evaluate a {PromExprParser.TypeName(expr.Type)} here"),
        };
    }

    public VectorSteps EvaluateVector(PromExpr expr) => (VectorSteps)Evaluate(expr);

    public ScalarSteps EvaluateScalar(PromExpr expr) => (ScalarSteps)Evaluate(expr);

    /// <summary>Each series' latest sample within the lookback window before each step (minus the offset).</summary>
    private VectorSteps SelectInstant(VectorSelector selector)
    {
        var series = context.Selected[selector];
        var result = new List<StepSeries>(series.Count);
        foreach (var source in series)
        {
            context.CancellationToken.ThrowIfCancellationRequested();
            var ts = source.TimestampsMs;
            var values = source.Values;
            StepSeries? output = null;
            var next = source.Start;
            var end = source.End;
            for (var step = 0; step < context.Steps; step++)
            {
                var reference = context.TimeAt(step) - selector.OffsetMs;
                while (next < end && ts[next] <= reference)
                {
                    next++;
                }

                var latest = next - 1;
                if (latest < source.Start || ts[latest] < reference - context.LookbackMs)
                {
                    continue;
                }

                output ??= context.NewSeries(source.Labels);
                output.Present[step] = true;
                output.Values[step] = values[latest];
            }

            if (output is not null)
            {
                result.Add(output);
            }
        }

        return new VectorSteps(result);
    }

    private object Unary(UnaryExpr unary)
    {
        var operand = Evaluate(unary.Operand);
        if (!unary.Negate)
        {
            return operand;
        }

        if (operand is ScalarSteps scalar)
        {
            var values = new double[scalar.Values.Length];
            for (var i = 0; i < values.Length; i++)
            {
                values[i] = -scalar.Values[i];
            }

            return new ScalarSteps(values);
        }

        var vector = (VectorSteps)operand;
        var negated = new List<StepSeries>(vector.Series.Count);
        foreach (var s in vector.Series)
        {
            var output = context.NewSeries(s.Labels.WithoutName());
            for (var i = 0; i < s.Values.Length; i++)
            {
                if (s.Present[i])
                {
                    output.Present[i] = true;
                    output.Values[i] = -s.Values[i];
                }
            }

            negated.Add(output);
        }

        return StepSeriesMerge.Distinct(negated);
    }
}
