using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using FunctionsObservability.Tests.Infrastructure;

namespace FunctionsObservability.Tests.Security;

/// <summary>Requests with a key in each of the places a key may be given.</summary>
internal static class SecurityRequests
{
    public const string IngestKey = "ingest-key-0123456789abcdef";
    public const string SecondIngestKey = "ingest-key-fedcba9876543210";
    public const string QueryKey = "query-key-0123456789abcdef";
    public const string AdminKey = "admin-key-0123456789abcdef";

    public static Dictionary<string, string> Keys() => new()
    {
        ["Auth:IngestKeys:0"] = IngestKey,
        ["Auth:IngestKeys:1"] = SecondIngestKey,
        ["Auth:QueryKeys:0"] = QueryKey,
        ["Auth:AdminKeys:0"] = AdminKey,
    };

    /// <summary>One point of metric <c>sec_v</c>.</summary>
    public static string Line() =>
        string.Create(CultureInfo.InvariantCulture, $"sec,host=h1 v=1 {MeshFixture.BaseSeconds}\n");

    public static async Task<HttpResponseMessage> SendAsync(ServiceHost host, HttpMethod method, string path, string? key = null, string? token = null)
    {
        using var request = new HttpRequestMessage(method, path);
        if (method == HttpMethod.Post)
        {
            request.Content = new StringContent(Line(), Encoding.UTF8, "text/plain");
        }

        if (key is not null)
        {
            request.Headers.Add("x-functions-key", key);
        }

        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Token", token);
        }

        return await host.Client.SendAsync(request);
    }

    public static Task<HttpResponseMessage> IngestAsync(ServiceHost host, string? key = null, string path = "/api/ingest?precision=s") =>
        SendAsync(host, HttpMethod.Post, path, key);

    public static Task<HttpResponseMessage> QueryAsync(ServiceHost host, string? key = null, string path = "/api/metrics") =>
        SendAsync(host, HttpMethod.Get, path, key);
}
