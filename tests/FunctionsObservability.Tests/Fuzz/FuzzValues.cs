using System.IO.Compression;
using System.Text;

namespace FunctionsObservability.Tests.Fuzz;

/// <summary>Pools of awkward values, and the byte-level mutations applied to otherwise valid bodies.</summary>
internal static class FuzzValues
{
    public static readonly byte[][] InvalidUtf8 =
    [
        [0x80], [0xBC], [0xC0, 0xAF], [0xED, 0xA0, 0x80], [0xFF], [0xF4, 0x90, 0x80, 0x80], [0xE2, 0x82], [0xF0, 0x9F, 0x98], [0xC3],
    ];

    /// <summary>Numbers as text: huge, tiny, negative zero, not-a-number, overflowing, malformed.</summary>
    public static readonly string[] Numbers =
    [
        "0", "-0", "1e400", "-1e400", "1e-400", "NaN", "nan", "Inf", "+Inf", "-inf", "Infinity", "-Infinity",
        "1.7976931348623157e308", "1.7976931348623159e308", "4.9e-324", "9223372036854775807", "9223372036854775808",
        "-9223372036854775809", "18446744073709551616", "123456789012345678901234567890", "1e", "--1", "0x10", "1_000",
        "00001", ".5", "5.", "+1", "1,5", "1.5.5", "\u0661", "1e+", "-", "",
    ];

    /// <summary>Line-protocol timestamps at and past the edges, in any precision.</summary>
    public static readonly string[] LpTimestamps =
    [
        "0", "-1", "1", "9223372036854775807", "-9223372036854775808", "9223372036854775808", "99999999999999999999",
        "253402300799999999999", "-62135596800000000000", "1e9", "1.5", "+5", "0x1", "abc", "1 2", "-0", "18446744073709551615",
    ];

    /// <summary>JSON timestamps: epoch milliseconds at the edges, RFC 3339 variants and garbage, wrong types.</summary>
    public static readonly string[] JsonTimestamps =
    [
        "0", "-1", "9223372036854775807", "-9223372036854775808", "9223372036854775808", "1e30", "-1e30", "1.5", "-0", "1e400",
        "253402300799999", "253402300800000", "-62135596800000", "-62135596800001", "9223372036854775.807",
        "\"9999-12-31T23:59:59.9999999Z\"", "\"9999-12-31T23:59:59.9999999-14:00\"", "\"0001-01-01T00:00:00Z\"",
        "\"0001-01-01T00:00:00+14:00\"", "\"2025-01-01T00:00:00+14:00\"", "\"2025-01-01T00:00:00-23:59\"",
        "\"2025-01-01T00:00:00+24:00\"", "\"2025-01-01T00:00:00.123456789123Z\"", "\"2025-01-01T00:00:00\"", "\"2025-01-01\"",
        "\"2025-13-45T25:61:61Z\"", "\"2025-02-30T00:00:00Z\"", "\"2025-01-01T00:00:60Z\"", "\"2025-01-01T00:00:00Zgarbage\"",
        "\"2025-01-01t00:00:00z\"", "\"2025-01-01 00:00:00Z\"", "\"T\"", "\"\"", "\"\\u0000\"", "\"\\ud800\"", "null", "true",
        "{}", "[]", "\"1700000000000\"", "\"+002025-01-01T00:00:00Z\"", "\"2025-01-01T00:00:00.Z\"",
    ];

    /// <summary>JSON values: legal and illegal numbers, and every wrong type.</summary>
    public static readonly string[] JsonValues =
    [
        "0", "-0", "1e400", "-1e400", "1e-400", "1.7976931348623157e308", "9223372036854775808",
        "123456789012345678901234567890e300", "NaN", "Infinity", "-Infinity", "01", "1.", "+1", ".5", "0x10", "1e", "-",
        "\"1\"", "\"NaN\"", "\"abc\"", "\"\\ud800\"", "{}", "[]", "[1]", "true", "false", "null", "{\"a\":1}", Deep(1000),
    ];

