using System.Globalization;
using System.Text;

namespace FunctionsObservability.Pipeline.PromQL;

/// <summary>Numbers as Prometheus's JSON writes them.</summary>
public static class PromNumberFormat
{
    /// <summary>
    /// A sample value of a vector or matrix as Prometheus 2.42 writes it: Go's
    /// <c>strconv.FormatFloat(v, 'f', -1, 64)</c> (the shortest digits that round-trip, positional),
    /// except below 1e-6 and from 1e21 on in magnitude, where it uses Go's <c>'e'</c> form
    /// (<c>1.5e-07</c>, <c>1e+21</c>); <c>+Inf</c>, <c>-Inf</c>, <c>NaN</c>.
    /// </summary>
    public static string Format(double value) => Format(value, exponentOutsideRange: true);

    /// <summary>
    /// A scalar result's value: Prometheus formats it with <c>'f'</c> alone, so it never has an
    /// exponent (<c>0.0000001</c>, <c>10000000000000000000000</c>).
    /// </summary>
    public static string FormatPlain(double value) => Format(value, exponentOutsideRange: false);

    /// <summary>A scalar or string result's timestamp: Go's JSON form of the float seconds (<c>1.05</c>, not <c>1.050</c>).</summary>
    public static string FormatFloatSeconds(long timestampMs) => FormatPlain(timestampMs / 1000.0);

    private static string Format(double value, bool exponentOutsideRange)
    {
        if (double.IsNaN(value))
        {
            return "NaN";
        }

        if (double.IsInfinity(value))
        {
            return value > 0 ? "+Inf" : "-Inf";
        }

        if (value == 0)
        {
            return double.IsNegative(value) ? "-0" : "0";
        }

        var (digits, pointPosition) = ShortestDigits(Math.Abs(value));
        var builder = new StringBuilder(32);
        if (value < 0)
        {
            builder.Append('-');
        }

        var magnitude = Math.Abs(value);
        if (exponentOutsideRange && (magnitude < 1e-6 || magnitude >= 1e21))
        {
            var exponent = pointPosition - 1;
            builder.Append(digits[0]);
            if (digits.Length > 1)
            {
                builder.Append('.').Append(digits, 1, digits.Length - 1);
            }

            builder.Append('e').Append(exponent < 0 ? '-' : '+').Append(Math.Abs(exponent).ToString("00", CultureInfo.InvariantCulture));
        }
        else if (pointPosition <= 0)
        {
            builder.Append("0.").Append('0', -pointPosition).Append(digits);
        }
        else if (pointPosition >= digits.Length)
        {
            builder.Append(digits).Append('0', pointPosition - digits.Length);
        }
        else
        {
            builder.Append(digits, 0, pointPosition).Append('.').Append(digits, pointPosition, digits.Length - pointPosition);
        }

        return builder.ToString();
    }

    /// <summary>A point's timestamp in seconds with up to three decimals, as Prometheus writes it (e.g. <c>1700000000.050</c>: the fraction is always three digits when there is one).</summary>
    public static string FormatTimestamp(long timestampMs)
    {
        var builder = new StringBuilder(20);
        if (timestampMs < 0)
        {
            builder.Append('-');
            timestampMs = -timestampMs;
        }

        builder.Append((timestampMs / 1000).ToString(CultureInfo.InvariantCulture));
        var fraction = timestampMs % 1000;
        if (fraction != 0)
        {
            builder.Append('.').Append(fraction.ToString("000", CultureInfo.InvariantCulture));
        }

        return builder.ToString();
    }

    /// <summary>
    /// The shortest round-trip significant digits of a positive finite value (no leading or trailing
    /// zeros) and where the decimal point goes: value = 0.<c>digits</c> × 10^<c>pointPosition</c>.
    /// </summary>
    private static (string Digits, int PointPosition) ShortestDigits(double magnitude)
    {
        var text = magnitude.ToString("R", CultureInfo.InvariantCulture);
        var e = text.IndexOf('E', StringComparison.Ordinal);
        var exponent = 0;
        if (e >= 0)
        {
            exponent = int.Parse(text.AsSpan(e + 1), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
            text = text[..e];
        }

        var point = text.IndexOf('.', StringComparison.Ordinal);
        var integerDigits = point < 0 ? text.Length : point;
        var digits = point < 0 ? text : text.Remove(point, 1);
        var leadingZeros = 0;
        while (leadingZeros < digits.Length - 1 && digits[leadingZeros] == '0')
        {
            leadingZeros++;
        }

        digits = digits[leadingZeros..].TrimEnd('0');
        return (digits, integerDigits - leadingZeros + exponent);
    }
}
