using System.Text;

namespace FunctionsObservability.Tests.Fuzz;

/// <summary>One fuzzed request, as it goes on the wire.</summary>
/// <param name="Family">The generator family, for the per-family totals.</param>
/// <param name="Method">The HTTP method, sent as written.</param>
/// <param name="Target">The request target (path and query), sent as written on a raw socket.</param>
/// <param name="Body">The body bytes, or null for none.</param>
internal sealed record FuzzCase(string Family, string Method, string Target, byte[]? Body = null)
{
    /// <summary>The Content-Type header; null sends none.</summary>
    public string? ContentType { get; init; }

    /// <summary>The Content-Encoding header; null sends none.</summary>
    public string? ContentEncoding { get; init; }

    public IReadOnlyList<KeyValuePair<string, string>> Headers { get; init; } = [];

    /// <summary>Written by hand on a socket, so the target and headers go out unnormalized and unvalidated.</summary>
    public bool Raw { get; init; }

    /// <summary>The points a valid body writes, each in its own series: when acknowledged, they must all be stored.</summary>
    public int AckPoints { get; init; }

    /// <summary>The smaller a case, the better it serves as a repro.</summary>
    public int Size => Target.Length + (Body?.Length ?? 0) + Headers.Sum(h => h.Value.Length);

    public string Describe(int bodyBytes = 96)
    {
        var text = new StringBuilder().Append(Method).Append(' ').Append(Escape(Target, 200));
        if (ContentType is not null)
        {
            text.Append(" [Content-Type: ").Append(Escape(ContentType, 60)).Append(']');
        }

        if (ContentEncoding is not null)
        {
            text.Append(" [Content-Encoding: ").Append(Escape(ContentEncoding, 40)).Append(']');
        }

        foreach (var (name, value) in Headers)
        {
            text.Append(" [").Append(name).Append(": ").Append(Escape(value, 40)).Append(']');
        }

        if (Body is not null)
        {
            text.Append(" body(").Append(Body.Length).Append(" B)=").Append(Dump(Body, bodyBytes));
        }

        return Raw ? text.Append(" (raw socket)").ToString() : text.ToString();
    }

    /// <summary>Printable ASCII as it is, everything else as an escape; cut after <paramref name="max"/> bytes.</summary>
    public static string Dump(ReadOnlySpan<byte> bytes, int max)
    {
        var text = new StringBuilder("\"");
        foreach (var b in bytes[..Math.Min(bytes.Length, max)])
        {
            text.Append(b switch
            {
                (byte)'\n' => "\\n",
                (byte)'\r' => "\\r",
                (byte)'\t' => "\\t",
                (byte)'\\' => "\\\\",
                (byte)'"' => "\\\"",
                >= 0x20 and < 0x7F => ((char)b).ToString(),
                _ => $"\\x{b:X2}",
            });
        }

        text.Append('"');
        return bytes.Length > max ? text.Append($"…(+{bytes.Length - max} B)").ToString() : text.ToString();
    }

    /// <summary>Control and non-ASCII characters as \uXXXX; cut after <paramref name="max"/> characters.</summary>
    public static string Escape(string text, int max)
    {
        var result = new StringBuilder();
        foreach (var c in text.AsSpan(0, Math.Min(text.Length, max)))
        {
            result.Append(c is >= ' ' and < '\u007F' ? c.ToString() : $"\\u{(int)c:X4}");
        }

        return text.Length > max ? result.Append($"…(+{text.Length - max} chars)").ToString() : result.ToString();
    }
}

/// <summary>What came back: a status, or why nothing did.</summary>
internal sealed record FuzzAnswer(int Status, bool RetryAfter, string Body, string? Failure, string Transport)
{
    /// <summary>The body as it came (OTLP answers a protobuf request in protobuf).</summary>
    public byte[] Bytes { get; init; } = [];

    /// <summary>The answer's media type, without parameters; null when none.</summary>
    public string? MediaType { get; init; }

    public static FuzzAnswer None(string failure, string transport) => new(0, false, "", failure, transport);
}
