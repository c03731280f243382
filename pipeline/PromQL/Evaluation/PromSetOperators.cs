namespace FunctionsObservability.Pipeline.PromQL;

/// <summary>
/// <c>and</c>, <c>or</c>, <c>unless</c>: many-to-many by signature (all labels but the name, or those
/// of <c>on</c>/<c>ignoring</c>), step by step. Samples pass through with their labels and values.
/// </summary>
internal static class PromSetOperators
{
    public static VectorSteps Evaluate(EvalContext context, BinaryExpr expr, VectorSteps left, VectorSteps right)
    {
        var rightSteps = PresentBySignature(context, expr, right);
        var output = new List<StepSeries>(left.Series.Count + right.Series.Count);
        if (expr.Op == BinaryOp.Or)
        {
            var leftSteps = PresentBySignature(context, expr, left);
            output.AddRange(left.Series.Select(s => Copy(context, s, _ => true)));
            foreach (var s in right.Series)
            {
                var taken = leftSteps.GetValueOrDefault(PromVectorMatching.Signature(s.Labels, expr));
                output.Add(Copy(context, s, i => taken is null || !taken[i]));
            }
        }
        else
        {
            var keepMatched = expr.Op == BinaryOp.And;
            foreach (var s in left.Series)
            {
                var matched = rightSteps.GetValueOrDefault(PromVectorMatching.Signature(s.Labels, expr));
                output.Add(Copy(context, s, i => (matched is not null && matched[i]) == keepMatched));
            }
        }

        output.RemoveAll(s => !s.Any());
        return StepSeriesMerge.Distinct(output);
    }

    /// <summary>For each signature, the steps at which some series with it has a sample.</summary>
    private static Dictionary<PromLabels, bool[]> PresentBySignature(EvalContext context, BinaryExpr expr, VectorSteps vector)
    {
        var steps = new Dictionary<PromLabels, bool[]>();
        foreach (var s in vector.Series)
        {
            var signature = PromVectorMatching.Signature(s.Labels, expr);
            if (!steps.TryGetValue(signature, out var present))
            {
                steps.Add(signature, present = new bool[context.Steps]);
            }

            for (var i = 0; i < present.Length; i++)
            {
                present[i] |= s.Present[i];
            }
        }

        return steps;
    }

    private static StepSeries Copy(EvalContext context, StepSeries source, Func<int, bool> keep)
    {
        var copy = context.NewSeries(source.Labels);
        for (var i = 0; i < context.Steps; i++)
        {
            if (source.Present[i] && keep(i))
            {
                copy.Present[i] = true;
                copy.Values[i] = source.Values[i];
            }
        }

        return copy;
    }
}
