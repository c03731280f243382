using Microsoft.Net.Http.Headers;

namespace FunctionsObservability.Functions.Http;

/// <summary>
/// The explorer: its page (<c>/api/ui</c>, and <c>/</c> standalone) and its files
/// (<c>/api/ui/assets/…</c>), with ETags, 304s and gzip. The page only calls the API; it holds no data.
/// </summary>
internal static class ExplorerEndpoints
{
    /// <summary>
    /// The page loads only its own files and calls only this origin; uPlot sets inline styles from
    /// script (allowed by style-src), never through markup.
    /// </summary>
    private const string ContentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'";

    public static Task PageAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var headers = context.Response.Headers;
        headers.ContentSecurityPolicy = ContentSecurityPolicy;
        headers["Referrer-Policy"] = "no-referrer";
        return SendAsync(context, context.RequestServices.GetRequiredService<ExplorerAssetStore>().Page);
    }

    public static Task AssetAsync(HttpContext context, string? asset)
    {
        ArgumentNullException.ThrowIfNull(context);
        var found = string.IsNullOrEmpty(asset) ? null : context.RequestServices.GetRequiredService<ExplorerAssetStore>().Find(asset);
        return found is null
            ? JsonOutput.ErrorAsync(context.Response, StatusCodes.Status404NotFound, $"the explorer has no asset \"{asset}\"")
            : SendAsync(context, found);
    }

    private static Task SendAsync(HttpContext context, ExplorerAsset asset)
    {
        var request = context.Request;
        var response = context.Response;
        var gzip = asset.Gzip is not null && AcceptsGzip(request.Headers.AcceptEncoding);
        var etag = gzip ? asset.GzipETag : asset.IdentityETag;
        var headers = response.Headers;
        headers.ETag = etag;
        headers.CacheControl = asset.CacheControl;
        headers.XContentTypeOptions = "nosniff";
        if (asset.Gzip is not null)
        {
            headers.Vary = HeaderNames.AcceptEncoding;
        }

        if (Matches(request.Headers.IfNoneMatch, etag))
        {
            response.StatusCode = StatusCodes.Status304NotModified;
            return Task.CompletedTask;
        }

        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = asset.ContentType;
        var body = gzip ? asset.Gzip!.Value : asset.Identity;
        if (gzip)
        {
            headers.ContentEncoding = "gzip";
        }

        response.ContentLength = body.Length;
        return response.Body.WriteAsync(body, context.RequestAborted).AsTask();
    }

    /// <summary>gzip (or <c>*</c>) listed with a q-value above zero.</summary>
    private static bool AcceptsGzip(Microsoft.Extensions.Primitives.StringValues acceptEncoding)
    {
        if (!StringWithQualityHeaderValue.TryParseList(acceptEncoding, out var codings))
        {
            return false;
        }

        foreach (var coding in codings)
        {
            if ((coding.Value.Equals("gzip", StringComparison.OrdinalIgnoreCase) || coding.Value.Equals("*", StringComparison.Ordinal))
                && coding.Quality is not <= 0)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>If-None-Match compares weakly (RFC 9110 13.1.2), so a W/ prefix still matches.</summary>
    private static bool Matches(Microsoft.Extensions.Primitives.StringValues ifNoneMatch, string etag)
    {
        if (ifNoneMatch.Count == 0 || !EntityTagHeaderValue.TryParseList(ifNoneMatch, out var tags))
        {
            return false;
        }

        var ours = new EntityTagHeaderValue(etag);
        foreach (var tag in tags)
        {
            if (tag.Equals(EntityTagHeaderValue.Any) || tag.Compare(ours, useStrongComparison: false))
            {
                return true;
            }
        }

        return false;
    }
}
