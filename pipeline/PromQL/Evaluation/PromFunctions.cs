namespace FunctionsObservability.Pipeline.PromQL;

/// <summary>Calls a function: range functions slide over the loaded samples, the rest map instant vectors step by step.</summary>
internal static class PromFunctions
{
    public static object Call(PromEvaluator evaluator, EvalContext context, CallExpr call)
    {
        var args = call.Args;
        switch (call.Function.Kind)
        {
            case PromFunctionKind.Time:
                var times = new double[context.Steps];
                for (var i = 0; i < times.Length; i++)
                {
                    times[i] = context.TimeAt(i) / 1000.0;
                }

                return new ScalarSteps(times);
            case PromFunctionKind.Vector:
                var scalar = evaluator.EvaluateScalar(args[0]);
                var vector = context.NewSeries(PromLabels.Empty);
                Array.Copy(scalar.Values, vector.Values, scalar.Values.Length);
                Array.Fill(vector.Present, true);
                return new VectorSteps([vector]);
            case PromFunctionKind.Scalar:
                return ToScalar(context, evaluator.EvaluateVector(args[0]));
            case PromFunctionKind.HistogramQuantile:
                return PromHistogramQuantile.Evaluate(context, evaluator.EvaluateScalar(args[0]), evaluator.EvaluateVector(args[1]));
            case PromFunctionKind.QuantileOverTime:
                return PromRangeFunctions.Evaluate(context, call.Function, (MatrixSelector)Unwrap(args[1]), evaluator.EvaluateScalar(args[0]));
            case PromFunctionKind.Abs:
                return Map(context, evaluator.EvaluateVector(args[0]), null, static (v, _) => Math.Abs(v));
            case PromFunctionKind.ClampMin:
                return Map(context, evaluator.EvaluateVector(args[0]), evaluator.EvaluateScalar(args[1]), static (v, min) => Math.Max(min, v));
            case PromFunctionKind.ClampMax:
                return Map(context, evaluator.EvaluateVector(args[0]), evaluator.EvaluateScalar(args[1]), static (v, max) => Math.Min(max, v));
            case PromFunctionKind.Round:
                var toNearest = args.Count > 1 ? evaluator.EvaluateScalar(args[1]) : context.NewScalar(1);
                return Map(context, evaluator.EvaluateVector(args[0]), toNearest, static (v, nearest) =>
                {
                    // As Prometheus: ties round up, and dividing by the inverse is steadier than multiplying.
                    var inverse = 1.0 / nearest;
                    return Math.Floor((v * inverse) + 0.5) / inverse;
                });
            default:
                return PromRangeFunctions.Evaluate(context, call.Function, (MatrixSelector)Unwrap(args[0]), null);
        }
    }

    private static PromExpr Unwrap(PromExpr expr) => expr is ParenExpr paren ? Unwrap(paren.Inner) : expr;

    private static ScalarSteps ToScalar(EvalContext context, VectorSteps vector)
    {
        var values = new double[context.Steps];
        for (var i = 0; i < values.Length; i++)
        {
            var count = 0;
            var value = double.NaN;
            foreach (var s in vector.Series)
            {
                if (s.Present[i])
                {
                    count++;
                    value = s.Values[i];
                }
            }

            values[i] = count == 1 ? value : double.NaN;
        }

        return new ScalarSteps(values);
    }

    private static VectorSteps Map(EvalContext context, VectorSteps input, ScalarSteps? parameter, Func<double, double, double> map)
    {
        var output = new List<StepSeries>(input.Series.Count);
        foreach (var s in input.Series)
        {
            var result = context.NewSeries(s.Labels.WithoutName());
            for (var i = 0; i < s.Values.Length; i++)
            {
                if (s.Present[i])
                {
                    result.Present[i] = true;
                    result.Values[i] = map(s.Values[i], parameter is null ? 0 : parameter.Values[i]);
                }
            }

            output.Add(result);
        }

        return StepSeriesMerge.Distinct(output);
    }
}
