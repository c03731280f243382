namespace FunctionsObservability.Pipeline.PromQL;

/// <summary>
/// <c>sum</c>, <c>avg</c>, <c>count</c>, <c>min</c>, <c>max</c> (one output series per group, without the
/// name) and <c>topk</c>/<c>bottomk</c> (the chosen input series, labels kept). The group of each series
/// is computed once; the steps are then folded series by series.
/// </summary>
internal static class PromAggregator
{
    public static VectorSteps Aggregate(EvalContext context, AggregateExpr expr, VectorSteps input, ScalarSteps? parameter)
    {
        var groupOf = new int[input.Series.Count];
        var groupLabels = new List<PromLabels>();
        var index = new Dictionary<PromLabels, int>();
        for (var s = 0; s < input.Series.Count; s++)
        {
            var labels = GroupLabels(input.Series[s].Labels, expr);
            if (!index.TryGetValue(labels, out var g))
            {
                index.Add(labels, g = groupLabels.Count);
                groupLabels.Add(labels);
            }

            groupOf[s] = g;
        }

        return expr.Op is AggregationOp.TopK or AggregationOp.BottomK
            ? SelectK(context, expr.Op == AggregationOp.TopK, input, groupOf, groupLabels.Count, parameter!)
            : Fold(context, expr.Op, input, groupOf, groupLabels);
    }

    private static PromLabels GroupLabels(PromLabels labels, AggregateExpr expr)
    {
        if (expr.Without)
        {
            return labels.Without([.. expr.Grouping, PromLabels.MetricName]);
        }

        return labels.Keep(expr.Grouping as IReadOnlyCollection<string> ?? [.. expr.Grouping]);
    }

    private static VectorSteps Fold(EvalContext context, AggregationOp op, VectorSteps input, int[] groupOf, List<PromLabels> groupLabels)
    {
        var outputs = new StepSeries[groupLabels.Count];
        var counts = new int[groupLabels.Count][];
        for (var g = 0; g < outputs.Length; g++)
        {
            outputs[g] = context.NewSeries(groupLabels[g]);
            counts[g] = new int[context.Steps];
        }

        for (var s = 0; s < input.Series.Count; s++)
        {
            context.CancellationToken.ThrowIfCancellationRequested();
            var series = input.Series[s];
            var output = outputs[groupOf[s]];
            var count = counts[groupOf[s]];
            for (var i = 0; i < context.Steps; i++)
            {
                if (!series.Present[i])
                {
                    continue;
                }

                var v = series.Values[i];
                var n = ++count[i];
                if (!output.Present[i])
                {
                    output.Present[i] = true;
                    output.Values[i] = op switch
                    {
                        AggregationOp.Count => 1,
                        AggregationOp.Avg => PromMath.AddToMean(0, 1, v),
                        _ => v,
                    };
                    continue;
                }

                ref var acc = ref output.Values[i];
                switch (op)
                {
                    case AggregationOp.Sum:
                        acc += v;
                        break;
                    case AggregationOp.Count:
                        acc = n;
                        break;
                    case AggregationOp.Avg:
                        acc = PromMath.AddToMean(acc, n, v);
                        break;
                    case AggregationOp.Min:
                        if (acc > v || double.IsNaN(acc))
                        {
                            acc = v;
                        }

                        break;
                    default:
                        if (acc < v || double.IsNaN(acc))
                        {
                            acc = v;
                        }

                        break;
                }
            }
        }

        return new VectorSteps([.. outputs.Where(o => o.Any())]);
    }

    /// <summary>
    /// At each step, the k largest (topk) or smallest (bottomk) values of each group; NaN ranks
    /// last either way, and on ties the series seen first wins, as Prometheus's heap does.
    /// </summary>
    private static VectorSteps SelectK(EvalContext context, bool top, VectorSteps input, int[] groupOf, int groups, ScalarSteps parameter)
    {
        var outputs = new StepSeries?[input.Series.Count];
        var members = new List<int>[groups];
        for (var s = 0; s < groupOf.Length; s++)
        {
            (members[groupOf[s]] ??= []).Add(s);
        }

        var candidates = new List<(double Value, int Series)>();
        for (var i = 0; i < context.Steps; i++)
        {
            context.CancellationToken.ThrowIfCancellationRequested();
            var kValue = parameter.Values[i];
            if (double.IsNaN(kValue) || kValue >= 9.2233720368547758e18 || kValue <= -9.2233720368547758e18)
            {
                throw new PromQueryException(PromErrorType.Execution, $"Scalar value {PromNumberFormat.Format(kValue)} overflows int64");
            }

            var k = (long)kValue;
            if (k < 1)
            {
                continue;
            }

            foreach (var group in members)
            {
                candidates.Clear();
                foreach (var s in group)
                {
                    if (input.Series[s].Present[i])
                    {
                        candidates.Add((input.Series[s].Values[i], s));
                    }
                }

                candidates.Sort((a, b) => Rank(a, b, top));
                for (var c = 0; c < candidates.Count && c < k; c++)
                {
                    var s = candidates[c].Series;
                    var output = outputs[s] ??= context.NewSeries(input.Series[s].Labels);
                    output.Present[i] = true;
                    output.Values[i] = candidates[c].Value;
                }
            }
        }

        return new VectorSteps([.. outputs.OfType<StepSeries>()]);
    }

    private static int Rank((double Value, int Series) a, (double Value, int Series) b, bool top)
    {
        var aNaN = double.IsNaN(a.Value);
        var bNaN = double.IsNaN(b.Value);
        if (aNaN != bNaN)
        {
            return aNaN ? 1 : -1;
        }

        var byValue = aNaN ? 0 : top ? b.Value.CompareTo(a.Value) : a.Value.CompareTo(b.Value);
        return byValue != 0 ? byValue : a.Series.CompareTo(b.Series);
    }
}
