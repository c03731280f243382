using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using FunctionsObservability.Pipeline.Query;
using FunctionsObservability.Pipeline.Storage;
using FunctionsObservability.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace FunctionsObservability.Tests.Http;

/// <summary>One app for the class, recording the raw query string of each request by its <c>metric</c>.</summary>
public sealed class BadInputHostFixture : IAsyncLifetime
{
    public ServiceHost Host { get; private set; } = null!;

    /// <summary>The query string as the server received it, before any decoding, by the request's metric.</summary>
    public ConcurrentDictionary<string, string> QueriesReceived { get; } = new(StringComparer.Ordinal);

    public async Task InitializeAsync() =>
        Host = await ServiceHost.StartAsync(configure: builder => builder.Services.AddSingleton<IStartupFilter>(new QueryRecorder(QueriesReceived)));

    public async Task DisposeAsync() => await Host.DisposeAsync();

    private sealed class QueryRecorder(ConcurrentDictionary<string, string> received) : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use(async (context, nextMiddleware) =>
            {
                if (context.Request.Query["metric"].ToString() is { Length: > 0 } metric)
                {
                    received[metric] = context.Request.QueryString.Value ?? "";
                }

                await nextMiddleware(context);
            });
            next(app);
        };
    }
}

/// <summary>Input the parsers cannot read as text must answer 400 naming where, never 500.</summary>
public sealed class BadInputHttpTests(BadInputHostFixture fixture) : IClassFixture<BadInputHostFixture>
{
    private static readonly long BaseMillis = MeshFixture.BaseSeconds * 1000;

    // Bad points and lines: NAME is the case's metric and TS a recent timestamp. Each char is sent as one
    // byte (Latin-1), so "\u00BC" goes out as the raw byte 0xBC; a JSON escape like \udc00 as its six characters.
    public static TheoryData<string, string, string, string> UndecodableInput => new()
    {
        { "nd_metric_raw", "ndjson", "{\"metric\":\"\u00BC\",\"value\":1}", "field \"metric\" is not valid UTF-8" },
        { "json_metric_low", "json", """{"metric":"\udc00","value":1}""", "field \"metric\" holds a lone surrogate escape \"\\udc00\"" },
        { "json_tag_value_high", "json", """{"metric":"NAME","tags":{"host":"\ud800"},"timestamp":TS,"value":1}""", "value of tag \"host\" holds a lone surrogate escape \"\\ud800\"" },
        { "nd_tag_value_high", "ndjson", """{"metric":"NAME","tags":{"host":"\ud800"},"timestamp":TS,"value":1}""", "value of tag \"host\" holds a lone surrogate escape \"\\ud800\"" },
        { "nd_timestamp_raw", "ndjson", "{\"metric\":\"NAME\",\"timestamp\":\"\u00FF\",\"value\":1}", "field \"timestamp\" is not valid UTF-8" },
        { "json_timestamp_raw", "json", "{\"metric\":\"NAME\",\"timestamp\":\"\u00FF\",\"value\":1}", "field \"timestamp\" is not valid UTF-8" },
        { "json_timestamp_low", "json", """{"metric":"NAME","timestamp":"\udc00","value":1}""", "field \"timestamp\" holds a lone surrogate escape \"\\udc00\"" },
        { "nd_tag_key_raw", "ndjson", "{\"metric\":\"NAME\",\"tags\":{\"h\u00FF\":\"a\"},\"timestamp\":TS,\"value\":1}", "tag key \"h\uFFFD\" is not valid UTF-8" },
        { "json_tag_key_low", "json", """{"metric":"NAME","tags":{"\udc00":"a"},"timestamp":TS,"value":1}""", "tag key \"\\udc00\" holds a lone surrogate escape" },
        { "points_metric_raw", "points", "{\"metric\":\"\u00BC\",\"timestamp\":TS,\"value\":1}", "field \"metric\" is not valid UTF-8" },
        { "points_metric_high", "points", """{"metric":"\ud800","timestamp":TS,"value":1}""", "field \"metric\" holds a lone surrogate escape \"\\ud800\"" },
    };

    public static TheoryData<string, string> BadCursors => new()
    {
        { "cursor_one_char", "A" },
        { "cursor_nul", "%00" },
        { "cursor_bad_escape", "%zz" },
        { "cursor_padding_only", "====" },
        { "cursor_last_char_changed", new PageCursor(MeshFixture.BaseSeconds * 1_000_000, 1, 1).Encode()[..^1] + "B" },
        { "cursor_garbage_32", "garbage.garbage.garbage.garbage." },
    };

