using System.Net;
using System.Net.Sockets;
using System.Text;

namespace FunctionsObservability.Tests.Infrastructure;

/// <summary>
/// One HTTP/1.1 request written by hand on a socket, so a test can send headers and part of a body
/// and then stall, trickle, or vanish, as HttpClient never would; optionally from another loopback
/// address (127.0.0.2, ...), which the server sees as another client.
/// </summary>
public sealed class RawHttpConnection : IAsyncDisposable
{
    private readonly Socket _socket;
    private readonly NetworkStream _stream;

    private RawHttpConnection(Socket socket)
    {
        _socket = socket;
        _stream = new NetworkStream(socket, ownsSocket: false);
    }

    public static async Task<RawHttpConnection> OpenAsync(Uri server, string? fromAddress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(server);
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            if (fromAddress is not null)
            {
                socket.Bind(new IPEndPoint(IPAddress.Parse(fromAddress), 0));
            }

            await socket.ConnectAsync(IPAddress.Loopback, server.Port, cancellationToken);
            return new RawHttpConnection(socket);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>Sends the request line and headers (Host and Content-Length added), then <paramref name="bodyStart"/>.</summary>
    public Task SendHeadAsync(string method, string pathAndQuery, long contentLength, string? extraHeaders = null, byte[]? bodyStart = null, CancellationToken cancellationToken = default)
    {
        var head = $"{method} {pathAndQuery} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: text/plain\r\nContent-Length: {contentLength}\r\n{extraHeaders}\r\n";
        return SendAsync([.. Encoding.ASCII.GetBytes(head), .. bodyStart ?? []], cancellationToken);
    }

    public async Task SendAsync(byte[] bytes, CancellationToken cancellationToken = default)
    {
        await _stream.WriteAsync(bytes, cancellationToken);
        await _stream.FlushAsync(cancellationToken);
    }

    /// <summary>Reads one response (Content-Length or chunked), or until the server closes the connection; returns status, headers and body.</summary>
    public async Task<(int Status, string Headers, string Body)> ReadResponseAsync(CancellationToken cancellationToken)
    {
        var received = new List<byte>();
        var chunk = new byte[8192];
        while (true)
        {
            if (TryParse(Encoding.UTF8.GetString([.. received]), closed: false) is { } response)
            {
                return response;
            }

            var read = await _stream.ReadAsync(chunk, cancellationToken);
            if (read == 0)
            {
                return TryParse(Encoding.UTF8.GetString([.. received]), closed: true) ?? (0, "", "");
            }

            received.AddRange(chunk.AsSpan(0, read).ToArray());
        }
    }

    private static (int Status, string Headers, string Body)? TryParse(string text, bool closed)
    {
        var end = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        if (end < 0)
        {
            return null;
        }

        var headers = text[..end];
        var status = int.Parse(headers.Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);
        var body = text[(end + 4)..];
        var fields = headers.Split("\r\n").Skip(1).Select(h => h.Split(':', 2)).Where(h => h.Length == 2)
            .ToDictionary(h => h[0].Trim(), h => h[1].Trim(), StringComparer.OrdinalIgnoreCase);
        if (fields.TryGetValue("Transfer-Encoding", out var encoding) && encoding.Contains("chunked", StringComparison.OrdinalIgnoreCase))
        {
            var decoded = new StringBuilder();
            var at = 0;
            while (true)
            {
                var line = body.IndexOf("\r\n", at, StringComparison.Ordinal);
                if (line < 0)
                {
                    return closed ? (status, headers, decoded.ToString()) : null;
                }

                var size = Convert.ToInt32(body[at..line].Split(';')[0], 16);
                if (size == 0)
                {
                    return (status, headers, decoded.ToString());
                }

                if (line + 2 + size > body.Length)
                {
                    return closed ? (status, headers, decoded.ToString()) : null;
                }

                decoded.Append(body, line + 2, size);
                at = line + 2 + size + 2;
            }
        }

        if (fields.TryGetValue("Content-Length", out var length))
        {
            return Encoding.UTF8.GetByteCount(body) >= int.Parse(length, System.Globalization.CultureInfo.InvariantCulture) || closed ? (status, headers, body) : null;
        }

        return closed ? (status, headers, body) : null;
    }

    public async ValueTask DisposeAsync()
    {
        await _stream.DisposeAsync();
        _socket.Dispose();
    }
}
