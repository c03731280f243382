namespace FunctionsObservability.Pipeline.PromQL;

/// <summary>
/// One-to-one matching of two instant vectors. Series are keyed once by their matching signature;
/// at each step a signature must have at most one sample on the right and, among the left samples
/// that produce a result, at most one, or the query fails as in Prometheus.
/// </summary>
internal static class PromVectorMatching
{
    public static VectorSteps Evaluate(EvalContext context, BinaryExpr expr, VectorSteps left, VectorSteps right)
    {
        var rightBySignature = new Dictionary<PromLabels, List<StepSeries>>();
        foreach (var s in right.Series)
        {
            var signature = Signature(s.Labels, expr);
            if (!rightBySignature.TryGetValue(signature, out var list))
            {
                rightBySignature.Add(signature, list = []);
            }

            list.Add(s);
        }

        var matchedAt = new Dictionary<PromLabels, bool[]>();
        var output = new List<StepSeries>();
        foreach (var l in left.Series)
        {
            var signature = Signature(l.Labels, expr);
            if (!rightBySignature.TryGetValue(signature, out var candidates))
            {
                continue;
            }

            if (!matchedAt.TryGetValue(signature, out var matched))
            {
                matchedAt.Add(signature, matched = new bool[context.Steps]);
            }

            StepSeries? result = null;
            for (var i = 0; i < context.Steps; i++)
            {
                if (!l.Present[i])
                {
                    continue;
                }

                var r = OnlyPresent(candidates, i, signature, expr);
                if (r is null)
                {
                    continue;
                }

                var (value, keep) = PromBinary.Apply(expr.Op, l.Values[i], r.Values[i]);
                if (expr.ReturnBool)
                {
                    value = keep ? 1 : 0;
                }
                else if (!keep)
                {
                    continue;
                }

                if (matched[i])
                {
                    throw new PromQueryException(PromErrorType.Execution,
                        "multiple matches for labels: many-to-one matching must be explicit (group_left/group_right)");
                }

                matched[i] = true;
                result ??= context.NewSeries(ResultLabels(l.Labels, expr));
                result.Present[i] = true;
                result.Values[i] = value;
            }

            if (result is not null)
            {
                output.Add(result);
            }
        }

        return StepSeriesMerge.Distinct(output);
    }

    private static StepSeries? OnlyPresent(List<StepSeries> candidates, int step, PromLabels signature, BinaryExpr expr)
    {
        StepSeries? found = null;
        foreach (var c in candidates)
        {
            if (!c.Present[step])
            {
                continue;
            }

            if (found is not null)
            {
                throw new PromQueryException(PromErrorType.Execution,
                    $"found duplicate series for the match group {MatchGroup(signature, expr)} on the right hand-side of the operation: [{c.Labels}, {found.Labels}];"
                    + "many-to-many matching not allowed: matching labels must be unique on one side");
            }

            found = c;
        }

        return found;
    }

    private static string MatchGroup(PromLabels signature, BinaryExpr expr) =>
        "{" + string.Join(", ", signature.AsEnumerable().Select(l => $"{l.Key}=\"{l.Value}\"")) + "}";

    public static PromLabels Signature(PromLabels labels, BinaryExpr expr) => expr.On
        ? labels.Keep(expr.MatchingLabels as IReadOnlyCollection<string> ?? [.. expr.MatchingLabels])
        : labels.Without([.. expr.MatchingLabels, PromLabels.MetricName]);

    private static PromLabels ResultLabels(PromLabels labels, BinaryExpr expr)
    {
        if (!expr.IsComparison || expr.ReturnBool)
        {
            labels = labels.WithoutName();
        }

        return expr.On
            ? labels.Keep(expr.MatchingLabels as IReadOnlyCollection<string> ?? [.. expr.MatchingLabels])
            : labels.Without(expr.MatchingLabels as IReadOnlyCollection<string> ?? [.. expr.MatchingLabels]);
    }
}
