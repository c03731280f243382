using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace FunctionsObservability.Tests.Fuzz;

/// <summary>
/// Sends one request written by hand (<c>Connection: close</c>), reads to the end, and parses the
/// answer; a connection closed before a status line is reported as no answer.
/// </summary>
internal static class RawSender
{
    public static async Task<FuzzAnswer> SendAsync(int port, int id, FuzzCase c, CancellationToken token)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(IPAddress.Loopback, port, token);
            await using var stream = new NetworkStream(socket, ownsSocket: false);
            var head = new StringBuilder().Append(c.Method).Append(' ').Append(c.Target).Append(" HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n")
                .Append(FuzzServerLog.CaseHeader).Append(": ").Append(id.ToString(CultureInfo.InvariantCulture)).Append("\r\n");
            AppendHeader(head, "Content-Type", c.ContentType);
            AppendHeader(head, "Content-Encoding", c.ContentEncoding);
            foreach (var (name, value) in c.Headers)
            {
                AppendHeader(head, name, value);
            }

            if (c.Body is not null && !c.Headers.Any(h => h.Key is "Transfer-Encoding" or "Content-Length"))
            {
                AppendHeader(head, "Content-Length", c.Body.Length.ToString(CultureInfo.InvariantCulture));
            }

            try
            {
                await stream.WriteAsync(Encoding.UTF8.GetBytes(head.Append("\r\n").ToString()), token);
                await stream.WriteAsync(c.Body ?? [], token);
            }
            catch (IOException)
            {
                // The server may refuse and close before taking the whole body: read what it answered.
            }

            using var received = new MemoryStream();
            var buffer = new byte[64 * 1024];
            while (true)
            {
                int read;
                try
                {
                    read = await stream.ReadAsync(buffer, token);
                }
                catch (IOException) when (received.Length > 0)
                {
                    break;
                }

                if (read == 0)
                {
                    break;
                }

                received.Write(buffer, 0, read);
            }

            return Parse(received.ToArray(), c.Method);
        }
        catch (OperationCanceledException)
        {
            return FuzzAnswer.None("no answer before the client's timeout", "raw");
        }
        catch (Exception exception) when (exception is IOException or SocketException)
        {
            return FuzzAnswer.None($"{exception.GetType().Name}: {exception.Message}", "raw");
        }
    }

    private static void AppendHeader(StringBuilder head, string name, string? value)
    {
        if (value is not null)
        {
            head.Append(name).Append(": ").Append(value).Append("\r\n");
        }
    }

    private static FuzzAnswer Parse(byte[] data, string method)
    {
        var end = data.AsSpan().IndexOf("\r\n\r\n"u8);
        if (end < 0)
        {
            return FuzzAnswer.None(data.Length == 0 ? "connection closed without an answer" : $"incomplete answer {FuzzCase.Dump(data, 120)}", "raw");
        }

        var lines = Encoding.Latin1.GetString(data, 0, end).Split("\r\n");
        var statusParts = lines[0].Split(' ');
        if (statusParts.Length < 2 || !int.TryParse(statusParts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var status))
        {
            return FuzzAnswer.None($"malformed status line {FuzzCase.Escape(lines[0], 120)}", "raw");
        }

        var headers = lines.Skip(1).Select(l => l.Split(':', 2)).Where(h => h.Length == 2)
            .ToLookup(h => h[0].Trim(), h => h[1].Trim(), StringComparer.OrdinalIgnoreCase);
        var body = method.Equals("HEAD", StringComparison.OrdinalIgnoreCase) ? [] : data.AsSpan(end + 4).ToArray();
        var complete = true;
        if (headers["Transfer-Encoding"].Any(v => v.Contains("chunked", StringComparison.OrdinalIgnoreCase)))
        {
            (body, complete) = Dechunk(body);
        }
        else if (headers["Content-Length"].FirstOrDefault() is { } length && body.Length > 0
            && long.TryParse(length, NumberStyles.None, CultureInfo.InvariantCulture, out var declared))
        {
            complete = body.Length >= declared;
        }

        if (!complete)
        {
            return new FuzzAnswer(status, false, Encoding.UTF8.GetString(body), $"HTTP {status} answer cut off after {body.Length} B", "raw");
        }

        return new FuzzAnswer(status, headers.Contains("Retry-After"), Encoding.UTF8.GetString(body), null, "raw")
        {
            Bytes = body,
            MediaType = headers["Content-Type"].FirstOrDefault()?.Split(';', 2)[0].Trim().ToLowerInvariant(),
        };
    }

    private static (byte[] Body, bool Complete) Dechunk(byte[] body)
    {
        using var output = new MemoryStream();
        var at = 0;
        while (at < body.Length)
        {
            var lineEnd = body.AsSpan(at).IndexOf("\r\n"u8);
            if (lineEnd < 0)
            {
                break;
            }

            var sizeText = Encoding.ASCII.GetString(body, at, lineEnd).Split(';')[0];
            if (!int.TryParse(sizeText, NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var size))
            {
                break;
            }

            if (size == 0)
            {
                return (output.ToArray(), true);
            }

            at += lineEnd + 2;
            output.Write(body, at, Math.Min(size, body.Length - at));
            at += size + 2;
        }

        return (output.ToArray(), false);
    }
}
