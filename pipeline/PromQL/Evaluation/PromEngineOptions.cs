namespace FunctionsObservability.Pipeline.PromQL;

/// <summary>
/// Limits and defaults of <see cref="PromEngine"/>. The engine copies them when it is built.
/// <list type="table">
/// <item><term><see cref="LookbackDelta"/></term><description>5 minutes, as Prometheus's <c>--query.lookback-delta</c>.</description></item>
/// <item><term><see cref="MaxSeries"/></term><description>100 000 series loaded by one query.</description></item>
/// <item><term><see cref="MaxSamples"/></term><description>20 000 000 samples loaded by one query (16 bytes each).</description></item>
/// <item><term><see cref="MaxResultPoints"/></term><description>10 000 000 points held by the intermediate and final results of one query (9 bytes each).</description></item>
/// <item><term><see cref="MaxSteps"/></term><description>11 000 steps in a range query, as Prometheus's API allows.</description></item>
/// </list>
/// </summary>
public sealed class PromEngineOptions
{
    public static readonly TimeSpan DefaultLookbackDelta = TimeSpan.FromMinutes(5);
    public const long DefaultMaxSeries = 100_000;
    public const long DefaultMaxSamples = 20_000_000;
    public const long DefaultMaxResultPoints = 10_000_000;
    public const int DefaultMaxSteps = 11_000;

    private TimeSpan _lookbackDelta = DefaultLookbackDelta;
    private long _maxSeries = DefaultMaxSeries;
    private long _maxSamples = DefaultMaxSamples;
    private long _maxResultPoints = DefaultMaxResultPoints;
    private int _maxSteps = DefaultMaxSteps;
    private string _maxResultPointsName = "PromQL:MaxResultPoints";

    /// <summary>How far back an instant vector selector looks for a series' latest sample (inclusive).</summary>
    public TimeSpan LookbackDelta
    {
        get => _lookbackDelta;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, TimeSpan.FromMilliseconds(1));
            _lookbackDelta = value;
        }
    }

    public long MaxSeries
    {
        get => _maxSeries;
        set
        {
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(value);
            _maxSeries = value;
        }
    }

    public long MaxSamples
    {
        get => _maxSamples;
        set
        {
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(value);
            _maxSamples = value;
        }
    }

    public long MaxResultPoints
    {
        get => _maxResultPoints;
        set
        {
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(value);
            _maxResultPoints = value;
        }
    }

    public int MaxSteps
    {
        get => _maxSteps;
        set
        {
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(value);
            _maxSteps = value;
        }
    }

    /// <summary>The setting that <see cref="MaxResultPoints"/> comes from, named in the error when it is exceeded.</summary>
    public string MaxResultPointsName
    {
        get => _maxResultPointsName;
        set
        {
            ArgumentException.ThrowIfNullOrWhiteSpace(value);
            _maxResultPointsName = value;
        }
    }

    internal PromEngineOptions Copy() => new()
    {
        LookbackDelta = LookbackDelta,
        MaxSeries = MaxSeries,
        MaxSamples = MaxSamples,
        MaxResultPoints = MaxResultPoints,
        MaxSteps = MaxSteps,
        MaxResultPointsName = MaxResultPointsName,
    };
}
