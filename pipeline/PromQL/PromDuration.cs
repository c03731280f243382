namespace FunctionsObservability.Pipeline.PromQL;

/// <summary>
/// Prometheus's duration text: one or more number-unit pairs from largest to smallest unit
/// (<c>y w d h m s ms</c>), e.g. <c>1h30m</c>; a year is 365 days.
/// </summary>
public static class PromDuration
{
    private static readonly (string Unit, long Milliseconds)[] Units =
    [
        ("y", 365L * 24 * 3600 * 1000), ("w", 7L * 24 * 3600 * 1000), ("d", 24L * 3600 * 1000),
        ("h", 3600L * 1000), ("m", 60L * 1000), ("s", 1000L), ("ms", 1L),
    ];

    public static bool TryParseMilliseconds(ReadOnlySpan<char> text, out long milliseconds)
    {
        milliseconds = 0;
        if (text.IsEmpty)
        {
            return false;
        }

        var lastUnit = -1;
        while (!text.IsEmpty)
        {
            var digits = 0;
            while (digits < text.Length && char.IsAsciiDigit(text[digits]))
            {
                digits++;
            }

            if (digits == 0 || !long.TryParse(text[..digits], out var number))
            {
                return false;
            }

            text = text[digits..];
            var unit = -1;
            for (var i = 0; i < Units.Length; i++)
            {
                // "ms" before "m": the longer unit must win where both fit.
                var candidate = i == 4 && text.StartsWith("ms", StringComparison.Ordinal) ? 6 : i;
                if (text.StartsWith(Units[candidate].Unit, StringComparison.Ordinal))
                {
                    unit = candidate;
                    break;
                }
            }

            if (unit <= lastUnit)
            {
                return false;
            }

            lastUnit = unit;
            text = text[Units[unit].Unit.Length..];
            try
            {
                milliseconds = checked(milliseconds + checked(number * Units[unit].Milliseconds));
            }
            catch (OverflowException)
            {
                return false;
            }
        }

        return true;
    }
}
