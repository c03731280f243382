using System.Collections.Concurrent;
using FunctionsObservability.Pipeline.Archive;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace FunctionsObservability.Tests.Archiving;

/// <summary>
/// The real archive store the app would build, wrapped so a test can make uploads fail. Everything
/// else, and every put the fault lets through, goes to the real store.
/// </summary>
internal sealed class FaultInjectingArchiveStore(IArchiveStore inner) : IArchiveStore, IDisposable
{
    private readonly ConcurrentQueue<string> _puts = new();
    private int _disposed;

    /// <summary>Given the put's number (from 0) and path: an exception to throw instead of uploading, or null to upload.</summary>
    public Func<int, string, Exception?>? PutFault { get; set; }

    public IArchiveStore Inner => inner;

    /// <summary>Paths of every put attempted, failed ones too.</summary>
    public IReadOnlyList<string> PutsAttempted => [.. _puts];

    /// <summary>Replaces the app's <see cref="IArchiveStore"/> with this wrapper around the store it would have built.</summary>
    public static void Register(WebApplicationBuilder builder)
    {
        var original = builder.Services.Last(d => d.ServiceType == typeof(IArchiveStore));
        builder.Services.RemoveAll<IArchiveStore>();
        builder.Services.AddSingleton(sp => new FaultInjectingArchiveStore(Create(original, sp)));
        builder.Services.AddSingleton<IArchiveStore>(sp => sp.GetRequiredService<FaultInjectingArchiveStore>());
    }

    public Task PutAsync(string path, string localFile, CancellationToken cancellationToken)
    {
        var number = _puts.Count;
        _puts.Enqueue(path);
        if (PutFault?.Invoke(number, path) is { } fault)
        {
            throw fault;
        }

        return inner.PutAsync(path, localFile, cancellationToken);
    }

    public Task<bool> ExistsAsync(string path, CancellationToken cancellationToken) => inner.ExistsAsync(path, cancellationToken);

    public Task DownloadAsync(string path, string localFile, CancellationToken cancellationToken) => inner.DownloadAsync(path, localFile, cancellationToken);

    public IAsyncEnumerable<ArchiveObject> ListAsync(string prefix, CancellationToken cancellationToken) => inner.ListAsync(prefix, cancellationToken);

    public Task DeleteAsync(string path, CancellationToken cancellationToken) => inner.DeleteAsync(path, cancellationToken);

    public void Dispose()
    {
        // Registered twice (as itself and as the interface), so the container may dispose it twice.
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            (inner as IDisposable)?.Dispose();
        }
    }

    private static IArchiveStore Create(ServiceDescriptor original, IServiceProvider services) =>
        original.ImplementationFactory is { } factory ? (IArchiveStore)factory(services)
        : original.ImplementationInstance is IArchiveStore instance ? instance
        : (IArchiveStore)ActivatorUtilities.CreateInstance(services, original.ImplementationType!);
}

/// <summary>A clock the test sets; the archive and retention runs read "now" from it.</summary>
internal sealed class ManualClock(DateTimeOffset start) : TimeProvider
{
    private long _utcTicks = start.UtcTicks;

    public DateTimeOffset Now
    {
        get => new(Interlocked.Read(ref _utcTicks), TimeSpan.Zero);
        set => Interlocked.Exchange(ref _utcTicks, value.UtcTicks);
    }

    public override DateTimeOffset GetUtcNow() => Now;

    /// <summary>Replaces the app's <see cref="TimeProvider"/> with this clock.</summary>
    public void Register(WebApplicationBuilder builder)
    {
        builder.Services.RemoveAll<TimeProvider>();
        builder.Services.AddSingleton<TimeProvider>(this);
    }
}

internal static class ArchiveStoreExtensions
{
    /// <summary>Every object path in the store, in order.</summary>
    public static async Task<List<string>> ListPathsAsync(this IArchiveStore store)
    {
        var paths = new List<string>();
        await foreach (var item in store.ListAsync(string.Empty, CancellationToken.None))
        {
            paths.Add(item.Path);
        }

        paths.Sort(StringComparer.Ordinal);
        return paths;
    }
}
