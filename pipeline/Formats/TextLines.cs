namespace FunctionsObservability.Pipeline.Formats;

/// <summary>Line splitting shared by the line-oriented formats (line protocol and NDJSON).</summary>
internal static class TextLines
{
    /// <summary>
    /// Cuts the next physical line off <paramref name="rest"/>, without its <c>\n</c> or <c>\r\n</c>.
    /// Returns false once nothing is left, so a body ending in a newline has no extra empty line.
    /// </summary>
    public static bool TryNext(ref ReadOnlySpan<byte> rest, out ReadOnlySpan<byte> line)
    {
        if (rest.IsEmpty)
        {
            line = default;
            return false;
        }

        var newline = rest.IndexOf((byte)'\n');
        if (newline < 0)
        {
            line = rest;
            rest = default;
        }
        else
        {
            line = rest[..newline];
            rest = rest[(newline + 1)..];
        }

        if (!line.IsEmpty && line[^1] == (byte)'\r')
        {
            line = line[..^1];
        }

        return true;
    }

    public static ReadOnlySpan<byte> TrimBlanks(ReadOnlySpan<byte> line) => line.Trim(" \t"u8);

    /// <summary>Whether a line exceeds the limit; a non-positive limit means "no limit".</summary>
    public static bool IsTooLong(ReadOnlySpan<byte> line, int maxLineBytes) => maxLineBytes > 0 && line.Length > maxLineBytes;

    public static string TooLongMessage(int length, int maxLineBytes) =>
        $"line is {length} bytes, longer than the limit of {maxLineBytes} bytes";
}
