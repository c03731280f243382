namespace FunctionsObservability.Pipeline.PromQL;

/// <summary>Where a counter's samples reset: each index whose value is lower than the one before it.</summary>
internal static class CounterResetIndex
{
    /// <summary>The resets among samples [<paramref name="start"/>, <paramref name="end"/>), ascending.</summary>
    public static int[] Find(double[] values, int start, int end)
    {
        if (end - start < 2)
        {
            return [];
        }

        // Without a branch on the comparison: on noisy values half the samples may be resets, and
        // a mispredicted branch per sample made this most of a 1,000-series rate query.
        var found = GC.AllocateUninitializedArray<int>(end - start - 1);
        var count = 0;
        var previous = values[start];
        for (var i = start + 1; i < end; i++)
        {
            var value = values[i];
            found[count] = i;
            count += value < previous ? 1 : 0;
            previous = value;
        }

        return count == 0 ? [] : count == found.Length ? found : found[..count];
    }
}
