namespace FunctionsObservability.Pipeline.Query;

/// <summary>
/// Where a page read starts and ends, and how wide its first time window is, from the committed
/// time bounds and point counts the catalog keeps for each series.
/// </summary>
internal readonly record struct TimeWindow(long From, long Width, long End)
{
    public static TimeWindow? For(SeriesSelection selection, TimeRange range, PageCursor? cursor, long need)
    {
        if (selection.IsEmpty)
        {
            return null;
        }

        long min = long.MaxValue, max = long.MinValue, points = 0;
        foreach (var series in selection.Series)
        {
            if (series.PointCount == 0)
            {
                continue;
            }

            min = Math.Min(min, series.MinTimestamp);
            max = Math.Max(max, series.MaxTimestamp);
            points += series.PointCount;
        }

        if (points == 0)
        {
            return null;
        }

        // The read covers what was committed when it started; a point committed later, outside
        // these bounds, belongs to a later read, as with any keyset walk.
        var from = Math.Max(Math.Max(range.FromMicros, cursor?.TimestampMicros ?? long.MinValue), min);
        var end = Math.Min(range.ToMicros, max == long.MaxValue ? max : max + 1);
        if (from >= end)
        {
            return null;
        }

        var span = (double)max - min + 1;
        var width = (long)Math.Clamp(span / points * need * 2, 1, long.MaxValue / 8);
        return new TimeWindow(from, width, end);
    }
}
