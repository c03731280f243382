namespace FunctionsObservability.Pipeline.PromQL;

/// <summary>
/// The evaluation of one query: its steps, the samples each selector loaded, its cap on result
/// points and its cancellation. An instant query is a range query with one step.
/// </summary>
internal sealed class EvalContext
{
    private readonly long _maxPoints;
    private readonly string _maxPointsName;
    private long _points;

    public EvalContext(long startMs, long stepMs, int steps, PromEngineOptions options,
        Dictionary<VectorSelector, IReadOnlyList<PromSeries>> selected, CancellationToken cancellationToken)
    {
        StartMs = startMs;
        StepMs = stepMs;
        Steps = steps;
        LookbackMs = (long)options.LookbackDelta.TotalMilliseconds;
        _maxPoints = options.MaxResultPoints;
        _maxPointsName = options.MaxResultPointsName;
        Selected = selected;
        CancellationToken = cancellationToken;
    }

    public long StartMs { get; }

    public long StepMs { get; }

    public int Steps { get; }

    public long LookbackMs { get; }

    public Dictionary<VectorSelector, IReadOnlyList<PromSeries>> Selected { get; }

    public CancellationToken CancellationToken { get; }

    public long TimeAt(int step) => StartMs + (step * StepMs);

    /// <summary>A new series over all steps, charged to the query's result points.</summary>
    public StepSeries NewSeries(PromLabels labels)
    {
        CancellationToken.ThrowIfCancellationRequested();
        _points += Steps;
        if (_points > _maxPoints)
        {
            throw new PromQueryException(PromErrorType.Execution,
                $"query would hold more than {_maxPoints} result points in memory ({_maxPointsName}); shorten the range, raise the step or narrow the selector");
        }

        // Values are read only where Present is set, so they need no zeroing; Present does.
        return new StepSeries(labels, GC.AllocateUninitializedArray<double>(Steps), new bool[Steps]);
    }

    public ScalarSteps NewScalar(double value)
    {
        var values = new double[Steps];
        Array.Fill(values, value);
        return new ScalarSteps(values);
    }
}
