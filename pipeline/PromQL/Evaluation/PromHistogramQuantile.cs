using System.Globalization;

namespace FunctionsObservability.Pipeline.PromQL;

/// <summary>
/// <c>histogram_quantile(φ, buckets)</c> over classic buckets: series are grouped by their labels
/// without <c>le</c> and the name; at each step a group's buckets are sorted by upper bound, merged
/// when bounds repeat, made monotonic, and the quantile interpolated linearly inside its bucket.
/// </summary>
internal static class PromHistogramQuantile
{
    private const string BucketLabel = "le";

    public static VectorSteps Evaluate(EvalContext context, ScalarSteps phi, VectorSteps input)
    {
        var groups = new Dictionary<PromLabels, List<(double UpperBound, StepSeries Series)>>();
        foreach (var s in input.Series)
        {
            if (!TryParseBound(s.Labels.Get(BucketLabel), out var upperBound))
            {
                continue;
            }

            var key = s.Labels.Without([BucketLabel, PromLabels.MetricName]);
            if (!groups.TryGetValue(key, out var members))
            {
                groups.Add(key, members = []);
            }

            members.Add((upperBound, s));
        }

        var output = new List<StepSeries>(groups.Count);
        var buckets = new List<(double UpperBound, double Count)>();
        foreach (var (labels, members) in groups)
        {
            var result = context.NewSeries(labels);
            for (var step = 0; step < context.Steps; step++)
            {
                buckets.Clear();
                foreach (var (upperBound, series) in members)
                {
                    if (series.Present[step])
                    {
                        buckets.Add((upperBound, series.Values[step]));
                    }
                }

                if (buckets.Count > 0)
                {
                    result.Present[step] = true;
                    result.Values[step] = BucketQuantile(phi.Values[step], buckets);
                }
            }

            if (result.Any())
            {
                output.Add(result);
            }
        }

        return new VectorSteps(output);
    }

    private static bool TryParseBound(string text, out double bound)
    {
        switch (text.ToLowerInvariant())
        {
            case "+inf" or "inf" or "+infinity" or "infinity":
                bound = double.PositiveInfinity;
                return true;
            case "-inf" or "-infinity":
                bound = double.NegativeInfinity;
                return true;
            case "nan":
                bound = double.NaN;
                return true;
            default:
                return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out bound);
        }
    }

    private static double BucketQuantile(double q, List<(double UpperBound, double Count)> buckets)
    {
        if (double.IsNaN(q))
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

        buckets.Sort(static (a, b) => a.UpperBound.CompareTo(b.UpperBound));
        if (!double.IsPositiveInfinity(buckets[^1].UpperBound))
        {
            return double.NaN;
        }

        Coalesce(buckets);
        EnsureMonotonic(buckets);
        if (buckets.Count < 2)
        {
            return double.NaN;
        }

        var observations = buckets[^1].Count;
        if (observations == 0)
        {
            return double.NaN;
        }

        var rank = q * observations;
        var b = 0;
        while (b < buckets.Count - 1 && !(buckets[b].Count >= rank))
        {
            b++;
        }

        if (b == buckets.Count - 1)
        {
            return buckets[^2].UpperBound;
        }

        if (b == 0 && buckets[0].UpperBound <= 0)
        {
            return buckets[0].UpperBound;
        }

        var bucketStart = 0.0;
        var bucketEnd = buckets[b].UpperBound;
        var count = buckets[b].Count;
        if (b > 0)
        {
            bucketStart = buckets[b - 1].UpperBound;
            count -= buckets[b - 1].Count;
            rank -= buckets[b - 1].Count;
        }

        return bucketStart + ((bucketEnd - bucketStart) * (rank / count));
    }

    /// <summary>Buckets with the same upper bound (e.g. "1" and "1.0") count as one.</summary>
    private static void Coalesce(List<(double UpperBound, double Count)> buckets)
    {
        var last = buckets[0];
        var write = 0;
        for (var i = 1; i < buckets.Count; i++)
        {
            if (buckets[i].UpperBound == last.UpperBound)
            {
                last.Count += buckets[i].Count;
            }
            else
            {
                buckets[write++] = last;
                last = buckets[i];
            }
        }

        buckets[write++] = last;
        buckets.RemoveRange(write, buckets.Count - write);
    }

    /// <summary>Counts that fall from one bucket to the next (scrapes that are not atomic) are raised to the running maximum.</summary>
    private static void EnsureMonotonic(List<(double UpperBound, double Count)> buckets)
    {
        var max = double.NegativeInfinity;
        for (var i = 0; i < buckets.Count; i++)
        {
            if (buckets[i].Count > max)
            {
                max = buckets[i].Count;
            }
            else if (buckets[i].Count < max)
            {
                buckets[i] = (buckets[i].UpperBound, max);
            }
        }
    }
}
