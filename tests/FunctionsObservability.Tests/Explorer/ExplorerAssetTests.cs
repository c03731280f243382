using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using System.Text.RegularExpressions;
using FunctionsObservability.Tests.Infrastructure;

namespace FunctionsObservability.Tests.Explorer;

/// <summary>The explorer's page and files over plain HTTP: types, ETags and 304s, gzip, caching, 404s.</summary>
public sealed partial class ExplorerAssetTests : IAsyncLifetime
{
    private ServiceHost? _service;

    private HttpClient Client => _service!.Client;

    public async Task InitializeAsync() => _service = await ServiceHost.StartAsync();

    public async Task DisposeAsync() => await _service!.DisposeAsync();

    [Theory]
    [InlineData("/")]
    [InlineData("/api/ui")]
    public async Task Page_is_served_as_html_that_names_its_assets_by_absolute_path(string path)
    {
        using var response = await Client.GetAsync(path);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType!.MediaType);
        Assert.Equal("no-cache", response.Headers.CacheControl!.ToString());
        Assert.NotNull(response.Headers.ETag);
        Assert.Contains("default-src 'self'", response.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
        var html = await response.Content.ReadAsStringAsync();
        Assert.Equal(2, AssetReference().Matches(html).Count);
    }

    [Fact]
    public async Task Assets_have_their_types_strong_ETags_long_caching_and_answer_304_to_If_None_Match()
    {
        var html = await Client.GetStringAsync("/api/ui");
        var assets = AssetReference().Matches(html).Select(m => m.Groups[1].Value).ToList();
        Assert.Contains(assets, a => a.EndsWith(".js", StringComparison.Ordinal));
        Assert.Contains(assets, a => a.EndsWith(".css", StringComparison.Ordinal));
        foreach (var asset in assets)
        {
            using var response = await Client.GetAsync(asset);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal(asset.EndsWith(".js", StringComparison.Ordinal) ? "text/javascript" : "text/css", response.Content.Headers.ContentType!.MediaType);
            Assert.Equal("utf-8", response.Content.Headers.ContentType.CharSet);
            Assert.Contains("immutable", response.Headers.CacheControl!.ToString(), StringComparison.Ordinal);
            var etag = response.Headers.ETag!;
            Assert.False(etag.IsWeak);
            Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());

            using var conditional = new HttpRequestMessage(HttpMethod.Get, asset);
            conditional.Headers.IfNoneMatch.Add(etag);
            using var notModified = await Client.SendAsync(conditional);
            Assert.Equal(HttpStatusCode.NotModified, notModified.StatusCode);
            Assert.Empty(await notModified.Content.ReadAsByteArrayAsync());
            Assert.Equal(etag, notModified.Headers.ETag);

            using var stale = new HttpRequestMessage(HttpMethod.Get, asset);
            stale.Headers.IfNoneMatch.Add(new EntityTagHeaderValue("\"something-else\""));
            using var full = await Client.SendAsync(stale);
            Assert.Equal(HttpStatusCode.OK, full.StatusCode);
        }
    }

    [Fact]
    public async Task Assets_are_gzipped_for_clients_that_accept_it_with_their_own_ETag()
    {
        var html = await Client.GetStringAsync("/api/ui");
        var script = AssetReference().Matches(html).Select(m => m.Groups[1].Value).Single(a => a.EndsWith(".js", StringComparison.Ordinal));
        var plain = await Client.GetByteArrayAsync(script);

        using var request = new HttpRequestMessage(HttpMethod.Get, script);
        request.Headers.AcceptEncoding.ParseAdd("gzip, deflate, br");
        using var response = await Client.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(["gzip"], response.Content.Headers.ContentEncoding);
        Assert.Contains("Accept-Encoding", response.Headers.Vary);
        var zipped = await response.Content.ReadAsByteArrayAsync();
        Assert.True(zipped.Length < plain.Length / 2, $"gzip {zipped.Length} of {plain.Length} bytes");
        await using var unzip = new GZipStream(new MemoryStream(zipped), CompressionMode.Decompress);
        using var unzipped = new MemoryStream();
        await unzip.CopyToAsync(unzipped);
        Assert.Equal(plain, unzipped.ToArray());

        using var identity = new HttpRequestMessage(HttpMethod.Get, script);
        identity.Headers.AcceptEncoding.ParseAdd("gzip;q=0, identity");
        using var notZipped = await Client.SendAsync(identity);
        Assert.Empty(notZipped.Content.Headers.ContentEncoding);
        Assert.NotEqual(response.Headers.ETag, notZipped.Headers.ETag);
    }

    [Theory]
    [InlineData("/api/ui/assets/nothing-here.js")]
    [InlineData("/api/ui/assets/index.html")]
    [InlineData("/api/ui/assets/..%2F..%2Fmetrics")]
    public async Task Unknown_assets_are_404(string path)
    {
        using var response = await Client.GetAsync(path);
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType!.MediaType);
    }

    [GeneratedRegex("\"(/api/ui/assets/[^\"]+)\"")]
    private static partial Regex AssetReference();
}