    [Theory]
    [MemberData(nameof(UndecodableInput))]
    public async Task Ingest_StringThatIsNotText_Gets400NamingLineAndFieldAndWritesTheGoodPoints(string name, string form, string bad, string expectedMessagePart)
    {
        var good1 = $$"""{"metric":"{{name}}","tags":{"host":"a"},"timestamp":{{BaseMillis}},"value":1}""";
        var good2 = $$"""{"metric":"{{name}}","tags":{"host":"a"},"timestamp":{{BaseMillis + 1000}},"value":2}""";
        bad = bad.Replace("NAME", name, StringComparison.Ordinal).Replace("TS", BaseMillis.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal);
        var (contentType, body) = form switch
        {
            "ndjson" => ("application/x-ndjson", $"{good1}\n{bad}\n{good2}\n"),
            "json" => ("application/json", $"[{good1},\n{bad},\n{good2}]"),
            _ => ("application/json", $"{{\"points\":[{good1},\n{bad},\n{good2}]}}"),
        };

        using var response = await PostRawAsync(contentType, Encoding.Latin1.GetBytes(body));
        var text = await response.Content.ReadAsStringAsync();

        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{(int)response.StatusCode}: {text}");
        var answer = JsonDocument.Parse(text).RootElement;
        var error = Assert.Single(answer.GetProperty("errors").EnumerateArray());
        Assert.Equal(2, error.GetProperty("line").GetInt32());
        Assert.Contains(expectedMessagePart, error.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal(2, answer.GetProperty("pointsWritten").GetInt32());
        Assert.Equal(2, fixture.Host.Service<SeriesCatalog>().ForMetric(name).Sum(s => s.PointCount));
    }

    [Theory]
    [MemberData(nameof(BadCursors))]
    public async Task QueryPoints_CursorThatIsNotBase64Url_Gets400NamingCursor(string metric, string cursorAsSent)
    {
        // A raw request line, because HttpClient would rewrite "%zz" as "%25zz".
        var query = $"?metric={metric}&cursor={cursorAsSent}";

        var (status, text) = await RawGetAsync(fixture.Host.Client.BaseAddress!, "/api/query/points" + query);

        Assert.Equal(query, fixture.QueriesReceived[metric]);
        Assert.True(status == HttpStatusCode.BadRequest, $"{(int)status}: {text}");
        var answer = JsonDocument.Parse(text).RootElement;
        Assert.Equal("cursor", answer.GetProperty("parameter").GetString());
        Assert.Contains("cursor", answer.GetProperty("error").GetString(), StringComparison.Ordinal);
    }

    private async Task<HttpResponseMessage> PostRawAsync(string contentType, byte[] body)
    {
        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        return await fixture.Host.Client.PostAsync("/api/ingest", content);
    }

    /// <summary>Sends <paramref name="target"/> exactly as given in an HTTP/1.1 request line; returns the status and body.</summary>
    private static async Task<(HttpStatusCode Status, string Body)> RawGetAsync(Uri server, string target)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(server.Host, server.Port);
        var stream = client.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes($"GET {target} HTTP/1.1\r\nHost: {server.Authority}\r\nConnection: close\r\n\r\n"));
        using var received = new MemoryStream();

        // The server closes the connection after its answer.
        await stream.CopyToAsync(received);
        return ParseResponse(received.ToArray());
    }

    private static (HttpStatusCode Status, string Body) ParseResponse(byte[] response)
    {
        var headerEnd = response.AsSpan().IndexOf("\r\n\r\n"u8);
        Assert.True(headerEnd > 0, "no complete response head");
        var head = Encoding.ASCII.GetString(response, 0, headerEnd).Split("\r\n");
        var status = (HttpStatusCode)int.Parse(head[0].Split(' ')[1], CultureInfo.InvariantCulture);
        var body = response.AsSpan(headerEnd + 4);
        var chunked = head.Any(h => h.Equals("Transfer-Encoding: chunked", StringComparison.OrdinalIgnoreCase));
        return (status, Encoding.UTF8.GetString(chunked ? Dechunk(body) : body));
    }

    private static byte[] Dechunk(ReadOnlySpan<byte> chunked)
    {
        using var output = new MemoryStream();
        while (true)
        {
            var sizeEnd = chunked.IndexOf("\r\n"u8);
            var size = int.Parse(Encoding.ASCII.GetString(chunked[..sizeEnd]).Split(';')[0], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            if (size == 0)
            {
                return output.ToArray();
            }

            output.Write(chunked.Slice(sizeEnd + 2, size));
            chunked = chunked[(sizeEnd + 2 + size + 2)..];
        }
    }
}
