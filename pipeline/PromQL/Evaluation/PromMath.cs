namespace FunctionsObservability.Pipeline.PromQL;

/// <summary>Numeric helpers shared by functions and aggregations, with Prometheus's handling of NaN and infinities.</summary>
internal static class PromMath
{
    /// <summary>
    /// The running mean Prometheus uses (dividing each term, so large values do not overflow); once
    /// the mean is infinite, finite values and infinities of the same sign leave it so.
    /// </summary>
    public static double Mean(ReadOnlySpan<double> values)
    {
        var mean = 0.0;
        var count = 0.0;
        foreach (var v in values)
        {
            count++;
            mean = AddToMean(mean, count, v);
        }

        return mean;
    }

    public static double AddToMean(double mean, double count, double v)
    {
        if (double.IsInfinity(mean))
        {
            if (double.IsInfinity(v) && (mean > 0) == (v > 0))
            {
                return mean;
            }

            if (!double.IsInfinity(v) && !double.IsNaN(v))
            {
                return mean;
            }
        }

        return mean + ((v / count) - (mean / count));
    }

    /// <summary>Prometheus's quantile: sorts <paramref name="values"/> (NaN first) and interpolates between the two nearest ranks.</summary>
    public static double Quantile(double q, Span<double> values)
    {
        if (values.Length == 0 || double.IsNaN(q))
        {
            return double.NaN;
        }

        if (q < 0)
        {
            return double.NegativeInfinity;
        }

        if (q > 1)
        {
            return double.PositiveInfinity;
        }

        values.Sort(static (a, b) => double.IsNaN(a) ? (double.IsNaN(b) ? 0 : -1) : double.IsNaN(b) ? 1 : a.CompareTo(b));
        var n = (double)values.Length;
        var rank = q * (n - 1);
        var lower = Math.Max(0, Math.Floor(rank));
        var upper = Math.Min(n - 1, lower + 1);
        var weight = rank - Math.Floor(rank);
        return (values[(int)lower] * (1 - weight)) + (values[(int)upper] * weight);
    }
}
