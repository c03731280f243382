using System.Globalization;
using System.Text;

namespace FunctionsObservability.Tests.Fuzz;

/// <summary>Awkward values of the Prometheus API's parameters: times, durations, selectors, label names, form bodies.</summary>
internal static class PromValues
{
    public static readonly string[] Times =
    [
        "0", "-1", "1.5", "0.0001", "1e9", "1e18", "1e19", "-1e19", "9.2e15", "-9.2e15", "9223372036854775807", "-9223372036854775808",
        "99999999999999999999999", "NaN", "nan", "Inf", "+Inf", "-Inf", "Infinity", "1e400", "-1e400", "2025-01-01T00:00:00Z",
        "2025-01-01T00:00:00.123456789Z", "2025-01-01T00:00:00+14:00", "2025-01-01T00:00:00%2B14:00", "2025-13-01T00:00:00Z", "2025-01-01",
        "0001-01-01T00:00:00Z", "9999-12-31T23:59:59.9999999Z", "-292273086-05-16T16:47:06Z", "292277025-08-18T07:12:54.999999999Z",
        "Mon, 01 Jan 2025 00:00:00 GMT", "T", "1,5", "0x10", "1_000", "\u0661", "%00", "", " 1", "1 ", "1e", ".", "-",
    ];

    public static readonly string[] Durations =
    [
        "0", "-1", "0.001", "0.0001", "1", "15", "1.5", "1e9", "1e15", "1e16", "1e300", "NaN", "Inf", "-Inf", "0s", "1ms", "1s", "15s", "1m",
        "1m30s", "1h", "1d", "1w", "1y", "100000y", "292y", "293y", "9999999999999999999d", "-1m", "1M", "1H", "s", "m", "1.5m", "1s1m",
        "5m5m", "1x", "01s", "1 s", "%00", "", "\u0661s", "9223372036854775807ms", "9223372036854775808ms",
    ];

    public static readonly string[] Selectors =
    [
        "fuzzseed_v", "fuzzseed_v{host=\"h1\"}", "{host=\"h1\"}", "{__name__=~\"fuzz.*\"}", "{__name__=~\".+\"}", "fz_json", "up", "nonexistent",
        "{__name__=\"fuzzseed_v\",host!=\"h0\"}", "fuzzseed_v{host!~\"h[0-3]\"}", "{}", "{host=~\".*\"}", "{host=\"\"}", "fuzzseed_v offset 5m",
        "rate(fuzzseed_v[5m])", "fuzzseed_v[5m]", "1", "\"s\"", "{", "}", "fuzzseed_v{", "fuzzseed_v{host=}", "fuzzseed_v{host=\"h1\",}",
        "fuzzseed_v{host=~\"(\"}", "fuzzseed_v{__name__=\"x\"}", "{__name__=~\"(a+)+$\"}", "fz_redos{v=~\"(a+)+$\"}", "", " ", new string('m', 5000),
        "fuzzseed_v{host=\"h\u00E9\u0000\"}", "sum(fuzzseed_v)", "fuzzseed_v @ 1",
    ];

    public static readonly string[] LabelNames =
    [
        "host", "__name__", "job", "le", "v", "dc", "nonexistent", "0abc", "a-b", "a.b", "_", "__", "h\u00E9", "%00", "%2F", "%20", "a%2Fb",
        new string('l', 300), new string('l', 5000), "%C0%AF", "%ED%A0%80", "%zz", "'", "%22", "*", "~",
    ];

    public static readonly string[] FormContentTypes =
    [
        "application/x-www-form-urlencoded", "application/x-www-form-urlencoded; charset=utf-8", "APPLICATION/X-WWW-FORM-URLENCODED",
        "application/x-www-form-urlencoded; charset=latin1", "multipart/form-data; boundary=x", "multipart/form-data", "text/plain",
        "application/json", "", ";", "application/x-www-form-urlencoded;;", "application/x-www-form-urlencoded; charset=\"",
    ];

    /// <summary>Percent-encodes the UTF-8 of <paramref name="text"/> (lone surrogates become U+FFFD), as a form or query value.</summary>
    public static string Encode(string text)
    {
        var result = new StringBuilder(text.Length);
        foreach (var b in Encoding.UTF8.GetBytes(text))
        {
            if (char.IsAsciiLetterOrDigit((char)b) || b is (byte)'-' or (byte)'_' or (byte)'.' or (byte)'~')
            {
                result.Append((char)b);
            }
            else
            {
                result.Append('%').Append(b.ToString("X2", CultureInfo.InvariantCulture));
            }
        }

        return result.ToString();
    }

    /// <summary>Unix seconds with a fraction, or RFC 3339, for a moment in milliseconds.</summary>
    public static string Time(Random random, long millis) => random.Next(3) switch
    {
        0 => (millis / 1000).ToString(CultureInfo.InvariantCulture),
        1 => (millis / 1000.0).ToString("F3", CultureInfo.InvariantCulture),
        _ => DateTimeOffset.FromUnixTimeMilliseconds(millis).ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture),
    };
}
