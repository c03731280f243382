using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using System.Text;

namespace FunctionsObservability.Functions.Standalone.Security;

/// <summary>
/// The configured keys, held as SHA-256 digests. A presented key is hashed and compared with every
/// configured digest by <see cref="CryptographicOperations.FixedTimeEquals"/>, without stopping at
/// the first match: the time taken says nothing about which key, or which prefix, was close.
/// Comparing digests rather than the raw UTF-8 bytes also hides the configured keys' lengths.
/// </summary>
internal sealed class FunctionKeys
{
    private readonly Entry[] _entries;

    public FunctionKeys(AuthOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _entries =
        [
            .. Entries(options.AdminKeys, RouteAccess.Admin, nameof(AuthOptions.AdminKeys)),
            .. Entries(options.IngestKeys, RouteAccess.Ingest, nameof(AuthOptions.IngestKeys)),
            .. Entries(options.QueryKeys, RouteAccess.Query, nameof(AuthOptions.QueryKeys)),
            .. Entries(options.MetricsKeys, RouteAccess.Telemetry, nameof(AuthOptions.MetricsKeys)),
        ];
    }

    /// <summary>False when no key is configured: the app is open (and listens on loopback only).</summary>
    public bool Enforced => _entries.Length > 0;

    /// <summary>
    /// Whether <paramref name="presented"/> opens a route that needs <paramref name="access"/>. The
    /// identity names the matching configuration entry (<c>IngestKeys[0]</c>), never the key.
    /// </summary>
    public bool TryAuthorize(string? presented, RouteAccess access, [NotNullWhen(true)] out string? identity)
    {
        identity = null;
        if (string.IsNullOrEmpty(presented) || presented.Length > AuthOptions.MaxKeyLength)
        {
            return false;
        }

        Span<byte> utf8 = stackalloc byte[AuthOptions.MaxKeyLength * 3];
        var length = Encoding.UTF8.GetBytes(presented, utf8);
        Span<byte> digest = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(utf8[..length], digest);

        foreach (var entry in _entries)
        {
            var equal = CryptographicOperations.FixedTimeEquals(digest, entry.Digest);
            if (equal && identity is null && (entry.Scope == RouteAccess.Admin || entry.Scope == access))
            {
                identity = entry.Identity;
            }
        }

        return identity is not null;
    }

    private static IEnumerable<Entry> Entries(IReadOnlyList<string> keys, RouteAccess scope, string name) =>
        keys.Select((key, i) => new Entry(SHA256.HashData(Encoding.UTF8.GetBytes(key)), scope, $"{name}[{i}]"));

    private sealed record Entry(byte[] Digest, RouteAccess Scope, string Identity);
}
