using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Text;

namespace FunctionsObservability.Tests.Fuzz;

internal sealed record FuzzViolation(int Id, FuzzCase Case, FuzzAnswer Answer, string Reason);

/// <summary>
/// Sends the cases from a few concurrent senders (HttpClient, or a raw socket for what HttpClient would
/// rewrite or refuse to send) and checks every answer against the rule: below 500, or 503 with
/// Retry-After, or 504; a 4xx body, when there is one, is the JSON error shape.
/// </summary>
internal sealed class FuzzRunner : IDisposable
{
    private static readonly TimeSpan CaseTimeout = TimeSpan.FromSeconds(45);

    private readonly string _authority;
    private readonly int _port;
    private readonly HttpClient _client;
    private readonly ConcurrentDictionary<string, int> _counts = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<FuzzViolation> _violations = new();

    public FuzzRunner(Uri server)
    {
        ArgumentNullException.ThrowIfNull(server);
        _authority = server.GetLeftPart(UriPartial.Authority);
        _port = server.Port;
        _client = new HttpClient(new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            AutomaticDecompression = DecompressionMethods.None,
            UseCookies = false,
        })
        {
            Timeout = Timeout.InfiniteTimeSpan,
        };
    }

    public IReadOnlyDictionary<string, int> Counts => _counts;

    public IReadOnlyList<FuzzViolation> Violations => [.. _violations.OrderBy(v => v.Id)];

    /// <summary>Each case's answer, by case id.</summary>
    public FuzzAnswer[] Answers { get; private set; } = [];

    /// <summary>How long each case took to answer, by case id: the report names the slowest.</summary>
    public TimeSpan[] Durations { get; private set; } = [];

    public async Task RunAsync(IReadOnlyList<FuzzCase> cases, int senders)
    {
        ArgumentNullException.ThrowIfNull(cases);
        Answers = new FuzzAnswer[cases.Count];
        Durations = new TimeSpan[cases.Count];
        var next = -1;
        await Task.WhenAll(Enumerable.Range(0, senders).Select(_ => Task.Run(async () =>
        {
            for (int id; (id = Interlocked.Increment(ref next)) < cases.Count;)
            {
                var started = System.Diagnostics.Stopwatch.GetTimestamp();
                Answers[id] = await SendAsync(id, cases[id]);
                Durations[id] = System.Diagnostics.Stopwatch.GetElapsedTime(started);
                Check(id, cases[id], Answers[id]);
            }
        })));
    }

    public void Dispose() => _client.Dispose();

    private async Task<FuzzAnswer> SendAsync(int id, FuzzCase c)
    {
        using var timeout = new CancellationTokenSource(CaseTimeout);
        if (!c.Raw && TryBuild(id, c) is { } request)
        {
            using (request)
            {
                try
                {
                    using var response = await _client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
                    var status = (int)response.StatusCode;
                    try
                    {
                        var bytes = await response.Content.ReadAsByteArrayAsync(timeout.Token);
                        return new FuzzAnswer(status, response.Headers.Contains("Retry-After"), Encoding.UTF8.GetString(bytes), null, "http")
                        {
                            Bytes = bytes,
                            MediaType = response.Content.Headers.ContentType?.MediaType?.ToLowerInvariant(),
                        };
                    }
                    catch (Exception exception) when (exception is HttpRequestException or IOException or OperationCanceledException)
                    {
                        return new FuzzAnswer(status, false, "", $"HTTP {status} answer cut off: {exception.GetType().Name}: {exception.Message}", "http");
                    }
                }
                catch (Exception exception) when (IsClientSideRefusal(exception))
                {
                    // HttpClient would not send this (a header or method it validates): send it raw instead.
                    _counts.AddOrUpdate("transport http refused, sent raw", 1, (_, n) => n + 1);
                }
                catch (Exception exception) when (exception is HttpRequestException or IOException or OperationCanceledException)
                {
                    return FuzzAnswer.None($"{exception.GetType().Name}: {exception.Message} {exception.InnerException?.Message}", "http");
                }
            }
        }

        return await RawSender.SendAsync(_port, id, c, timeout.Token);
    }

    private static bool IsClientSideRefusal(Exception exception) => exception switch
    {
        HttpRequestException { HttpRequestError: HttpRequestError.Unknown } http => http.InnerException is not (IOException or System.Net.Sockets.SocketException),
        HttpRequestException or IOException or OperationCanceledException => false,
        _ => true,
    };

    private HttpRequestMessage? TryBuild(int id, FuzzCase c)
    {
        HttpRequestMessage? request = null;
        try
        {
            request = new HttpRequestMessage(new HttpMethod(c.Method), new Uri(_authority + c.Target, UriKind.Absolute));
            request.Headers.TryAddWithoutValidation(FuzzServerLog.CaseHeader, id.ToString(CultureInfo.InvariantCulture));
            var ok = c.Headers.All(h => request.Headers.TryAddWithoutValidation(h.Key, h.Value));
            if (c.Body is not null)
            {
                request.Content = new ByteArrayContent(c.Body);
                ok &= c.ContentType is null || request.Content.Headers.TryAddWithoutValidation("Content-Type", c.ContentType);
                ok &= c.ContentEncoding is null || request.Content.Headers.TryAddWithoutValidation("Content-Encoding", c.ContentEncoding);
            }
            else
            {
                ok &= c.ContentType is null && c.ContentEncoding is null;
            }

            if (ok)
            {
                return request;
            }
        }
        catch (Exception exception) when (exception is UriFormatException or FormatException or ArgumentException)
        {
        }

        request?.Dispose();
        return null;
    }

    private void Check(int id, FuzzCase c, FuzzAnswer a)
    {
        Count($"cases {c.Family}");
        Count($"status {c.Family} {(a.Failure is null ? a.Status.ToString(CultureInfo.InvariantCulture) : "no answer")}");
        Count($"transport {a.Transport}");
        var reason = a.Failure is not null ? a.Failure
            : a.Status >= 500 && !(a.Status == 503 && (a.RetryAfter || FuzzErrorShape.IsPromTimeout(c.Target, a))) && a.Status != 504
                ? $"HTTP {a.Status}" + (a.Status == 503 ? " without Retry-After" : "")
            : a.Status is >= 400 and < 500 && a.Body.Length > 0 && !FuzzErrorShape.Matches(c.Target, a) ? $"HTTP {a.Status} body is not the JSON error shape"
            : FuzzErrorShape.PromMismatch(c.Target, a) is { } mismatch ? mismatch
            : null;
        if (reason is not null)
        {
            _violations.Enqueue(new FuzzViolation(id, c, a, reason));
        }
    }

    private void Count(string key) => _counts.AddOrUpdate(key, 1, (_, n) => n + 1);

    /// <summary>The route a target aims at, for grouping: a known route, or "other".</summary>
    public static string RouteOf(FuzzCase c)
    {
        var path = c.Target.Split('?', 2)[0].TrimEnd('/').ToLowerInvariant();
        string[] known =
        [
            "/api/ingest", "/api/v2/write", "/api/query/points", "/api/query/aggregate", "/api/metrics", "/api/health", "/api/health/ready",
            "/api/admin/archive", "/api/ops/archive", "/api/v1/write", "/v1/metrics", "/api/v1/metrics", "/api/v1/query", "/api/v1/query_range",
            "/api/v1/series", "/api/v1/labels", "/api/v1/metadata", "/api/v1/status/buildinfo",
        ];
        var route = known.FirstOrDefault(k => k == path)
            ?? (path.StartsWith("/api/metrics/", StringComparison.Ordinal) && path.EndsWith("/tags", StringComparison.Ordinal) ? "/api/metrics/{metric}/tags"
            : path.StartsWith("/api/v1/label/", StringComparison.Ordinal) && path.EndsWith("/values", StringComparison.Ordinal) ? "/api/v1/label/{name}/values"
            : "other path");
        return $"{c.Method} {route}";
    }
}
