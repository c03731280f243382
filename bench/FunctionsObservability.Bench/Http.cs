using System.Net;

namespace FunctionsObservability.Bench;

internal static class Http
{
    /// <summary>
    /// A client with at most <paramref name="connections"/> keep-alive HTTP/1.1 connections.
    /// Requests beyond that wait for a free connection inside the handler.
    /// </summary>
    public static HttpClient Create(string baseUrl, int connections, TimeSpan timeout)
    {
        var handler = new SocketsHttpHandler
        {
            MaxConnectionsPerServer = connections,
            PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5),
            UseProxy = false,
            UseCookies = false,
            AutomaticDecompression = DecompressionMethods.None,
            ConnectTimeout = TimeSpan.FromSeconds(10),
        };
        var client = new HttpClient(handler, disposeHandler: true)
        {
            BaseAddress = new Uri(baseUrl.TrimEnd('/') + "/"),
            Timeout = timeout,
            DefaultRequestVersion = HttpVersion.Version11,
            DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };
        client.DefaultRequestHeaders.ExpectContinue = false;
        return client;
    }

    /// <summary>Relative URI (no leading slash, so it resolves under the base address).</summary>
    public static Uri Relative(string pathAndQuery) => new(pathAndQuery.TrimStart('/'), UriKind.Relative);
}
