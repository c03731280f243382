using System.Globalization;
using System.Text;

namespace FunctionsObservability.Pipeline.PromQL;

/// <summary>Numbers as Prometheus's JSON writes them.</summary>
public static class PromNumberFormat
{
    /// <summary>
    /// A sample value like Go's <c>strconv.FormatFloat(v, 'f', -1, 64)</c>: the shortest digits that
    /// round-trip, never an exponent; <c>+Inf</c>, <c>-Inf</c>, <c>NaN</c>.
    /// </summary>
    public static string Format(double value)
    {
        if (double.IsNaN(value))
        {
            return "NaN";
        }

        if (double.IsInfinity(value))
        {
            return value > 0 ? "+Inf" : "-Inf";
        }

        // .NET's "R" gives the shortest round-trip digits but switches to an exponent for very large
        // or small magnitudes; expand that into plain positional notation.
        var text = value.ToString("R", CultureInfo.InvariantCulture);
        var e = text.IndexOf('E', StringComparison.Ordinal);
        return e < 0 ? text : Expand(text, e);
    }

    /// <summary>A timestamp in seconds with up to three decimals, as Prometheus writes it (e.g. <c>1700000000.050</c>: the fraction is always three digits when there is one).</summary>
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

    private static string Expand(string text, int e)
    {
        var negative = text[0] == '-';
        var mantissa = text[(negative ? 1 : 0)..e];
        var exponent = int.Parse(text.AsSpan(e + 1), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
        var point = mantissa.IndexOf('.', StringComparison.Ordinal);
        var digits = point < 0 ? mantissa : mantissa.Remove(point, 1);
        var pointPosition = (point < 0 ? mantissa.Length : point) + exponent;
        var builder = new StringBuilder(digits.Length + Math.Abs(exponent) + 3);
        if (negative)
        {
            builder.Append('-');
        }

        if (pointPosition <= 0)
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
}
