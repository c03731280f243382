using System.IO.Compression;
using System.Security.Cryptography;

namespace FunctionsObservability.Functions.Http;

/// <summary>One file of the explorer, ready to send as it is or gzipped.</summary>
/// <param name="Name">The file name under <c>/api/ui/assets/</c>.</param>
/// <param name="ContentType">The media type, with the charset for text.</param>
/// <param name="CacheControl">Long and immutable for content-hashed names; otherwise revalidate every time.</param>
/// <param name="Identity">The bytes.</param>
/// <param name="IdentityETag">A strong ETag of the bytes.</param>
/// <param name="Gzip">The gzipped bytes, or null where gzip would not make the file smaller.</param>
/// <param name="GzipETag">A strong ETag of the gzipped representation (a different representation, so a different tag).</param>
internal sealed record ExplorerAsset(string Name, string ContentType, string CacheControl, ReadOnlyMemory<byte> Identity, string IdentityETag, ReadOnlyMemory<byte>? Gzip, string GzipETag);

/// <summary>
/// The explorer's files, embedded in this assembly (so they are found from any working directory and
/// under the Functions host), read and gzipped once, on first use, and then kept in memory: together
/// they are a few hundred KiB.
/// </summary>
internal sealed class ExplorerAssetStore
{
    public const string PageName = "index.html";
    private const string ResourcePrefix = "explorer/";

    /// <summary>esbuild writes names such as <c>explorer-5XG2KQ7M.js</c>: a new build is a new name.</summary>
    private const string Immutable = "public, max-age=31536000, immutable";

    private const string Revalidate = "no-cache";

    private readonly Lazy<IReadOnlyDictionary<string, ExplorerAsset>> _assets = new(Load);

    public ExplorerAsset Page => _assets.Value[PageName];

    /// <summary>The page is served only at its own routes, so an asset path never names it.</summary>
    public ExplorerAsset? Find(string name) =>
        name != PageName && _assets.Value.TryGetValue(name, out var asset) ? asset : null;

    private static Dictionary<string, ExplorerAsset> Load()
    {
        var assembly = typeof(ExplorerAssetStore).Assembly;
        var assets = new Dictionary<string, ExplorerAsset>(StringComparer.Ordinal);
        foreach (var resource in assembly.GetManifestResourceNames())
        {
            if (!resource.StartsWith(ResourcePrefix, StringComparison.Ordinal))
            {
                continue;
            }

            using var stream = assembly.GetManifestResourceStream(resource)!;
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            var name = resource[ResourcePrefix.Length..];
            assets[name] = Create(name, copy.ToArray());
        }

        return assets.ContainsKey(PageName)
            ? assets
            : throw new InvalidOperationException($"The explorer's {PageName} is not embedded; run functions/Explorer/build.");
    }

    private static ExplorerAsset Create(string name, byte[] bytes)
    {
        var tag = Tag(bytes);
        var gzip = Compress(bytes);
        return new ExplorerAsset(
            name,
            ContentType(name),
            IsHashed(name) ? Immutable : Revalidate,
            bytes,
            $"\"{tag}\"",
            gzip.Length < bytes.Length ? gzip : null,
            $"\"{tag}-gz\"");
    }

    private static string Tag(byte[] bytes) =>
        Convert.ToBase64String(SHA256.HashData(bytes), 0, 18).Replace('+', '-').Replace('/', '_');

    private static byte[] Compress(byte[] bytes)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.SmallestSize, leaveOpen: true))
        {
            gzip.Write(bytes);
        }

        return output.ToArray();
    }

    /// <summary>A name with a dash and eight upper-case letters or digits before its extension.</summary>
    private static bool IsHashed(string name)
    {
        var dot = name.LastIndexOf('.');
        var dash = name.LastIndexOf('-');
        return dot > 0 && dash >= 0 && dot - dash == 9
            && name.AsSpan(dash + 1, 8).IndexOfAnyExcept("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789") < 0;
    }

    private static string ContentType(string name) => Path.GetExtension(name) switch
    {
        ".html" => "text/html; charset=utf-8",
        ".js" => "text/javascript; charset=utf-8",
        ".css" => "text/css; charset=utf-8",
        ".svg" => "image/svg+xml",
        ".png" => "image/png",
        ".ico" => "image/x-icon",
        ".map" or ".json" => "application/json; charset=utf-8",
        _ => "application/octet-stream",
    };
}
