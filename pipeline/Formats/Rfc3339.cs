namespace FunctionsObservability.Pipeline.Formats;

/// <summary>
/// Parses RFC 3339 date-times (<c>2026-11-22T10:00:00.123456Z</c>, <c>...+02:00</c>) to Unix microseconds.
/// Hand-written rather than <c>DateTimeOffset</c> parsing because that accepts values without an offset
/// (read as server-local time) and rounds instead of truncating digits beyond the tick.
/// </summary>
internal static class Rfc3339
{
    private const int MinLength = 20; // yyyy-MM-ddTHH:mm:ssZ

    public static bool TryParseMicros(ReadOnlySpan<byte> text, out long micros)
    {
        micros = 0;
        if (text.Length < MinLength
            || !TryDigits(text, 0, 4, out var year) || text[4] != (byte)'-'
            || !TryDigits(text, 5, 2, out var month) || text[7] != (byte)'-'
            || !TryDigits(text, 8, 2, out var day) || text[10] is not ((byte)'T' or (byte)'t' or (byte)' ')
            || !TryDigits(text, 11, 2, out var hour) || text[13] != (byte)':'
            || !TryDigits(text, 14, 2, out var minute) || text[16] != (byte)':'
            || !TryDigits(text, 17, 2, out var second))
        {
            return false;
        }

        var position = 19;
        long fractionMicros = 0;
        if (text[position] == (byte)'.')
        {
            position++;
            var digits = 0;
            while (position < text.Length && text[position] is >= (byte)'0' and <= (byte)'9')
            {
                // Digits past the sixth are below a microsecond and are truncated.
                if (digits < 6)
                {
                    fractionMicros = (fractionMicros * 10) + (text[position] - '0');
                }

                digits++;
                position++;
            }

            if (digits == 0)
            {
                return false;
            }

            for (var i = digits; i < 6; i++)
            {
                fractionMicros *= 10;
            }
        }

        if (!TryOffsetSeconds(text[position..], out var offsetSeconds)
            || year < 1 || month is < 1 or > 12 || day < 1 || day > DateTime.DaysInMonth(year, month)
            || hour > 23 || minute > 59 || second > 59)
        {
            return false;
        }

        var days = (new DateTime(year, month, day).Ticks - DateTime.UnixEpoch.Ticks) / TimeSpan.TicksPerDay;
        var seconds = (days * 86_400) + (hour * 3600) + (minute * 60) + second - offsetSeconds;
        micros = (seconds * 1_000_000) + fractionMicros;
        return true;
    }

    private static bool TryOffsetSeconds(ReadOnlySpan<byte> text, out long seconds)
    {
        seconds = 0;
        if (text.Length == 1 && text[0] is (byte)'Z' or (byte)'z')
        {
            return true;
        }

        if (text.Length != 6 || text[0] is not ((byte)'+' or (byte)'-') || text[3] != (byte)':'
            || !TryDigits(text, 1, 2, out var hours) || !TryDigits(text, 4, 2, out var minutes)
            || hours > 23 || minutes > 59)
        {
            return false;
        }

        seconds = ((hours * 3600) + (minutes * 60)) * (text[0] == (byte)'-' ? -1 : 1);
        return true;
    }

    private static bool TryDigits(ReadOnlySpan<byte> text, int start, int count, out int value)
    {
        value = 0;
        for (var i = start; i < start + count; i++)
        {
            var digit = text[i] - '0';
            if (digit is < 0 or > 9)
            {
                return false;
            }

            value = (value * 10) + digit;
        }

        return true;
    }
}
