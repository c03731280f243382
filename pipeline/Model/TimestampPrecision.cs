namespace FunctionsObservability.Pipeline.Model;

/// <summary>The unit of a line-protocol timestamp, as the InfluxDB <c>precision</c> parameter names it.</summary>
public enum TimestampPrecision
{
    Nanoseconds,
    Microseconds,
    Milliseconds,
    Seconds,
}

public static class TimestampPrecisionParser
{
    public static bool TryParse(string? text, out TimestampPrecision precision)
    {
        precision = text switch
        {
            null or "" or "ns" or "n" => TimestampPrecision.Nanoseconds,
            "us" or "u" => TimestampPrecision.Microseconds,
            "ms" => TimestampPrecision.Milliseconds,
            "s" => TimestampPrecision.Seconds,
            _ => (TimestampPrecision)(-1),
        };
        return precision >= 0;
    }
}
