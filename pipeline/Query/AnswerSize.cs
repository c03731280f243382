namespace FunctionsObservability.Pipeline.Query;

/// <summary>
/// A generous estimate of the managed memory one cached answer holds, for the cache's budget:
/// object headers, list arrays at their capacity, and every string counted as if it were its own
/// (tag strings are often shared with the catalog, which this does not try to prove).
/// </summary>
internal static class AnswerSize
{
    /// <summary>The cache's entry, list node, dictionary slot and the key string's header.</summary>
    private const long EntryOverhead = 160;

    /// <summary>An <see cref="AggregateSeries"/>, its tag list and its point list, without their contents.</summary>
    private const long SeriesOverhead = 3 * 32 + 2 * 24;

    private const long TagOverhead = 2 * 24;

    /// <summary>A <see cref="BucketValue"/>: a timestamp and a value.</summary>
    private const long BucketBytes = sizeof(long) + sizeof(double);

    public static long Estimate(string key, IReadOnlyList<AggregateSeries> answer)
    {
        var bytes = EntryOverhead + (2L * key.Length);
        foreach (var series in answer)
        {
            bytes += SeriesOverhead;
            foreach (var (name, value) in series.Tags)
            {
                bytes += TagOverhead + (2L * (name.Length + value.Length));
            }

            var slots = series.Points is List<BucketValue> list ? list.Capacity : series.Points.Count;
            bytes += slots * BucketBytes;
        }

        return bytes;
    }
}
