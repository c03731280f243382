namespace FunctionsObservability.Pipeline.PromQL;

internal enum PromFunctionKind
{
    Rate,
    Irate,
    Increase,
    Delta,
    AvgOverTime,
    MinOverTime,
    MaxOverTime,
    SumOverTime,
    CountOverTime,
    LastOverTime,
    QuantileOverTime,
    Abs,
    ClampMin,
    ClampMax,
    Round,
    Time,
    Vector,
    Scalar,
    HistogramQuantile,
}

/// <summary>A supported PromQL function: its argument types (the last <see cref="OptionalArgs"/> may be left out) and its result type.</summary>
internal sealed class PromFunction
{
    private static readonly Dictionary<string, PromFunction> Supported = new[]
    {
        new PromFunction("rate", PromFunctionKind.Rate, PromValueType.Vector, PromValueType.Matrix),
        new PromFunction("irate", PromFunctionKind.Irate, PromValueType.Vector, PromValueType.Matrix),
        new PromFunction("increase", PromFunctionKind.Increase, PromValueType.Vector, PromValueType.Matrix),
        new PromFunction("delta", PromFunctionKind.Delta, PromValueType.Vector, PromValueType.Matrix),
        new PromFunction("avg_over_time", PromFunctionKind.AvgOverTime, PromValueType.Vector, PromValueType.Matrix),
        new PromFunction("min_over_time", PromFunctionKind.MinOverTime, PromValueType.Vector, PromValueType.Matrix),
        new PromFunction("max_over_time", PromFunctionKind.MaxOverTime, PromValueType.Vector, PromValueType.Matrix),
        new PromFunction("sum_over_time", PromFunctionKind.SumOverTime, PromValueType.Vector, PromValueType.Matrix),
        new PromFunction("count_over_time", PromFunctionKind.CountOverTime, PromValueType.Vector, PromValueType.Matrix),
        new PromFunction("last_over_time", PromFunctionKind.LastOverTime, PromValueType.Vector, PromValueType.Matrix),
        new PromFunction("quantile_over_time", PromFunctionKind.QuantileOverTime, PromValueType.Vector, PromValueType.Scalar, PromValueType.Matrix),
        new PromFunction("abs", PromFunctionKind.Abs, PromValueType.Vector, PromValueType.Vector),
        new PromFunction("clamp_min", PromFunctionKind.ClampMin, PromValueType.Vector, PromValueType.Vector, PromValueType.Scalar),
        new PromFunction("clamp_max", PromFunctionKind.ClampMax, PromValueType.Vector, PromValueType.Vector, PromValueType.Scalar),
        new PromFunction("round", PromFunctionKind.Round, PromValueType.Vector, PromValueType.Vector, PromValueType.Scalar) { OptionalArgs = 1 },
        new PromFunction("time", PromFunctionKind.Time, PromValueType.Scalar),
        new PromFunction("vector", PromFunctionKind.Vector, PromValueType.Vector, PromValueType.Scalar),
        new PromFunction("scalar", PromFunctionKind.Scalar, PromValueType.Scalar, PromValueType.Vector),
        new PromFunction("histogram_quantile", PromFunctionKind.HistogramQuantile, PromValueType.Vector, PromValueType.Scalar, PromValueType.Vector),
    }.ToDictionary(f => f.Name, StringComparer.Ordinal);

    // The rest of Prometheus 2.42's functions: known, so that using one says "unsupported" rather than "unknown".
    private static readonly HashSet<string> Unsupported = new(StringComparer.Ordinal)
    {
        "absent", "absent_over_time", "acos", "acosh", "asin", "asinh", "atan", "atanh", "ceil", "changes", "clamp",
        "cos", "cosh", "day_of_month", "day_of_week", "day_of_year", "days_in_month", "deg", "deriv", "exp", "floor",
        "histogram_count", "histogram_sum", "histogram_fraction", "holt_winters", "hour", "idelta", "label_join",
        "label_replace", "ln", "log10", "log2", "minute", "month", "pi", "predict_linear", "present_over_time", "rad",
        "resets", "sgn", "sin", "sinh", "sort", "sort_desc", "sqrt", "stddev_over_time", "stdvar_over_time", "tan",
        "tanh", "timestamp", "year",
    };

    private PromFunction(string name, PromFunctionKind kind, PromValueType returnType, params PromValueType[] argTypes)
    {
        Name = name;
        Kind = kind;
        ReturnType = returnType;
        ArgTypes = argTypes;
    }

    public string Name { get; }

    public PromFunctionKind Kind { get; }

    public PromValueType ReturnType { get; }

    public IReadOnlyList<PromValueType> ArgTypes { get; }

    public int OptionalArgs { get; private init; }

    /// <summary>Prometheus 2.42 keeps the metric name only for <c>last_over_time</c>.</summary>
    public bool KeepsMetricName => Kind == PromFunctionKind.LastOverTime;

    public static PromFunction Lookup(string name, int position)
    {
        if (Supported.TryGetValue(name, out var function))
        {
            return function;
        }

        throw Unsupported.Contains(name)
            ? PromParser.Error(position, $"unsupported function \"{name}\"")
            : PromParser.Error(position, $"unknown function with name \"{name}\"");
    }
}
