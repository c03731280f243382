using System.Globalization;
using System.Net;

namespace FunctionsObservability.Functions.Standalone.Security;

/// <summary>What the listen addresses were rewritten from and to; logged at start-up.</summary>
internal sealed record LoopbackRewrite(string Configured, string Loopback);

/// <summary>
/// With no function key configured every route is open, so the standalone app must not be reachable
/// from other machines: configured URLs that would listen beyond loopback (<c>0.0.0.0</c>, <c>*</c>,
/// <c>+</c>, <c>[::]</c>, another IP or host name) are rewritten to 127.0.0.1 with the same scheme
/// and port, and a warning says so. Start-up goes on, so a missing key never takes a service down.
/// </summary>
internal static class LoopbackBinding
{
    /// <summary>Rewrites the configured <c>urls</c> when no key is configured and they reach beyond loopback.</summary>
    public static void RestrictWhenNoKeys(WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        if (AuthOptions.FromConfiguration(builder.Configuration).HasAnyKey)
        {
            return;
        }

        var configured = builder.Configuration["urls"] is { Length: > 0 } urls ? urls : builder.Configuration["ASPNETCORE_URLS"];
        if (ToLoopback(configured) is { } loopback)
        {
            builder.WebHost.UseUrls(loopback);
            builder.Services.AddSingleton(new LoopbackRewrite(configured!, loopback));
        }
    }

    /// <summary>The same URLs on loopback, or null when every one already is (or cannot be parsed: Kestrel reports those).</summary>
    public static string? ToLoopback(string? urls)
    {
        if (string.IsNullOrWhiteSpace(urls))
        {
            return null;
        }

        var rewritten = false;
        var result = new List<string>();
        foreach (var url in urls.Split(';', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            BindingAddress address;
            try
            {
                address = BindingAddress.Parse(url);
            }
            catch (FormatException)
            {
                result.Add(url);
                continue;
            }

            if (IsLocal(address))
            {
                result.Add(url);
            }
            else
            {
                rewritten = true;
                result.Add(string.Create(CultureInfo.InvariantCulture, $"{address.Scheme}://127.0.0.1:{address.Port}"));
            }
        }

        return rewritten ? string.Join(';', result.Distinct(StringComparer.OrdinalIgnoreCase)) : null;
    }

    private static bool IsLocal(BindingAddress address)
    {
        if (address.IsUnixPipe || address.IsNamedPipe || string.Equals(address.Host, "localhost", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        var host = address.Host.StartsWith('[') && address.Host.EndsWith(']') ? address.Host[1..^1] : address.Host;
        return IPAddress.TryParse(host, out var ip) && IPAddress.IsLoopback(ip);
    }
}
