namespace FunctionsObservability.Pipeline.PromQL;

/// <summary>
/// One series of an instant vector evaluated at every step of a query: a value and whether the
/// series has a sample at each step. Arrays are indexed by step; a value where the series has no
/// sample is undefined and never read.
/// </summary>
internal sealed class StepSeries(PromLabels labels, double[] values, bool[] present)
{
    public PromLabels Labels { get; set; } = labels;

    public double[] Values { get; } = values;

    public bool[] Present { get; } = present;

    public bool Any() => Array.IndexOf(Present, true) >= 0;
}

/// <summary>An instant vector at every step: its series, whose label sets are distinct.</summary>
internal sealed class VectorSteps(List<StepSeries> series)
{
    public List<StepSeries> Series { get; } = series;
}

/// <summary>A scalar at every step.</summary>
internal sealed class ScalarSteps(double[] values)
{
    public double[] Values { get; } = values;
}

internal static class StepSeriesMerge
{
    /// <summary>
    /// Series that came to share a label set (e.g. after the metric name was dropped) become one;
    /// if two have a sample at the same step, the vector is invalid, as in Prometheus.
    /// </summary>
    public static VectorSteps Distinct(List<StepSeries> series)
    {
        var byLabels = new Dictionary<PromLabels, StepSeries>(series.Count);
        var anyMerged = false;
        foreach (var s in series)
        {
            if (!byLabels.TryGetValue(s.Labels, out var first))
            {
                byLabels.Add(s.Labels, s);
                continue;
            }

            anyMerged = true;
            for (var i = 0; i < s.Present.Length; i++)
            {
                if (!s.Present[i])
                {
                    continue;
                }

                if (first.Present[i])
                {
                    throw new PromQueryException(PromErrorType.Execution, "vector cannot contain metrics with the same labelset");
                }

                first.Present[i] = true;
                first.Values[i] = s.Values[i];
            }
        }

        return anyMerged ? new VectorSteps([.. byLabels.Values]) : new VectorSteps(series);
    }
}
