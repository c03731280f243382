using FunctionsObservability.Pipeline.Ingest;

namespace FunctionsObservability.Functions.Http;

/// <summary>
/// Bounds how many ingest requests hold a body buffer at once, so memory has a ceiling of about
/// MaxConcurrentRequests × MaxDecompressedBytes whatever the number of connections.
/// </summary>
internal sealed class IngestAdmission(IngestOptions options) : IDisposable
{
    private readonly SemaphoreSlim _slots = new(options.MaxConcurrentRequests, options.MaxConcurrentRequests);

    public Task<bool> TryEnterAsync(CancellationToken cancellationToken) =>
        _slots.WaitAsync(options.AdmissionTimeoutMilliseconds, cancellationToken);

    public void Exit() => _slots.Release();

    public void Dispose() => _slots.Dispose();
}
