using System.Net;
using System.Text;

namespace FunctionsObservability.Tests.WorkerProtocol;

/// <summary>An HTTP answer from the worker's own ASP.NET Core server.</summary>
public sealed record WorkerHttpResponse(HttpStatusCode StatusCode, IReadOnlyDictionary<string, string> Headers, string Body)
{
    public override string ToString() => $"{(int)StatusCode} {StatusCode}: {Body}";
}

/// <summary>
/// Forwards an HTTP request to the worker the way the host does with the ASP.NET Core integration:
/// the raw request goes to the worker's HttpUri, tagged with the invocation it belongs to. The
/// worker's Kestrel starts listening only after the handshake, so a refused connection is retried,
/// with a short back-off, until a deadline (the host itself gives up after 10 tries).
/// </summary>
public sealed class HttpForwarder : IDisposable
{
    public const string InvocationIdHeader = "x-ms-invocation-id";

    private static readonly TimeSpan RetryWindow = TimeSpan.FromSeconds(30);

    private readonly HttpClient _client = new(new SocketsHttpHandler
    {
        UseProxy = false,
        AllowAutoRedirect = false,
        AutomaticDecompression = DecompressionMethods.None,
    })
    {
        Timeout = TimeSpan.FromSeconds(90),
    };

    private readonly WorkerLog _log;

    public HttpForwarder(WorkerLog log)
    {
        _log = log;
    }

    public async Task<WorkerHttpResponse> SendAsync(
        Uri workerHttpUri, string invocationId, HttpMethod method, string pathAndQuery, string? body, string? contentType, CancellationToken cancellationToken)
    {
        var target = new Uri(workerHttpUri, pathAndQuery.TrimStart('/'));
        var deadline = DateTime.UtcNow + RetryWindow;
        for (var attempt = 1; ; attempt++)
        {
            using var request = new HttpRequestMessage(method, target);
            request.Headers.Add(InvocationIdHeader, invocationId);
            if (body is not null)
            {
                request.Content = new StringContent(body, Encoding.UTF8);
                request.Content.Headers.ContentType = contentType is null ? null : new System.Net.Http.Headers.MediaTypeHeaderValue(contentType);
            }

            try
            {
                using var response = await _client.SendAsync(request, cancellationToken);
                var text = await response.Content.ReadAsStringAsync(cancellationToken);
                var headers = response.Headers.Concat(response.Content.Headers)
                    .ToDictionary(header => header.Key, header => string.Join(", ", header.Value), StringComparer.OrdinalIgnoreCase);
                return new WorkerHttpResponse(response.StatusCode, headers, text);
            }
            catch (HttpRequestException e) when (e.HttpRequestError == HttpRequestError.ConnectionError && DateTime.UtcNow < deadline)
            {
                if (attempt == 1 || attempt % 10 == 0)
                {
                    _log.Add("host", $"forward {method} {target} (try {attempt}): {e.Message}; retrying");
                }

                await Task.Delay(TimeSpan.FromMilliseconds(Math.Min(50 * attempt, 250)), cancellationToken);
            }
        }
    }

    /// <summary>
    /// A GET whose answer is read as it streams (a live tail): the response comes back once its
    /// headers have, and the caller reads the body and disposes it to leave. The worker is up by now.
    /// </summary>
    public async Task<HttpResponseMessage> OpenStreamAsync(Uri workerHttpUri, string invocationId, string pathAndQuery, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(workerHttpUri, pathAndQuery.TrimStart('/')));
        request.Headers.Add(InvocationIdHeader, invocationId);
        return await _client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
    }

    public void Dispose() => _client.Dispose();
}