    /// <summary>Query values that fit no parameter: escapes of NUL, bad hex, overlong and surrogate UTF-8, SQL-ish text.</summary>
    public static readonly string[] QueryNoise =
    [
        "", "%00", "%zz", "%", "%C0%AF", "%ED%A0%80", "%FF", "%E2%82%AC", "\u00E9\u20AC\U0001F600", new('a', 3000),
        new('z', 17000), "'", "%27", "\"", "';--", "'%3B--", "1;DROP TABLE points", "' OR '1'='1", "%27%20OR%201%3D1--",
        "+", "%2B", "null", "-1", "0", "99999999999999999999", "-9223372036854775808", "1e10", "NaN", "%0A", "%0D%0A",
        "[]", "{}", "*", "..%2F..%2F", "%2500", "a%00b", "%u0041", "%C3%28",
    ];

    public static T Pick<T>(this Random random, IReadOnlyList<T> items) => items[random.Next(items.Count)];

    public static string Deep(int levels) => new string('[', levels) + new string(']', levels);

    public static string DeepObject(int levels) => string.Concat(Enumerable.Repeat("{\"a\":", levels)) + "1" + new string('}', levels);

    public static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);

    public static byte[] Gzip(byte[] data)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Fastest, leaveOpen: true))
        {
            gzip.Write(data);
        }

        return output.ToArray();
    }

    public static byte[] RandomBytes(Random random, int length)
    {
        var bytes = new byte[length];
        random.NextBytes(bytes);
        return bytes;
    }

    /// <summary>Applies <paramref name="count"/> random byte-level mutations.</summary>
    public static byte[] Mutate(Random random, byte[] input, int count)
    {
        var bytes = new List<byte>(input);
        for (var i = 0; i < count; i++)
        {
            MutateOnce(random, bytes);
        }

        return [.. bytes];
    }

    private static readonly string[] Tokens =
        [" ", "\"", ",", "=", "\\u", "{", "}", "[", "]", ":", "\n", "\r\n", "#", "\t", "-", "e400", "\\ud800", "\\udc00", "\\", "\\ "];

    private static void MutateOnce(Random random, List<byte> bytes)
    {
        var at = bytes.Count == 0 ? 0 : random.Next(bytes.Count);
        switch (random.Next(13))
        {
            case 0 when bytes.Count > 0:
                bytes[at] ^= (byte)(1 << random.Next(8));
                break;
            case 1 when bytes.Count > 0:
                bytes[at] = (byte)random.Next(256);
                break;
            case 2:
                bytes.Insert(at, (byte)random.Next(256));
                break;
            case 3 when bytes.Count > 0:
                bytes.RemoveAt(at);
                break;
            case 4:
                bytes.InsertRange(at, random.Pick(InvalidUtf8));
                break;
            case 5:
                // Inside a string: right after a quote (JSON) or an equals sign (line protocol).
                var quotes = Enumerable.Range(0, bytes.Count).Where(i => bytes[i] is (byte)'"' or (byte)'=' or (byte)',').ToList();
                bytes.InsertRange(quotes.Count == 0 ? at : random.Pick(quotes) + 1, random.Pick(InvalidUtf8));
                break;
            case 6:
                bytes.Insert(at, 0);
                break;
            case 7:
                for (var i = 0; i < bytes.Count; i++)
                {
                    bytes[i] = bytes[i] == (byte)'\n' ? (byte)'\r' : bytes[i];
                }

                break;
            case 8 when bytes.Count > 0:
                bytes.RemoveRange(at, bytes.Count - at);
                break;
            case 9 when bytes.Count > 0:
                var length = Math.Min(1 + random.Next(64), bytes.Count - at);
                bytes.InsertRange(at, bytes.GetRange(at, length));
                break;
            case 10:
                bytes.Insert(at, (byte)'\\');
                break;
            default:
                bytes.InsertRange(at, Utf8(random.Pick(Tokens)));
                break;
        }
    }
}
