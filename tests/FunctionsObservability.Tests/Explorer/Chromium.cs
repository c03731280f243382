using FunctionsObservability.Tests.Infrastructure;

namespace FunctionsObservability.Tests.Explorer;

/// <summary>
/// Debian's chromium, which Playwright drives in place of a browser of its own (none can be
/// downloaded here). A fresh machine lacks it: the first test that needs it installs it, once.
/// </summary>
internal static class Chromium
{
    public const string Path = "/usr/bin/chromium";

    public static readonly string[] Arguments =
    [
        "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
    ];

    public static Task EnsureInstalledAsync() => DebianPackage.EnsureInstalledAsync(Path, "chromium");
}
