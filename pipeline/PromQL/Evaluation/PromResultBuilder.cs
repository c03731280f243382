namespace FunctionsObservability.Pipeline.PromQL;

/// <summary>Turns step values into Prometheus's result shapes.</summary>
internal static class PromResultBuilder
{
    public static List<PromSample> InstantVector(VectorSteps vector, long timeMs)
    {
        var samples = new List<PromSample>(vector.Series.Count);
        foreach (var s in vector.Series)
        {
            if (s.Present[0])
            {
                samples.Add(new PromSample(s.Labels, timeMs, s.Values[0]));
            }
        }

        return samples;
    }

    /// <summary>A range query's matrix: each series' points at the steps where it has a value, series sorted by labels.</summary>
    public static List<PromSeries> Matrix(object value, long startMs, long stepMs)
    {
        var result = new List<PromSeries>();
        if (value is ScalarSteps scalar)
        {
            var timestamps = new long[scalar.Values.Length];
            for (var i = 0; i < timestamps.Length; i++)
            {
                timestamps[i] = startMs + (i * stepMs);
            }

            result.Add(new PromSeries(PromLabels.Empty, timestamps, scalar.Values, timestamps.Length));
            return result;
        }

        foreach (var s in ((VectorSteps)value).Series)
        {
            var count = 0;
            foreach (var present in s.Present)
            {
                count += present ? 1 : 0;
            }

            if (count == 0)
            {
                continue;
            }

            var timestamps = new long[count];
            var values = new double[count];
            var n = 0;
            for (var i = 0; i < s.Present.Length; i++)
            {
                if (s.Present[i])
                {
                    timestamps[n] = startMs + (i * stepMs);
                    values[n++] = s.Values[i];
                }
            }

            result.Add(new PromSeries(s.Labels, timestamps, values, count));
        }

        result.Sort(static (a, b) => PromLabels.Compare(a.Labels, b.Labels));
        return result;
    }

    /// <summary>An instant query of a range selector: each series' samples in [minT, maxT] with their own timestamps.</summary>
    public static List<PromSeries> RawSamples(IReadOnlyList<PromSeries> selected, long minT, long maxT)
    {
        var result = new List<PromSeries>(selected.Count);
        foreach (var s in selected)
        {
            var lo = s.Start;
            while (lo < s.End && s.TimestampsMs[lo] < minT)
            {
                lo++;
            }

            var hi = lo;
            while (hi < s.End && s.TimestampsMs[hi] <= maxT)
            {
                hi++;
            }

            if (hi > lo)
            {
                result.Add(new PromSeries(s.Labels, s.TimestampsMs[lo..hi], s.Values[lo..hi], hi - lo));
            }
        }

        result.Sort(static (a, b) => PromLabels.Compare(a.Labels, b.Labels));
        return result;
    }
}
