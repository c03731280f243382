using System.Globalization;
using System.Text;

namespace FunctionsObservability.Pipeline.PromQL;

/// <summary>A syntax error at a character offset; <see cref="PromParser"/> turns it into Prometheus's "line:col: parse error: ...".</summary>
internal sealed class PromSyntaxException(int position, string message) : Exception(message)
{
    public int Position { get; } = position;
}

/// <summary>The literal forms of PromQL: numbers, durations and quoted strings, with Prometheus's (and Go's) rules.</summary>
internal static class PromSyntax
{
    public static double ParseNumber(PromToken token)
    {
        var text = token.Text;
        if (text.Equals("inf", StringComparison.OrdinalIgnoreCase))
        {
            return double.PositiveInfinity;
        }

        if (text.Equals("nan", StringComparison.OrdinalIgnoreCase))
        {
            return double.NaN;
        }

        if (text.StartsWith("0x", StringComparison.OrdinalIgnoreCase))
        {
            if (text.Length > 2 && ulong.TryParse(text.AsSpan(2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var hex))
            {
                return hex;
            }
        }
        else if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
        {
            return value;
        }

        throw new PromSyntaxException(token.Position, $"bad number syntax: \"{text}\"");
    }

    /// <summary>Prometheus's duration: integer amounts of y, w, d, h, m, s, ms, each at most once and in that order.</summary>
    public static long ParseDurationMs(PromToken token) =>
        PromDuration.TryParseMilliseconds(token.Text, out var milliseconds)
            ? milliseconds
            : throw new PromSyntaxException(token.Position, $"not a valid duration string: \"{token.Text}\"");

    /// <summary>Go's unquoting: backquotes are raw; single and double quotes take Go's escapes.</summary>
    public static string Unquote(PromToken token)
    {
        var text = token.Text;
        var body = text.AsSpan(1, text.Length - 2);
        if (text[0] == '`')
        {
            return body.ToString();
        }

        var builder = new StringBuilder(body.Length);
        for (var i = 0; i < body.Length; i++)
        {
            var c = body[i];
            if (c != '\\')
            {
                if (c == text[0])
                {
                    throw Invalid(token);
                }

                builder.Append(c);
                continue;
            }

            if (++i >= body.Length)
            {
                throw Invalid(token);
            }

            switch (body[i])
            {
                case 'a': builder.Append('\a'); break;
                case 'b': builder.Append('\b'); break;
                case 'f': builder.Append('\f'); break;
                case 'n': builder.Append('\n'); break;
                case 'r': builder.Append('\r'); break;
                case 't': builder.Append('\t'); break;
                case 'v': builder.Append('\v'); break;
                case '\\': builder.Append('\\'); break;
                case '\'' when text[0] == '\'': builder.Append('\''); break;
                case '"' when text[0] == '"': builder.Append('"'); break;
                case 'x': AppendCode(builder, token, body, ref i, 2, 16, bytes: true); break;
                case 'u': AppendCode(builder, token, body, ref i, 4, 16, bytes: false); break;
                case 'U': AppendCode(builder, token, body, ref i, 8, 16, bytes: false); break;
                case >= '0' and <= '7': i--; AppendCode(builder, token, body, ref i, 3, 8, bytes: true); break;
                default: throw Invalid(token);
            }
        }

        return builder.ToString();
    }

    private static void AppendCode(StringBuilder builder, PromToken token, ReadOnlySpan<char> body, ref int i, int digits, int radix, bool bytes)
    {
        if (i + digits >= body.Length)
        {
            throw Invalid(token);
        }

        var code = 0;
        for (var k = 1; k <= digits; k++)
        {
            var digit = HexValue(body[i + k]);
            if (digit < 0 || digit >= radix)
            {
                throw Invalid(token);
            }

            code = (code * radix) + digit;
        }

        i += digits;
        if (bytes)
        {
            // \x and octal escapes are single bytes; the label values we serve are UTF-8, so a lone byte
            // above 0x7F has no faithful rendering and is refused like an invalid escape.
            if (code > 0x7F)
            {
                throw Invalid(token);
            }

            builder.Append((char)code);
        }
        else if (code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF))
        {
            throw Invalid(token);
        }
        else
        {
            builder.Append(char.ConvertFromUtf32(code));
        }
    }

    private static int HexValue(char c) => c switch
    {
        >= '0' and <= '9' => c - '0',
        >= 'a' and <= 'f' => c - 'a' + 10,
        >= 'A' and <= 'F' => c - 'A' + 10,
        _ => -1,
    };

    private static PromSyntaxException Invalid(PromToken token) => new(token.Position, $"invalid syntax in string {token.Text}");
}
