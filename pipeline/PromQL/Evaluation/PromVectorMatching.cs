namespace FunctionsObservability.Pipeline.PromQL;

/// <summary>
/// Arithmetic and comparisons between two instant vectors. Series are keyed once by their matching
/// signature; at each step a signature must have at most one sample on the "one" side (the right,
/// or the left under <c>group_right</c>), and the results must be unique, or the query fails as in
/// Prometheus. One-to-one results keep the "many" side's labels (only those of <c>on</c>, or without
/// those of <c>ignoring</c>); many-to-one results keep all of them plus the <c>group_x(...)</c> labels
/// of the "one" side.
/// </summary>
internal static class PromVectorMatching
{
    public static VectorSteps Evaluate(EvalContext context, BinaryExpr expr, VectorSteps left, VectorSteps right)
    {
        var swapped = expr.Cardinality == MatchCardinality.OneToMany;
        var (many, one) = swapped ? (right, left) : (left, right);
        var oneBySignature = new Dictionary<PromLabels, List<StepSeries>>();
        foreach (var s in one.Series)
        {
            var signature = Signature(s.Labels, expr);
            if (!oneBySignature.TryGetValue(signature, out var list))
            {
                oneBySignature.Add(signature, list = []);
            }

            list.Add(s);
        }

        RefuseDuplicates(context, oneBySignature, many, one, swapped);
        var matchedAt = new Dictionary<PromLabels, bool[]>();
        var results = new Dictionary<PromLabels, StepSeries>();
        foreach (var m in many.Series)
        {
            context.CancellationToken.ThrowIfCancellationRequested();
            var signature = Signature(m.Labels, expr);
            if (!oneBySignature.TryGetValue(signature, out var candidates))
            {
                continue;
            }

            if (!matchedAt.TryGetValue(signature, out var matched))
            {
                matchedAt.Add(signature, matched = new bool[context.Steps]);
            }

            StepSeries? lastOne = null;
            StepSeries? result = null;
            for (var i = 0; i < context.Steps; i++)
            {
                if (!m.Present[i])
                {
                    continue;
                }

                var o = OnlyPresent(candidates, i, signature, swapped);
                if (o is null)
                {
                    continue;
                }

                var (l, r) = swapped ? (o.Values[i], m.Values[i]) : (m.Values[i], o.Values[i]);
                var (value, keep) = PromBinary.Apply(expr.Op, l, r);
                if (expr.ReturnBool)
                {
                    value = keep ? 1 : 0;
                }
                else if (!keep)
                {
                    continue;
                }

                if (expr.Cardinality == MatchCardinality.OneToOne)
                {
                    if (matched[i])
                    {
                        throw new PromQueryException(PromErrorType.Execution,
                            "multiple matches for labels: many-to-one matching must be explicit (group_left/group_right)");
                    }

                    matched[i] = true;
                }

                if (result is null || !ReferenceEquals(o, lastOne))
                {
                    // The result's labels depend on the "one" side only through group_x(...) labels.
                    var labels = ResultLabels(m.Labels, o.Labels, expr);
                    if (!results.TryGetValue(labels, out result))
                    {
                        results.Add(labels, result = context.NewSeries(labels));
                    }

                    lastOne = o;
                }

                if (result.Present[i])
                {
                    throw new PromQueryException(PromErrorType.Execution, expr.Cardinality == MatchCardinality.OneToOne
                        ? "vector cannot contain metrics with the same labelset"
                        : "multiple matches for labels: grouping labels must ensure unique matches");
                }

                result.Present[i] = true;
                result.Values[i] = value;
            }
        }

        return new VectorSteps([.. results.Values]);
    }

    /// <summary>
    /// As Prometheus, at every step where both sides have samples, two samples with one signature on
    /// the "one" side are an error, whether or not anything on the other side would match them.
    /// </summary>
    private static void RefuseDuplicates(EvalContext context, Dictionary<PromLabels, List<StepSeries>> oneBySignature,
        VectorSteps many, VectorSteps one, bool swapped)
    {
        var shared = oneBySignature.Where(g => g.Value.Count > 1).ToList();
        if (shared.Count == 0)
        {
            return;
        }

        var manyAt = AnyPresent(context, many);
        var oneAt = AnyPresent(context, one);
        for (var i = 0; i < context.Steps; i++)
        {
            if (manyAt[i] && oneAt[i])
            {
                foreach (var (signature, candidates) in shared)
                {
                    OnlyPresent(candidates, i, signature, swapped);
                }
            }
        }
    }

    private static bool[] AnyPresent(EvalContext context, VectorSteps vector)
    {
        var any = new bool[context.Steps];
        foreach (var s in vector.Series)
        {
            for (var i = 0; i < any.Length; i++)
            {
                any[i] |= s.Present[i];
            }
        }

        return any;
    }

    public static PromLabels Signature(PromLabels labels, BinaryExpr expr) => expr.On
        ? labels.Keep(expr.MatchingLabels as IReadOnlyCollection<string> ?? [.. expr.MatchingLabels])
        : labels.Without([.. expr.MatchingLabels, PromLabels.MetricName]);

    private static StepSeries? OnlyPresent(List<StepSeries> candidates, int step, PromLabels signature, bool swapped)
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
                var side = swapped ? "left" : "right";
                throw new PromQueryException(PromErrorType.Execution,
                    $"found duplicate series for the match group {MatchGroup(signature)} on the {side} hand-side of the operation: [{c.Labels}, {found.Labels}];"
                    + "many-to-many matching not allowed: matching labels must be unique on one side");
            }

            found = c;
        }

        return found;
    }

    private static string MatchGroup(PromLabels signature) =>
        "{" + string.Join(", ", signature.AsEnumerable().Select(l => $"{l.Key}=\"{l.Value}\"")) + "}";

    private static PromLabels ResultLabels(PromLabels many, PromLabels one, BinaryExpr expr)
    {
        var labels = many;
        if (!expr.IsComparison || expr.ReturnBool)
        {
            labels = labels.WithoutName();
        }

        if (expr.Cardinality == MatchCardinality.OneToOne)
        {
            labels = expr.On
                ? labels.Keep(expr.MatchingLabels as IReadOnlyCollection<string> ?? [.. expr.MatchingLabels])
                : labels.Without(expr.MatchingLabels as IReadOnlyCollection<string> ?? [.. expr.MatchingLabels]);
        }

        foreach (var name in expr.Include)
        {
            labels = labels.With(name, one.Get(name));
        }

        return labels;
    }
}
