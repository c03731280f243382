using System.Net;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;

namespace FunctionsObservability.Tests.Live;

/// <summary>One Server-Sent Events message as a client sees it: comments are kept as their own entries.</summary>
internal sealed record SseMessage(string Event, string? Id, string Data, string? Comment = null)
{
    public JsonElement Json => JsonDocument.Parse(Data).RootElement.Clone();
}

/// <summary>
/// A client of <c>/api/tail</c> that reads the stream in the background and parses it by the SSE
/// rules (fields per line, a blank line dispatches), so tests wait for messages, not for time.
/// </summary>
internal sealed class SseStream : IAsyncDisposable
{
    private readonly HttpResponseMessage _response;
    private readonly Channel<SseMessage> _messages = Channel.CreateUnbounded<SseMessage>();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _reader;

    private readonly string? _errorBody;

    private SseStream(HttpResponseMessage response, string? errorBody)
    {
        _response = response;
        _errorBody = errorBody;
        _reader = errorBody is null ? Task.Run(ReadAsync) : Task.CompletedTask;
    }

    public HttpStatusCode Status => _response.StatusCode;

    /// <summary>Set once the server ended the stream.</summary>
    public bool Ended => _reader.IsCompleted;

    public static async Task<SseStream> OpenAsync(HttpClient client, string path, Action<HttpRequestMessage>? configure = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Accept.ParseAdd("text/event-stream");
        configure?.Invoke(request);
        var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        return new SseStream(response, response.IsSuccessStatusCode ? null : await response.Content.ReadAsStringAsync());
    }

    public Task<string> ErrorBodyAsync() => Task.FromResult(_errorBody ?? throw new InvalidOperationException("the stream was opened"));

    public HttpResponseMessage Response => _response;

    /// <summary>The next message that is not a comment, failing the test after <paramref name="timeout"/>.</summary>
    public async Task<SseMessage> NextAsync(TimeSpan? timeout = null, bool includeComments = false)
    {
        using var limit = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(30));
        while (true)
        {
            SseMessage message;
            try
            {
                message = await _messages.Reader.ReadAsync(limit.Token);
            }
            catch (ChannelClosedException)
            {
                throw new InvalidOperationException("the stream ended before the next message");
            }

            if (message.Comment is null || includeComments)
            {
                return message;
            }
        }
    }

    /// <summary>Whether the server closes the stream within <paramref name="timeout"/>, after any messages still queued.</summary>
    public async Task<bool> EndsAsync(TimeSpan timeout)
    {
        using var limit = new CancellationTokenSource(timeout);
        try
        {
            await _reader.WaitAsync(limit.Token);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    private async Task ReadAsync()
    {
        try
        {
            await using var body = await _response.Content.ReadAsStreamAsync(_stop.Token);
            using var reader = new StreamReader(body, Encoding.UTF8);
            string? eventName = null, id = null;
            var data = new StringBuilder();
            while (await reader.ReadLineAsync(_stop.Token) is { } line)
            {
                if (line.Length == 0)
                {
                    if (data.Length > 0 || eventName is not null)
                    {
                        _messages.Writer.TryWrite(new SseMessage(eventName ?? "message", id, data.ToString()));
                    }
                    else if (id is not null)
                    {
                        // An id alone moves the client's Last-Event-ID without an event: kept as a comment-like entry.
                        _messages.Writer.TryWrite(new SseMessage(string.Empty, id, string.Empty, "id"));
                    }

                    eventName = null;
                    id = null;
                    data.Clear();
                }
                else if (line[0] == ':')
                {
                    _messages.Writer.TryWrite(new SseMessage(string.Empty, null, string.Empty, line[1..].Trim()));
                }
                else
                {
                    var colon = line.IndexOf(':', StringComparison.Ordinal);
                    var field = colon < 0 ? line : line[..colon];
                    var value = colon < 0 ? string.Empty : line[(colon + 1)..].TrimStart(' ');
                    switch (field)
                    {
                        case "event": eventName = value; break;
                        case "id": id = value; break;
                        case "data": data.Append(data.Length > 0 ? "\n" : string.Empty).Append(value); break;
                    }
                }
            }
        }
        catch (Exception) when (_stop.IsCancellationRequested)
        {
            // Disposed by the test.
        }
        catch (HttpRequestException)
        {
            // The server cut the connection: the stream is over.
        }
        catch (IOException)
        {
        }
        finally
        {
            _messages.Writer.TryComplete();
        }
    }

    private int _disposed;

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        await _stop.CancelAsync();
        try
        {
            await _reader;
        }
        catch (OperationCanceledException)
        {
        }

        _response.Dispose();
        _stop.Dispose();
    }
}
