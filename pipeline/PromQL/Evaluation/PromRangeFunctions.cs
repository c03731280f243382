namespace FunctionsObservability.Pipeline.PromQL;

/// <summary>
/// Functions of a range vector (<c>rate(x[5m])</c>, <c>avg_over_time(x[1m])</c>, ...). For each
/// series the window of each step is found with two indices that only move forward over its sorted
/// samples, so a whole range query costs one pass over the samples plus the work inside windows.
/// </summary>
internal static class PromRangeFunctions
{
    public static VectorSteps Evaluate(EvalContext context, PromFunction function, MatrixSelector matrix, ScalarSteps? parameter)
    {
        var selector = matrix.Selector;
        var isCounter = function.Kind is PromFunctionKind.Rate or PromFunctionKind.Increase;
        var output = new List<StepSeries>();
        double[]? scratch = null;
        foreach (var source in context.Selected[selector])
        {
            context.CancellationToken.ThrowIfCancellationRequested();
            var ts = source.TimestampsMs;
            var values = source.Values;
            var end = source.End;
            // Resets of cached samples are found once for all their queries; those before the
            // slice's start are skipped like those before any window's start.
            var resets = !isCounter ? [] : source.Origin?.CounterResets ?? CounterResetIndex.Find(values, source.Start, end);
            var labels = function.KeepsMetricName ? source.Labels : source.Labels.WithoutName();
            StepSeries? result = null;
            int lo = source.Start, hi = source.Start, reset = 0;
            for (var step = 0; step < context.Steps; step++)
            {
                var maxT = context.TimeAt(step) - selector.OffsetMs;
                var minT = maxT - matrix.RangeMs;
                while (hi < end && ts[hi] <= maxT)
                {
                    hi++;
                }

                while (lo < hi && ts[lo] < minT)
                {
                    lo++;
                }

                while (reset < resets.Length && resets[reset] <= lo)
                {
                    reset++;
                }

                var window = new Window(ts, values, lo, hi);
                double value;
                bool ok;
                switch (function.Kind)
                {
                    case PromFunctionKind.Rate or PromFunctionKind.Increase or PromFunctionKind.Delta:
                        ok = ExtrapolatedRate(window, resets, reset, minT, maxT, matrix.RangeMs, isCounter, function.Kind == PromFunctionKind.Rate, out value);
                        break;
                    case PromFunctionKind.Irate:
                        ok = InstantRate(window, out value);
                        break;
                    case PromFunctionKind.QuantileOverTime:
                        ok = window.Count > 0;
                        value = ok ? Quantile(parameter!.Values[step], window, ref scratch) : 0;
                        break;
                    default:
                        ok = window.Count > 0;
                        value = ok ? OverTime(function.Kind, window) : 0;
                        break;
                }

                if (ok)
                {
                    result ??= context.NewSeries(labels);
                    result.Present[step] = true;
                    result.Values[step] = value;
                }
            }

            if (result is not null)
            {
                output.Add(result);
            }
        }

        return StepSeriesMerge.Distinct(output);
    }

    /// <summary>
    /// Prometheus's extrapolatedRate: the change over the window (plus the value before each counter
    /// reset), extrapolated to the window's edges when the first and last samples are within 1.1
    /// average intervals of them, else by half an interval; a counter is not extrapolated below zero.
    /// </summary>
    private static bool ExtrapolatedRate(Window w, int[] resets, int firstReset, long rangeStart, long rangeEnd, long rangeMs,
        bool isCounter, bool isRate, out double result)
    {
        result = 0;
        if (w.Count < 2)
        {
            return false;
        }

        var first = w.Values[w.Lo];
        var last = w.Values[w.Hi - 1];
        var value = last - first;
        if (isCounter)
        {
            for (var r = firstReset; r < resets.Length && resets[r] < w.Hi; r++)
            {
                value += w.Values[resets[r] - 1];
            }
        }

        var firstT = w.Timestamps[w.Lo];
        var lastT = w.Timestamps[w.Hi - 1];
        var durationToStart = (firstT - rangeStart) / 1000.0;
        var durationToEnd = (rangeEnd - lastT) / 1000.0;
        var sampledInterval = (lastT - firstT) / 1000.0;
        var averageInterval = sampledInterval / (w.Count - 1);
        if (isCounter && value > 0 && first >= 0)
        {
            var durationToZero = sampledInterval * (first / value);
            if (durationToZero < durationToStart)
            {
                durationToStart = durationToZero;
            }
        }

        var threshold = averageInterval * 1.1;
        var extrapolateTo = sampledInterval;
        extrapolateTo += durationToStart < threshold ? durationToStart : averageInterval / 2;
        extrapolateTo += durationToEnd < threshold ? durationToEnd : averageInterval / 2;
        value *= extrapolateTo / sampledInterval;
        if (isRate)
        {
            value /= rangeMs / 1000.0;
        }

        result = value;
        return true;
    }

    /// <summary>irate: the per-second change between the last two samples; after a reset, the last value.</summary>
    private static bool InstantRate(Window w, out double result)
    {
        result = 0;
        if (w.Count < 2)
        {
            return false;
        }

        var last = w.Values[w.Hi - 1];
        var previous = w.Values[w.Hi - 2];
        var interval = w.Timestamps[w.Hi - 1] - w.Timestamps[w.Hi - 2];
        if (interval == 0)
        {
            return false;
        }

        result = (last < previous ? last : last - previous) / (interval / 1000.0);
        return true;
    }

    private static double OverTime(PromFunctionKind kind, Window w)
    {
        var values = w.Values;
        switch (kind)
        {
            case PromFunctionKind.CountOverTime:
                return w.Count;
            case PromFunctionKind.LastOverTime:
                return values[w.Hi - 1];
            case PromFunctionKind.SumOverTime:
                var sum = 0.0;
                for (var i = w.Lo; i < w.Hi; i++)
                {
                    sum += values[i];
                }

                return sum;
            case PromFunctionKind.MinOverTime:
                var min = values[w.Lo];
                for (var i = w.Lo; i < w.Hi; i++)
                {
                    if (values[i] < min || double.IsNaN(min))
                    {
                        min = values[i];
                    }
                }

                return min;
            case PromFunctionKind.MaxOverTime:
                var max = values[w.Lo];
                for (var i = w.Lo; i < w.Hi; i++)
                {
                    if (values[i] > max || double.IsNaN(max))
                    {
                        max = values[i];
                    }
                }

                return max;
            default:
                return PromMath.Mean(values.AsSpan(w.Lo, w.Count));
        }
    }

    private static double Quantile(double q, Window w, ref double[]? scratch)
    {
        if (scratch is null || scratch.Length < w.Count)
        {
            scratch = new double[Math.Max(w.Count, 16)];
        }

        var span = scratch.AsSpan(0, w.Count);
        w.Values.AsSpan(w.Lo, w.Count).CopyTo(span);
        return PromMath.Quantile(q, span);
    }

    /// <summary>The samples of one step's window: indices [Lo, Hi) of the series' arrays.</summary>
    private readonly record struct Window(long[] Timestamps, double[] Values, int Lo, int Hi)
    {
        public int Count => Hi - Lo;
    }
}
