namespace FunctionsObservability.Pipeline.PromQL;

/// <summary>
/// Answers PromQL instant and range queries over an <see cref="IPromSeriesSource"/>. Each selector
/// is loaded once per query for the whole window the query needs, under a per-query budget of
/// series and samples; results are capped in points. Thread-safe: queries share nothing.
/// </summary>
public sealed class PromEngine
{
    private readonly IPromSeriesSource _source;
    private readonly PromEngineOptions _options;

    public PromEngine(IPromSeriesSource source, PromEngineOptions options)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(options);
        _source = source;
        _options = options.Copy();
    }

    /// <summary>Evaluates <paramref name="query"/> at one instant (Unix ms).</summary>
    public async Task<PromResult> InstantAsync(string query, long timeMs, CancellationToken cancellationToken)
    {
        var expr = PromParser.Parse(query);
        var budget = new PromQueryBudget(_options.MaxSeries, _options.MaxSamples);
        var top = Unwrap(expr);
        if (top is MatrixSelector matrix)
        {
            var selected = await SelectAsync([(matrix.Selector, matrix.RangeMs)], timeMs, timeMs, budget, cancellationToken);
            return PromResult.FromMatrix(PromResultBuilder.RawSamples(selected[matrix.Selector], timeMs - matrix.Selector.OffsetMs - matrix.RangeMs,
                timeMs - matrix.Selector.OffsetMs));
        }

        var value = await EvaluateAsync(expr, timeMs, timeMs, 1, budget, cancellationToken);
        return value switch
        {
            ScalarSteps scalar => PromResult.FromScalar(timeMs, scalar.Values[0]),
            string text => PromResult.FromString(timeMs, text),
            _ => PromResult.FromVector(PromResultBuilder.InstantVector((VectorSteps)value, timeMs)),
        };
    }

    /// <summary>Evaluates <paramref name="query"/> at <paramref name="startMs"/>, + <paramref name="stepMs"/>, ... up to <paramref name="endMs"/>.</summary>
    public async Task<PromResult> RangeAsync(string query, long startMs, long endMs, long stepMs, CancellationToken cancellationToken)
    {
        if (stepMs <= 0)
        {
            throw new PromQueryException(PromErrorType.BadData, "zero or negative query resolution step widths are not accepted. Try a positive integer");
        }

        if (endMs < startMs)
        {
            throw new PromQueryException(PromErrorType.BadData, "end timestamp must not be before start time");
        }

        if ((endMs - startMs) / stepMs >= _options.MaxSteps)
        {
            throw new PromQueryException(PromErrorType.BadData,
                $"exceeded maximum resolution of {_options.MaxSteps} points per timeseries. Try decreasing the query resolution (?step=XX)");
        }

        var expr = PromParser.Parse(query);
        if (expr.Type is not (PromValueType.Scalar or PromValueType.Vector))
        {
            throw new PromQueryException(PromErrorType.BadData,
                $"invalid expression type \"{PromExprParser.TypeName(expr.Type)}\" for range query, must be Scalar or instant Vector");
        }

        var steps = (int)((endMs - startMs) / stepMs) + 1;
        var budget = new PromQueryBudget(_options.MaxSeries, _options.MaxSamples);
        var value = await EvaluateAsync(expr, startMs, stepMs, steps, budget, cancellationToken);
        return PromResult.FromMatrix(PromResultBuilder.Matrix(value, startMs, stepMs));
    }

    private async Task<object> EvaluateAsync(PromExpr expr, long startMs, long stepMs, int steps, PromQueryBudget budget, CancellationToken cancellationToken)
    {
        var lookbackMs = (long)_options.LookbackDelta.TotalMilliseconds;
        var selectors = new List<(VectorSelector, long)>();
        CollectSelectors(expr, lookbackMs, selectors);
        var endMs = startMs + ((steps - 1) * stepMs);
        var selected = await SelectAsync(selectors, startMs, endMs, budget, cancellationToken);
        var context = new EvalContext(startMs, stepMs, steps, _options, selected, cancellationToken);
        return new PromEvaluator(context).Evaluate(expr);
    }

    /// <summary>Loads each selector once for [start - offset - window, end - offset], one selector after the other.</summary>
    private async Task<Dictionary<VectorSelector, IReadOnlyList<PromSeries>>> SelectAsync(
        List<(VectorSelector Selector, long WindowMs)> selectors, long startMs, long endMs, PromQueryBudget budget, CancellationToken cancellationToken)
    {
        var selected = new Dictionary<VectorSelector, IReadOnlyList<PromSeries>>(selectors.Count, ReferenceEqualityComparer.Instance);
        foreach (var (selector, windowMs) in selectors)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var minT = startMs - selector.OffsetMs - windowMs;
            var maxT = endMs - selector.OffsetMs;
            selected[selector] = await _source.SelectAsync(selector.Matchers, minT, maxT, budget, cancellationToken).ConfigureAwait(false);
        }

        return selected;
    }

    private static void CollectSelectors(PromExpr expr, long lookbackMs, List<(VectorSelector, long)> selectors)
    {
        switch (expr)
        {
            case VectorSelector vector:
                selectors.Add((vector, lookbackMs));
                break;
            case MatrixSelector matrix:
                selectors.Add((matrix.Selector, matrix.RangeMs));
                break;
            case ParenExpr paren:
                CollectSelectors(paren.Inner, lookbackMs, selectors);
                break;
            case UnaryExpr unary:
                CollectSelectors(unary.Operand, lookbackMs, selectors);
                break;
            case BinaryExpr binary:
                CollectSelectors(binary.Left, lookbackMs, selectors);
                CollectSelectors(binary.Right, lookbackMs, selectors);
                break;
            case CallExpr call:
                foreach (var arg in call.Args)
                {
                    CollectSelectors(arg, lookbackMs, selectors);
                }

                break;
            case AggregateExpr aggregate:
                if (aggregate.Parameter is not null)
                {
                    CollectSelectors(aggregate.Parameter, lookbackMs, selectors);
                }

                CollectSelectors(aggregate.Argument, lookbackMs, selectors);
                break;
        }
    }

    private static PromExpr Unwrap(PromExpr expr) => expr is ParenExpr paren ? Unwrap(paren.Inner) : expr;
}
