namespace FunctionsObservability.Pipeline.PromQL;

/// <summary>One sample of an instant vector result.</summary>
public readonly record struct PromSample(PromLabels Labels, long TimestampMs, double Value);

/// <summary>
/// A query's answer, in one of Prometheus's four result types: a scalar or string (with its
/// timestamp), an instant vector, or a matrix (series sorted by labels).
/// </summary>
public sealed class PromResult
{
    private PromResult(PromValueType type) => Type = type;

    public PromValueType Type { get; }

    /// <summary>The evaluation time of a scalar or string result.</summary>
    public long TimestampMs { get; private init; }

    public double Scalar { get; private init; }

    public string String { get; private init; } = string.Empty;

    public IReadOnlyList<PromSample> Vector { get; private init; } = [];

    public IReadOnlyList<PromSeries> Matrix { get; private init; } = [];

    public static PromResult FromScalar(long timestampMs, double value) => new(PromValueType.Scalar) { TimestampMs = timestampMs, Scalar = value };

    public static PromResult FromString(long timestampMs, string value) => new(PromValueType.String) { TimestampMs = timestampMs, String = value };

    public static PromResult FromVector(IReadOnlyList<PromSample> samples) => new(PromValueType.Vector) { Vector = samples };

    public static PromResult FromMatrix(IReadOnlyList<PromSeries> series) => new(PromValueType.Matrix) { Matrix = series };
}
