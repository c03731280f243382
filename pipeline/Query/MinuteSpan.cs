namespace FunctionsObservability.Pipeline.Query;

/// <summary>
/// The whole minutes inside a query's range, which the minute rollup (<c>points_1m</c>) can
/// answer, and the ragged edges on either side, which are read as points. A range that ends at
/// an odd second, such as 01:23:20, then still reads 83 minute rows instead of 5,000 points.
/// </summary>
internal readonly record struct MinuteSpan(long FromMicros, long ToMicros)
{
    public const long MinuteMicros = 60_000_000;

    /// <summary>
    /// The whole minutes of the range, or null when the rollup cannot answer: a step that is not
    /// whole minutes (a bucket would split a minute), or no whole minute inside the range.
    /// </summary>
    public static MinuteSpan? Inside(TimeRange range, long stepMicros)
    {
        // Open-ended ranges (from the start, to the end of time) are left to the point read.
        if (stepMicros % MinuteMicros != 0 || range.FromMicros <= long.MinValue + MinuteMicros || range.ToMicros >= long.MaxValue - MinuteMicros)
        {
            return null;
        }

        var from = FloorToMinute(range.FromMicros);
        if (from < range.FromMicros)
        {
            from += MinuteMicros;
        }

        var to = FloorToMinute(range.ToMicros);
        return from < to ? new MinuteSpan(from, to) : null;
    }

    /// <summary>Whether points before or after the whole minutes belong to the range.</summary>
    public bool HasEdges(TimeRange range) => range.FromMicros < FromMicros || ToMicros < range.ToMicros;

    /// <summary>Microseconds of the range outside the whole minutes.</summary>
    public long EdgeMicros(TimeRange range) => FromMicros - range.FromMicros + (range.ToMicros - ToMicros);

    public long Minutes => (ToMicros - FromMicros) / MinuteMicros;

    private static long FloorToMinute(long micros)
    {
        var minute = Math.DivRem(micros, MinuteMicros, out var rest);
        return (rest < 0 ? minute - 1 : minute) * MinuteMicros;
    }
}
